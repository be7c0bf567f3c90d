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
pub mod refusal;
pub mod simulator;

use crate::config::Config;
use crate::shared::Shared;
use app::model::{Offer, ProductId, SearchRequest};
pub use refusal::Refusal;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use time::Date;

/// The guide the configuration asks for, behind the quote cache when it has a time to live
/// (shared through Redis when there is one).
pub fn from_config(
    config: &Config,
    shared: Option<Arc<Shared>>,
) -> Result<Arc<dyn ShippingGuide>, String> {
    let guide: Arc<dyn ShippingGuide> = match &config.bring {
        Some(settings) => Arc::new(bring::Bring::new(settings, config.quote_timeout)?),
        None => Arc::new(simulator::Simulator::new(
            config.latency_scale,
            config.failure_rate,
        )),
    };
    Ok(match config.quote_cache_ttl {
        Some(ttl) => Arc::new(cache::QuoteCache::new(guide, ttl, shared)),
        None => guide,
    })
}

pub type QuoteFuture = Pin<Box<dyn Future<Output = Result<Offer, GuideError>> + Send>>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GuideError {
    /// The product cannot carry this parcel, and why.
    #[error("not eligible: {0:?}")]
    NotEligible(Refusal),
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

/// The guide in use and what stands in front of it, for `/healthz`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GuideStatus {
    /// `simulator` or `bring`.
    pub name: String,
    /// Quotes answered without an upstream call: from the cache, or by joining an identical
    /// call already in flight.
    pub cache_hits: u64,
    /// Quotes that made an upstream call.
    pub cache_misses: u64,
    /// Upstream requests waiting for the request budget.
    pub waiting_for_budget: usize,
}

impl GuideStatus {
    pub fn named(name: &str) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}
