//! The shipping guide: which products serve a route, and what one of them costs and takes.
//! Two implementations share this trait: the built-in [`simulator`] (the default) and, later,
//! an HTTP client for Bring's Shipping Guide API, so the trait is shaped for a remote service:
//! planning is a local rule lookup, quoting is one fallible network call per product.

pub mod simulator;

use app::model::{Offer, ProductId, SearchRequest};
use std::future::Future;
use std::pin::Pin;

pub type QuoteFuture = Pin<Box<dyn Future<Output = Result<Offer, GuideError>> + Send>>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GuideError {
    /// The product cannot carry this parcel; the message says why, in a few words.
    #[error("{0}")]
    NotEligible(String),
    /// The guide (or a system behind it) failed.
    #[error("{0}")]
    Upstream(String),
}

pub trait ShippingGuide: Send + Sync + 'static {
    /// The products to quote for this (validated) request, in display order. Empty when no
    /// product serves the route.
    fn plan(&self, request: &SearchRequest) -> Vec<ProductId>;

    /// Quotes one planned product. The future owns its inputs so it can run as its own task.
    fn quote(&self, request: &SearchRequest, product: &ProductId) -> QuoteFuture;
}
