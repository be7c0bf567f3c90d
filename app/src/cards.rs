//! The cards and what the results area shows for the search in progress, fed by transport
//! events.

use crate::error::FieldError;
use crate::model::{Outcome, ProductId};
use crate::transport::SearchEvent;
use leptos::prelude::*;

/// One planned product's card.
// At most nine live at once, each in its signal: a box would cost an allocation per answer and
// save nothing worth having.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum CardState {
    Loading,
    Ready(Outcome),
}

#[derive(Clone, Debug)]
pub struct Card {
    pub product_id: ProductId,
    pub state: RwSignal<CardState>,
}

#[derive(Clone, Debug)]
pub enum ResultsView {
    /// No search: the form is empty or invalid.
    Idle,
    /// Sent, plan not known yet.
    Planning,
    /// Cards in plan order; they fill in as outcomes arrive.
    Planned(Vec<Card>),
    /// The server refused fields of the search (the form shows them): nothing to show here.
    Refused(Vec<FieldError>),
    /// The server refused the search or could not be reached.
    Failed(String),
}

impl ResultsView {
    /// Folds one event into the view; cards update in place so the grid never reflows.
    pub fn apply(view: RwSignal<Option<ResultsView>>, event: SearchEvent) {
        match event {
            SearchEvent::Planned(products) => view.set(Some(ResultsView::Planned(
                products
                    .into_iter()
                    .map(|product_id| Card {
                        product_id,
                        state: RwSignal::new(CardState::Loading),
                    })
                    .collect(),
            ))),
            SearchEvent::Outcome(outcome) => view.with_untracked(|v| {
                if let Some(ResultsView::Planned(cards)) = v
                    && let Some(card) = cards.iter().find(|c| &c.product_id == outcome.product_id())
                {
                    card.state.set(CardState::Ready(outcome));
                }
            }),
            // The page keeps the places itself, beside the results.
            SearchEvent::Done | SearchEvent::Places(_) => {}
            SearchEvent::Invalid(error) => view.set(Some(ResultsView::Refused(vec![error]))),
            SearchEvent::Failed(message) => view.set(Some(ResultsView::Failed(message))),
        }
    }
}
