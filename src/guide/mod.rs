//! The shipping guide: what one product costs and takes for a parcel on a route.
//! Two implementations share [`ShippingGuide`]: the built-in [`simulator`] (the default) and
//! [`bring`], a client for Bring's Shipping Guide API. Which products to ask about is our own
//! rule table, [`app::plan`], whichever guide answers; [`cache`] and [`budget`] sit in front of
//! a remote guide.

pub mod bring;
pub mod budget;
pub mod cache;
pub mod calendar;
pub mod dispatch;
pub mod ineligibility;
pub mod simulator;

use crate::stats::GuideStatus;
use app::model::{Offer, ProductId, SearchRequest};
pub use ineligibility::Ineligibility;
use std::future::Future;
use std::pin::Pin;
use time::Date;

pub type QuoteFuture = Pin<Box<dyn Future<Output = Result<Offer, GuideError>> + Send>>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GuideError {
    /// The product cannot carry this parcel, and why.
    #[error("not eligible: {0:?}")]
    NotEligible(Ineligibility),
    /// The guide (or a system behind it) failed.
    #[error("{0}")]
    Upstream(String),
}

pub trait ShippingGuide: Send + Sync + 'static {
    /// Quotes one planned product for a parcel that ships on `ships` (see [`dispatch`]). The
    /// future owns its inputs so it can run as its own task; the search service bounds it with
    /// the quote timeout and drops it when nobody waits.
    fn quote(&self, request: &SearchRequest, product: &ProductId, ships: Date) -> QuoteFuture;

    /// What `/healthz` shows of the guide.
    fn status(&self) -> GuideStatus {
        GuideStatus::named("custom")
    }
}
