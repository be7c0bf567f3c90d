//! The layers every route gets, and the limits on a request they enforce.

use crate::guards::origin::OriginPolicy;
use crate::guards::same_origin;
use crate::limits::{Callers, ClientLimits};
use crate::stats::Stats;
use crate::{html_compression, limits};
use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

/// Request bodies on every route but the Sentry tunnel.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a client may take to send a request body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a response may take to start; a quote's own timeout is shorter.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// The layers every route gets: the same-origin check for `/api`, who the caller is (and a
/// session cookie for newcomers), panics as 500s (Sentry's panic hook reports them), a deadline for reading a
/// request body and for answering (slow clients cannot hold connections open), security and
/// cache headers (the HTML is revalidated on every visit; `/pkg` sets its own), the HTML compressed
/// as it streams, request tracing. Generic over the state so that this module, which the
/// handlers read the request limits from, needs no `AppState`.
pub fn with_layers<S>(routes: Router<S>, state: S) -> Router
where
    S: Clone + Send + Sync + 'static,
    Arc<OriginPolicy>: FromRef<S>,
    Callers: FromRef<S>,
    Arc<ClientLimits>: FromRef<S>,
    Arc<Stats>: FromRef<S>,
{
    routes
        .layer(middleware::from_fn_with_state(
            Arc::<OriginPolicy>::from_ref(&state),
            same_origin::guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::identify::identify,
        ))
        .layer(middleware::from_fn(html_compression::compress))
        .layer(CatchPanicLayer::new())
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            RESPONSE_TIMEOUT,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
