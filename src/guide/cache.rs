//! A quote cache in front of any guide: identical quotes (route, parcel, product, shipping
//! date) within the time to live are answered from memory, and concurrent identical quotes
//! share one upstream call (moka's `try_get_with`: if the caller doing the call gives up, a
//! waiting one takes over). Offers and "not eligible" answers are kept; upstream errors are
//! not, so the next customer asks again. With Redis the answers are shared by every
//! instance: this instance's memory first, then Redis, then the guide.

use super::{GuideError, Ineligibility, QuoteFuture, ShippingGuide};
use crate::shared::Shared;
use crate::stats::GuideStatus;
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

impl Key {
    /// The Redis key: the same quote gives the same key on every instance.
    fn shared(&self) -> String {
        let SearchRequest { from, to, parcel } = &self.request;
        let dimension = |d: Option<u32>| d.map_or_else(String::new, |d| d.to_string());
        format!(
            "quote:{}:{}:{}:{}:{}:{}x{}x{}:{}:{}",
            from.country,
            from.postal_code,
            to.country,
            to.postal_code,
            parcel.weight_grams,
            dimension(parcel.length_cm),
            dimension(parcel.width_cm),
            dimension(parcel.height_cm),
            self.product,
            self.shipping_date,
        )
    }
}

/// An offer, or the reason the product is not eligible.
type Answer = Result<Offer, Ineligibility>;

pub struct QuoteCache {
    guide: Arc<dyn ShippingGuide>,
    shared: Option<Arc<Shared>>,
    ttl: Duration,
    answers: Cache<Key, Answer>,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl QuoteCache {
    pub fn new(guide: Arc<dyn ShippingGuide>, ttl: Duration, shared: Option<Arc<Shared>>) -> Self {
        Self {
            guide,
            shared,
            ttl,
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
    fn quote(&self, request: &SearchRequest, product: &ProductId, ships: Date) -> QuoteFuture {
        let key = Key {
            request: request.clone(),
            product: product.clone(),
            shipping_date: ships,
        };
        let (guide, request, product) = (self.guide.clone(), request.clone(), product.clone());
        let (answers, hits, misses) =
            (self.answers.clone(), self.hits.clone(), self.misses.clone());
        let (shared, ttl) = (self.shared.clone(), self.ttl);
        Box::pin(async move {
            let mut asked = false;
            let shared_key = shared.as_ref().map(|_| key.shared());
            let answer = answers
                .try_get_with(key, async {
                    if let (Some(shared), Some(k)) = (&shared, &shared_key)
                        && let Some(answer) = shared.get(k).await
                        && let Ok(answer) = serde_json::from_str::<Answer>(&answer)
                    {
                        return Ok(answer);
                    }
                    asked = true;
                    misses.fetch_add(1, Ordering::Relaxed);
                    let answer = match guide.quote(&request, &product, ships).await {
                        Ok(offer) => Ok(offer),
                        Err(GuideError::NotEligible(why)) => Err(why),
                        Err(GuideError::Upstream(why)) => return Err(why),
                    };
                    if let (Some(shared), Some(k)) = (&shared, &shared_key)
                        && let Ok(json) = serde_json::to_string(&answer)
                    {
                        shared.set(k, json, ttl).await;
                    }
                    Ok(answer)
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
