//! The promotions server: the Leptos page, its server functions, `/ws/promotions` and
//! `/healthz`. `main.rs` only wires configuration, logging and shutdown around [`router`].

// Deep view types when components are not erased (see .cargo/config.toml).
#![recursion_limit = "256"]
pub mod assets;
pub mod backend;
pub mod booking;
pub mod clock;
pub mod config;
pub mod guards;
pub mod guide;
pub mod html_compression;
pub mod layers;
pub mod limits;
pub mod log_throttle;
pub mod pickup;
pub mod route;
pub mod search;
pub mod secret;
pub mod sentry_tunnel;
pub mod shared;
pub mod state;
pub mod stats;
pub mod telemetry;

use app::api::backend::Backend;
use app::shell;
use axum::Router;
use axum::extract::{Request, State};
use axum::routing::{get, post};
pub use layers::with_layers;
use leptos::prelude::provide_context;
use state::AppState;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;

async fn healthz(
    State(stats): State<Arc<stats::Stats>>,
    State(search): State<Arc<search::SearchService>>,
    State(shared): State<Option<Arc<shared::Shared>>>,
    State(bookings): State<Arc<booking::Bookings>>,
) -> axum::Json<stats::Health> {
    let redis = shared.map_or(stats::RedisStatus::Off, |s| s.status());
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
        .route(app::protocol::SOCKET_PATH, get(search::socket::handler))
        .route(stats::HEALTH_PATH, get(healthz))
        .route("/", get(page.clone()))
        .route("/diagnostics", get(page))
        .merge(booking_routes(render))
        .route(app::api::SEARCH_PATH, post(search::stream::handler))
        .route("/api/{*server_fn}", post(server_fns))
        .fallback(not_found)
        // A search request is well under 1 KiB; nothing but the tunnel takes more than this.
        .layer(RequestBodyLimitLayer::new(layers::MAX_BODY_BYTES))
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
