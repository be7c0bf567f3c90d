//! Pickup points: where a recipient collects a parcel sent to one. [`PickupPoints`] has the
//! built-in [`simulator`] (the default) and [`bring`], Bring's Pickup Point API (served by
//! [`simulated_api`] for tests); [`Cached`] keeps answers, which change rarely.

pub mod bring;
pub mod simulated_api;
pub mod simulator;

use app::booking::PickupPoint;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub type PointsFuture = Pin<Box<dyn Future<Output = Result<Vec<PickupPoint>, PickupError>> + Send>>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("pickup points unavailable: {0}")]
pub struct PickupError(pub String);

pub trait PickupPoints: Send + Sync + 'static {
    /// The pickup points nearest to a postal code, nearest first.
    fn nearest(&self, country: &str, postal_code: &str) -> PointsFuture;
}

/// How long an answer is reused: pickup points open and close over weeks, not minutes.
pub const CACHE_TTL: Duration = Duration::from_secs(60 * 60);

/// Answers kept per postal code; identical lookups in flight share one upstream call.
pub struct Cached {
    inner: Arc<dyn PickupPoints>,
    cache: moka::future::Cache<(String, String), Vec<PickupPoint>>,
}

impl Cached {
    pub fn new(inner: Arc<dyn PickupPoints>, ttl: Duration) -> Self {
        Self {
            inner,
            cache: moka::future::Cache::builder()
                .max_capacity(20_000)
                .time_to_live(ttl)
                .build(),
        }
    }
}

impl PickupPoints for Cached {
    fn nearest(&self, country: &str, postal_code: &str) -> PointsFuture {
        let key = (country.to_owned(), postal_code.to_owned());
        let (cache, inner) = (self.cache.clone(), self.inner.clone());
        Box::pin(async move {
            let (country, code) = key.clone();
            // Asked only on a miss; failures are not kept: the next customer asks again.
            cache
                .try_get_with(key, async move { inner.nearest(&country, &code).await })
                .await
                .map_err(|e: Arc<PickupError>| (*e).clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(AtomicUsize);

    impl PickupPoints for Arc<Counting> {
        fn nearest(&self, _: &str, code: &str) -> PointsFuture {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            let code = code.to_owned();
            Box::pin(async move {
                if code == "0000" {
                    Err(PickupError("down".into()))
                } else {
                    Ok(simulator::points("NO", &code)
                        .into_iter()
                        .take(n + 1)
                        .collect())
                }
            })
        }
    }

    #[tokio::test]
    async fn answers_are_kept_and_failures_are_not() {
        let counting = Arc::new(Counting(AtomicUsize::new(0)));
        let cached = Cached::new(Arc::new(counting.clone()), CACHE_TTL);
        let first = cached.nearest("NO", "0150").await.unwrap();
        let again = cached.nearest("NO", "0150").await.unwrap();
        assert_eq!(first, again);
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);
        assert!(cached.nearest("NO", "0000").await.is_err());
        assert!(cached.nearest("NO", "0000").await.is_err());
        assert_eq!(counting.0.load(Ordering::SeqCst), 3);
    }
}
