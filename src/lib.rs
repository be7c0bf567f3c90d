//! The promotions server: the Leptos page, its server functions, `/ws/promotions` and
//! `/healthz`. `main.rs` only wires configuration, logging and shutdown around [`router`].

// Deep view types when components are not erased (see .cargo/config.toml).
#![recursion_limit = "256"]
pub mod assets;
pub mod backend;
pub mod booking;
pub mod clock;
pub mod config;
pub mod guide;
pub mod html_compression;
pub mod limits;
pub mod log_throttle;
pub mod origin;
pub mod pickup;
pub mod route;
pub mod same_origin;
pub mod search;
pub mod search_start;
pub mod search_stream;
pub mod sentry_tunnel;
pub mod session;
pub mod shared;
pub mod state;
pub mod stats;
pub mod telemetry;
pub mod ws;

use app::api::backend::Backend;
use app::shell;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use state::AppState;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

/// Request bodies on every route but the Sentry tunnel.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a client may take to send a request body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a response may take to start; a quote's own timeout is shorter.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

async fn healthz(
    State(stats): State<Arc<stats::Stats>>,
    State(search): State<Arc<search::SearchService>>,
    State(shared): State<Option<Arc<shared::Shared>>>,
    State(bookings): State<Arc<booking::Bookings>>,
) -> axum::Json<stats::Health> {
    let redis = shared.map_or(shared::RedisStatus::Off, |s| s.status());
    let database = bookings.store.kind();
    axum::Json(stats::Health::now(
        &stats,
        search.guide_status(),
        redis,
        database,
    ))
}

/// The listener with Nagle's algorithm off for every connection: a search's last events are
/// small frames written back to back, and Nagle with the peer's delayed ACK held the last one
/// ~40 ms (seen in the soak test as a 44 ms p99).
pub fn without_nagle(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    fn no_delay(tcp: &mut tokio::net::TcpStream) {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot turn off Nagle's algorithm");
        }
    }
    listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream))
}

pub fn router(state: AppState) -> Router {
    with_layers(routes(&state), state)
}

/// Leptos' resources spawn their fetches on this: tokio (`Err` means it already is).
fn init_executor() {
    let _ = any_spawner::Executor::init_tokio();
}

/// Every route of the site, without the layers.
pub fn routes(state: &AppState) -> Router<AppState> {
    init_executor();
    let backend: Backend = Arc::new(state.clone());
    let telemetry = state.telemetry.clone();
    let front = app::diagnosis::seen::FrontProxy {
        client_ip_header: state.clients.header().map(ToString::to_string),
    };
    let options = state.leptos_options.clone();
    let context = move || {
        provide_context(backend.clone());
        provide_context(telemetry.clone());
        provide_context(front.clone());
    };
    let render = booking::pages::Render::new(context.clone(), options.clone());
    // Both pages streamed in order: header and form at once, then each card as it is found
    // (compressed chunk by chunk, never held back: `html_compression`).
    let page =
        leptos_axum::render_app_to_stream_in_order_with_context(context.clone(), move || {
            shell(options.clone())
        });
    let server_fns = move |request: Request| {
        leptos_axum::handle_server_fns_with_context(context.clone(), request)
    };
    // The 404 page (and any file outside `/pkg`).
    let not_found = leptos_axum::file_and_error_handler::<AppState, _>(shell);
    Router::new()
        .merge(assets::routes(&state.leptos_options))
        .route(app::protocol::SOCKET_PATH, get(ws::handler))
        .route(stats::HEALTH_PATH, get(healthz))
        .route("/", get(page.clone()))
        .route("/diagnostics", get(page))
        .merge(booking_routes(render))
        .route(app::api::SEARCH_PATH, post(search_stream::handler))
        .route("/api/{*server_fn}", post(server_fns))
        .fallback(not_found)
        // A search request is well under 1 KiB; nothing but the tunnel takes more than this.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Added after the layers above: error reports have their own, larger limit.
        .route(app::sentry::TUNNEL_PATH, post(sentry_tunnel::handler))
}

/// `/book`, `/booking/{id}` and its label (`booking::pages`).
fn booking_routes(render: booking::pages::Render) -> Router<AppState> {
    use booking::pages;
    Router::new()
        .route("/book", get(pages::form).post(pages::submit))
        .route("/booking/{id}", get(pages::confirmation))
        .route("/booking/{id}/label.pdf", get(pages::label))
        // What renders the pages, for the handlers that render one.
        .layer(axum::Extension(render))
}

/// The layers every route gets: the same-origin check for `/api`, who the caller is (and a
/// session cookie for newcomers), panics as 500s (Sentry's panic hook reports them), a deadline for reading a
/// request body and for answering (slow clients cannot hold connections open), security and
/// cache headers (the HTML is revalidated on every visit; `/pkg` sets its own), the HTML compressed
/// as it streams, request tracing.
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .layer(middleware::from_fn_with_state(
            state.origins.clone(),
            same_origin::guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::identify,
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
