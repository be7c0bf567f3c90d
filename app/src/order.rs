//! Compare at a glance: the order of the cards (`?sort=price`, the default, or
//! `?sort=delivery`) and which offer is the cheapest and which the fastest.

use crate::location::{Url, use_url};
use crate::model::{Offer, Outcome};
use leptos::prelude::*;
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Price,
    Delivery,
}

impl Sort {
    /// `?sort=`; anything else is the default.
    pub fn from_param(value: Option<&str>) -> Sort {
        match value {
            Some("delivery") => Sort::Delivery,
            _ => Sort::Price,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Sort::Price => "price",
            Sort::Delivery => "delivery",
        }
    }
}

/// The page URL's `?sort=`, as it changes.
pub fn use_sort() -> Memo<Sort> {
    let url = use_url();
    Memo::new(move |_| {
        url.query
            .with(|q| Sort::from_param(Url::param(q, "sort").as_deref()))
    })
}

fn by_price(a: &Offer, b: &Offer) -> Ordering {
    a.price.with_vat_minor.cmp(&b.price.with_vat_minor)
}

/// Sooner first: the earlier date (ISO dates sort as text), then fewer working days. The date
/// first, because services ship on different days: one that misses today's cut-off may take
/// fewer days and still arrive later.
fn by_delivery(a: &Offer, b: &Offer) -> Ordering {
    (&a.lead_time.expected_delivery, a.lead_time.working_days)
        .cmp(&(&b.lead_time.expected_delivery, b.lead_time.working_days))
}

/// The cards' order, as indices into `answers` (in plan order; `None` while a card loads):
/// offers by the sort (the other key breaks ties), then the services that cannot take the
/// parcel, then those still loading, each group in plan order.
pub fn order(answers: &[Option<Outcome>], sort: Sort) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..answers.len()).collect();
    let group = |i: usize| match &answers[i] {
        Some(Outcome::Offer { .. }) => 0,
        Some(Outcome::Unavailable { .. }) => 1,
        None => 2,
    };
    indices.sort_by(|&a, &b| {
        group(a)
            .cmp(&group(b))
            .then_with(|| match (&answers[a], &answers[b]) {
                (Some(Outcome::Offer { offer: x }), Some(Outcome::Offer { offer: y })) => {
                    match sort {
                        Sort::Price => by_price(x, y).then_with(|| by_delivery(x, y)),
                        Sort::Delivery => by_delivery(x, y).then_with(|| by_price(x, y)),
                    }
                }
                _ => Ordering::Equal,
            })
    });
    indices
}

/// The cheapest and the fastest offer, as indices into `answers`: the first of each order
/// (so one each, the earlier in plan order on a full tie), possibly the same card.
pub fn marks(answers: &[Option<Outcome>]) -> (Option<usize>, Option<usize>) {
    let first = |sort| {
        order(answers, sort)
            .first()
            .copied()
            .filter(|&i| matches!(answers[i], Some(Outcome::Offer { .. })))
    };
    (first(Sort::Price), first(Sort::Delivery))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LeadTime, Money, ProductId, UnavailableReason};

    fn offer(id: &str, price: i64, days: u32, date: &str) -> Outcome {
        Outcome::Offer {
            offer: Offer {
                product_id: ProductId::new(id),
                name: id.into(),
                description: String::new(),
                price: Money {
                    currency: "NOK".into(),
                    with_vat_minor: price,
                    without_vat_minor: price,
                },
                lead_time: LeadTime {
                    working_days: days,
                    expected_delivery: date.into(),
                    alternatives: vec![],
                },
                last_mile: None,
                dispatch: None,
            },
        }
    }

    fn unavailable(id: &str) -> Outcome {
        Outcome::Unavailable {
            product_id: ProductId::new(id),
            reason: UnavailableReason::NotEligible,
            message: String::new(),
        }
    }

    #[test]
    fn offers_by_price_or_delivery_then_the_unavailable_then_the_loading() {
        let a = offer("a", 300, 4, "2026-12-07");
        let b = offer("b", 150, 5, "2026-12-08");
        let c = unavailable("c");
        let d = offer("d", 600, 1, "2026-12-02");
        let e = offer("e", 150, 4, "2026-12-07");
        let answers = [Some(a), None, Some(b), Some(c), Some(d), None, Some(e)];
        assert_eq!(order(&answers, Sort::Price), [6, 2, 0, 4, 3, 1, 5]);
        assert_eq!(order(&answers, Sort::Delivery), [4, 6, 0, 2, 3, 1, 5]);
        assert_eq!(marks(&answers), (Some(6), Some(4)));
    }

    #[test]
    fn one_card_may_be_both_cheapest_and_fastest_and_nothing_is_marked_without_offers() {
        let a = offer("a", 100, 1, "2026-12-02");
        let b = offer("b", 100, 1, "2026-12-02");
        assert_eq!(marks(&[Some(a), Some(b)]), (Some(0), Some(0)));
        let c = unavailable("c");
        assert_eq!(marks(&[Some(c.clone()), None]), (None, None));
        assert_eq!(order(&[None, Some(c)], Sort::Price), [1, 0]);
    }

    #[test]
    fn the_earlier_date_is_faster_even_with_more_working_days() {
        // Ships today, two days; misses its cut-off, ships Monday, one day.
        let today = offer("today", 200, 2, "2026-12-08");
        let monday = offer("monday", 100, 1, "2026-12-08");
        let later = offer("later", 100, 1, "2026-12-09");
        let answers = [Some(later), Some(today), Some(monday)];
        assert_eq!(order(&answers, Sort::Delivery), [2, 1, 0]);
        assert_eq!(marks(&answers), (Some(2), Some(2)));
        let only_days = [
            Some(offer("x", 100, 3, "2026-12-07")),
            Some(offer("y", 100, 1, "2026-12-08")),
        ];
        assert_eq!(order(&only_days, Sort::Delivery), [0, 1]);
    }

    #[test]
    fn the_parameter_chooses_the_sort() {
        assert_eq!(Sort::from_param(Some("delivery")), Sort::Delivery);
        assert_eq!(Sort::from_param(Some("price")), Sort::Price);
        assert_eq!(Sort::from_param(Some("weird")), Sort::Price);
        assert_eq!(Sort::from_param(None), Sort::Price);
    }
}
