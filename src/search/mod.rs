//! SearchService: validate, plan, and fan out one task per product, each with its own timeout.
//! Dropping a [`Fanout`] aborts its tasks, so a cancelled search or a vanished client stops
//! every upstream call at once.
//!
//! The ways a search arrives: `start.rs` (its start, the same everywhere: budgets, validation,
//! log), `socket.rs` (`/ws/promotions`, with `clocks.rs`), `stream.rs` (`/api/search`).

pub mod clocks;
pub mod socket;
pub mod start;
pub mod stream;

use crate::clock::Clock;
use crate::guide::budget::{Requester, on_behalf_of};
use crate::guide::dispatch::dispatch;
use crate::guide::{GuideError, ShippingGuide};
use crate::limits::ClientKey;
use crate::stats::{Gauge, Stats};
use app::error::FieldError;
use app::i18n::{Texts, W};
use app::model::{Offer, Outcome, ProductId, SearchRequest, UnavailableReason};
use app::protocol::{SearchId, ServerMessage};
use app::validate::validate_request;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::{Id, JoinSet};
use tracing::{Instrument, info};

pub struct SearchService {
    guide: Arc<dyn ShippingGuide>,
    quote_timeout: Duration,
    clock: Clock,
    stats: Arc<Stats>,
}

impl SearchService {
    pub fn new(
        guide: Arc<dyn ShippingGuide>,
        quote_timeout: Duration,
        clock: Clock,
        stats: Arc<Stats>,
    ) -> Self {
        Self {
            guide,
            quote_timeout,
            clock,
            stats,
        }
    }

    /// The guide in use, for `/healthz`.
    pub fn guide_status(&self) -> crate::stats::GuideStatus {
        self.guide.status()
    }

    /// Validates the request and returns it normalised with its plan.
    pub fn plan(
        &self,
        request: &SearchRequest,
    ) -> Result<(SearchRequest, Vec<ProductId>), FieldError> {
        let request = validate_request(request)?;
        let products = app::plan::plan(&request);
        Ok((request, products))
    }

    /// One product's outcome for a search of `address`, for a parcel handed in now (the guide
    /// is asked for the day it ships; the offer says when that is); every failure becomes
    /// `Unavailable` with a reason, in the words of the page that asked (`t`).
    pub fn quote(
        &self,
        request: &SearchRequest,
        product: &ProductId,
        t: Texts,
        address: Requester,
    ) -> impl Future<Output = Outcome> + Send + use<> {
        // Its upstream requests take the address's turns of the upstream budget.
        let (ships, dispatch) = dispatch(product, self.clock.now());
        let answer = on_behalf_of(address, self.guide.quote(request, product, ships));
        let timeout = self.quote_timeout;
        let product_id = product.clone();
        let route = crate::route::route_class(request);
        let calls = Gauge::enter(&self.stats, |s| &s.upstream_calls);
        async move {
            let _calls = calls;
            let unavailable = |reason, message: String| Outcome::Unavailable {
                product_id: product_id.clone(),
                reason,
                message,
            };
            match tokio::time::timeout(timeout, answer).await {
                Ok(Ok(offer)) => Outcome::Offer {
                    offer: Offer {
                        dispatch: Some(dispatch),
                        ..offer
                    },
                },
                Ok(Err(GuideError::NotEligible(why))) => {
                    unavailable(UnavailableReason::NotEligible, why.words(t))
                }
                Ok(Err(GuideError::Upstream(why))) => {
                    // An error, so it reaches Sentry: with the route class, never the postal codes.
                    tracing::error!(product = %product_id, %route, error = %why, "shipping guide failed for {product_id} on {route}");
                    unavailable(
                        UnavailableReason::UpstreamError,
                        t.get(W::ReasonUpstream).to_owned(),
                    )
                }
                Err(_) => {
                    let ms = timeout.as_millis() as u64;
                    tracing::error!(product = %product_id, %route, timeout_ms = ms, "shipping guide timed out for {product_id} on {route}");
                    unavailable(
                        UnavailableReason::Timeout,
                        t.get(W::ReasonTimeout).to_owned(),
                    )
                }
            }
        }
    }

    /// Starts one task per planned product of `address`'s search; outcomes come out of
    /// [`Fanout::next`] as they finish.
    pub fn start(
        &self,
        request: &SearchRequest,
        products: &[ProductId],
        t: Texts,
        address: ClientKey,
    ) -> Fanout {
        let mut tasks = JoinSet::new();
        let mut ids = HashMap::with_capacity(products.len());
        for product in products {
            let handle = tasks.spawn(self.quote(request, product, t, Some(address)));
            ids.insert(handle.id(), product.clone());
        }
        self.stats
            .searches_started
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Fanout {
            tasks,
            ids,
            route: crate::route::route_class(request),
            t,
            stats: self.stats.clone(),
            _in_flight: Gauge::enter(&self.stats, |s| &s.searches_in_flight),
        }
    }
}

/// A running search's fan-out: one task per product. Dropping it aborts every task it still has.
pub struct Fanout {
    tasks: JoinSet<Outcome>,
    ids: HashMap<Id, ProductId>,
    /// For reports: the route class, never the postal codes.
    route: crate::route::RouteClass,
    /// The page's words, for a product whose task panicked.
    t: Texts,
    stats: Arc<Stats>,
    _in_flight: Gauge,
}

/// Dropped with products outstanding: the search was cancelled (counted for `/healthz`).
impl Drop for Fanout {
    fn drop(&mut self) {
        if self.is_cancelled() {
            self.stats
                .searches_cancelled
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

impl Fanout {
    /// Whether products are still outstanding: dropped now, the search is cancelled.
    fn is_cancelled(&self) -> bool {
        !self.ids.is_empty()
    }

    /// The next outcome to finish, or `None` when every product has one.
    pub async fn next(&mut self) -> Option<Outcome> {
        let (id, result) = match self.tasks.join_next_with_id().await? {
            Ok((id, outcome)) => (id, Ok(outcome)),
            Err(e) => (e.id(), Err(e)),
        };
        let product_id = self.ids.remove(&id)?;
        Some(result.unwrap_or_else(|e| {
            // A panic in one product's task costs that product only.
            let route = &self.route;
            tracing::error!(product = %product_id, %route, error = %e, "quote task failed for {product_id} on {route}");
            Outcome::Unavailable {
                product_id,
                reason: UnavailableReason::UpstreamError,
                message: self.t.get(W::ReasonUpstream).to_owned(),
            }
        }))
    }
}

/// What [`messages`] gives: the socket polls it in its own loop, the HTTP stream writes it
/// as lines.
pub type Messages = std::pin::Pin<Box<dyn futures::Stream<Item = ServerMessage> + Send>>;

/// A running search as the protocol's messages: one outcome per product as each finishes,
/// then `done`, logged as the search's end. The socket and the HTTP stream send the same.
pub fn messages(search_id: SearchId, search: Fanout, span: tracing::Span) -> Messages {
    let start = Progress {
        search,
        started: Instant::now(),
        offers: 0,
        unavailable: 0,
        span: span.clone(),
    };
    Box::pin(futures::stream::unfold(Some(start), move |progress| {
        async move {
            let mut p = progress?;
            match p.search.next().await {
                Some(outcome) => {
                    match outcome {
                        app::model::Outcome::Offer { .. } => p.offers += 1,
                        app::model::Outcome::Unavailable { .. } => p.unavailable += 1,
                    }
                    Some((ServerMessage::outcome(search_id, outcome), Some(p)))
                }
                None => {
                    let ms = p.started.elapsed().as_millis() as u64;
                    info!(
                        offers = p.offers,
                        unavailable = p.unavailable,
                        ms,
                        "search done"
                    );
                    Some((ServerMessage::Done { search_id }, None))
                }
            }
        }
        .instrument(span.clone())
    }))
}

/// How far a search's messages have got.
struct Progress {
    search: Fanout,
    started: Instant,
    offers: u32,
    unavailable: u32,
    span: tracing::Span,
}

/// A search dropped before `done` (cancelled, replaced, its socket or HTTP client gone) says
/// so once, in its own span, with how far it got.
impl Drop for Progress {
    fn drop(&mut self) {
        if self.search.is_cancelled() {
            info!(
                parent: &self.span,
                offers = self.offers,
                unavailable = self.unavailable,
                ms = self.started.elapsed().as_millis() as u64,
                "search cancelled"
            );
        }
    }
}
