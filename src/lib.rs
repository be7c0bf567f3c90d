//! The promotions server: the Leptos page, its server functions, `/ws/promotions` and
//! `/healthz`. `main.rs` only wires configuration, logging and shutdown around [`router`].

// Deep view types when components are not erased (see .cargo/config.toml).
#![recursion_limit = "256"]
pub mod config;
pub mod guide;
pub mod origin;
pub mod route;
pub mod same_origin;
pub mod search;
pub mod sentry_tunnel;
pub mod state;
pub mod stats;
pub mod telemetry;
pub mod ws;

use app::api::backend::Backend;
use app::{App, shell};
use axum::Router;
use axum::extract::State;
use axum::handler::Handler;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use state::AppState;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

async fn healthz(State(state): State<AppState>) -> axum::Json<stats::Snapshot> {
    axum::Json(state.stats.snapshot())
}

pub fn router(state: AppState) -> Router {
    with_layers(routes(&state), state)
}

/// Every route of the site, without the layers.
pub fn routes(state: &AppState) -> Router<AppState> {
    let routes = generate_route_list(App);
    let backend: Backend = state.search.clone();
    let telemetry = state.telemetry.clone();
    let options = state.leptos_options.clone();
    // Static files are compressed; the page itself is not, so its stream is never held back.
    let files =
        leptos_axum::file_and_error_handler::<AppState, _>(shell).layer(CompressionLayer::new());
    Router::new()
        .route("/ws/promotions", get(ws::handler))
        .route("/healthz", get(healthz))
        .route("/api/sentry-tunnel", post(sentry_tunnel::handler))
        .leptos_routes_with_context(
            state,
            routes,
            move || {
                provide_context(backend.clone());
                provide_context(telemetry.clone());
            },
            move || shell(options.clone()),
        )
        .fallback(files)
}

/// The layers every route gets: the same-origin check for `/api`, panics as 500s (Sentry's
/// panic hook reports them), request tracing.
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .layer(middleware::from_fn_with_state(
            state.clone(),
            same_origin::guard,
        ))
        .layer(CatchPanicLayer::new())
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
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
