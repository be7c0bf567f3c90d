//! The server functions' view of the server (`app::api::backend`): searches run on the
//! search service and count against the calling client's rate, the same budget the socket
//! uses. Pages rendered on the server call the same functions, so a crawler hammering search
//! URLs is limited too.

use crate::limits::{Caller, RetryAfter, Tier};
use crate::route::route_class;
use crate::state::AppState;
use app::api::backend::{Admission, SearchBackend};
use app::error::ApiError;
use app::error::FieldError;
use app::i18n::Texts;
use app::model::{Outcome, ProductId, SearchRequest};
use axum::http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tracing::info;

/// The caller [`crate::limits::identify`] found for the request Leptos is serving. There is
/// always one on a request the router served; without one nothing is counted, so nothing runs
/// (logged once: it would be a wiring mistake, not a client's).
fn caller() -> Result<Caller, ApiError> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().copied())
        .ok_or_else(|| {
            static WARNED: AtomicBool = AtomicBool::new(false);
            if !WARNED.swap(true, Ordering::Relaxed) {
                tracing::error!("a search came without its caller: refused (logged once)");
            }
            ApiError::Server {
                message: "the server cannot tell who is asking".into(),
            }
        })
}

/// Refused (429 with `Retry-After`), with the message the page shows, in its words.
fn refuse(retry: RetryAfter, response: Option<ResponseOptions>, t: Texts) -> ApiError {
    retry.api_error(t).respond_on(response, Some(retry.secs()))
}

impl SearchBackend for AppState {
    // The request's context is read before the first await: Leptos context is not there
    // after it.
    fn admit_search(&self, request: &SearchRequest) -> Admission {
        let (caller, response) = (caller(), use_context::<ResponseOptions>());
        let (limits, request, t) = (self.limits.clone(), request.clone(), Texts::of_this_page());
        Box::pin(async move {
            let caller = caller.map_err(|e| e.respond_on(response.clone(), None))?;
            limits
                .search(caller, Tier::Http, &request)
                .await
                .map_err(|retry| refuse(retry, response, t))
        })
    }

    fn admit_quote(&self) -> Admission {
        let (caller, response) = (caller(), use_context::<ResponseOptions>());
        let (limits, t) = (self.limits.clone(), Texts::of_this_page());
        Box::pin(async move {
            let caller = caller.map_err(|e| e.respond_on(response.clone(), None))?;
            limits
                .quote(caller)
                .await
                .map_err(|retry| refuse(retry, response, t))
        })
    }

    fn start_search(
        &self,
        request: &SearchRequest,
    ) -> Result<(SearchRequest, Vec<ProductId>), FieldError> {
        let (request, products) = self.plan(request)?;
        info!(
            tier = "http",
            route = %route_class(&request),
            products = products.len(),
            "search started"
        );
        Ok((request, products))
    }

    fn plan(&self, request: &SearchRequest) -> Result<(SearchRequest, Vec<ProductId>), FieldError> {
        self.search.plan(request)
    }

    // Each product of an HTTP search is its own request, possibly to another instance: its
    // line is the search's end as far as the server can tell.
    fn quote(
        &self,
        request: SearchRequest,
        product: ProductId,
        t: Texts,
    ) -> Pin<Box<dyn Future<Output = Outcome> + Send>> {
        let (route, started) = (route_class(&request), Instant::now());
        // The caller was checked by `admit_quote`; its address takes the budget's turns.
        let address = caller().ok().map(|caller| caller.address);
        let quote = self.search.quote(&request, &product, t, address);
        Box::pin(async move {
            let outcome = quote.await;
            let offered = matches!(outcome, Outcome::Offer { .. });
            info!(
                tier = "http",
                %route,
                %product,
                offered,
                ms = started.elapsed().as_millis() as u64,
                "quote done"
            );
            outcome
        })
    }
}
