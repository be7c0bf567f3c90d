//! A quote cache in front of any guide: identical quotes (route, parcel, product, shipping
//! date) within the time to live are answered from memory, and concurrent identical quotes
//! share one upstream call (moka's `try_get_with`: if the caller doing the call gives up, a
//! waiting one takes over). Offers and "not eligible" answers are kept; upstream errors are
//! not, so the next customer asks again.

use super::calendar::oslo_today;
use super::{GuideError, GuideStatus, QuoteFuture, ShippingGuide};
use app::model::{Offer, ProductId, SearchRequest};
use moka::future::Cache;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use time::Date;

/// Enough for every distinct quote of a busy hour; each entry is well under 1 KiB.
const MAX_ENTRIES: u64 = 50_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    request: SearchRequest,
    product: ProductId,
    shipping_date: Date,
}

/// An offer, or the reason the product is not eligible.
type Answer = Result<Offer, String>;

pub struct QuoteCache {
    guide: Arc<dyn ShippingGuide>,
    answers: Cache<Key, Answer>,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl QuoteCache {
    pub fn new(guide: Arc<dyn ShippingGuide>, ttl: Duration) -> Self {
        Self {
            guide,
            answers: Cache::builder()
                .max_capacity(MAX_ENTRIES)
                .time_to_live(ttl)
                .build(),
            hits: Arc::default(),
            misses: Arc::default(),
        }
    }
}

impl ShippingGuide for QuoteCache {
    fn quote(&self, request: &SearchRequest, product: &ProductId) -> QuoteFuture {
        let key = Key {
            request: request.clone(),
            product: product.clone(),
            shipping_date: oslo_today(),
        };
        let (guide, request, product) = (self.guide.clone(), request.clone(), product.clone());
        let (answers, hits, misses) =
            (self.answers.clone(), self.hits.clone(), self.misses.clone());
        Box::pin(async move {
            let mut asked = false;
            let answer = answers
                .try_get_with(key, async {
                    asked = true;
                    misses.fetch_add(1, Ordering::Relaxed);
                    match guide.quote(&request, &product).await {
                        Ok(offer) => Ok(Ok(offer)),
                        Err(GuideError::NotEligible(why)) => Ok(Err(why)),
                        Err(GuideError::Upstream(why)) => Err(why),
                    }
                })
                .await;
            if !asked {
                hits.fetch_add(1, Ordering::Relaxed);
            }
            match answer {
                Ok(Ok(offer)) => Ok(offer),
                Ok(Err(why)) => Err(GuideError::NotEligible(why)),
                Err(why) => Err(GuideError::Upstream(why.as_ref().clone())),
            }
        })
    }

    fn status(&self) -> GuideStatus {
        GuideStatus {
            cache_hits: self.hits.load(Ordering::Relaxed),
            cache_misses: self.misses.load(Ordering::Relaxed),
            ..self.guide.status()
        }
    }
}
