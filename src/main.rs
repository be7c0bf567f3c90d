//! Wiring only: configuration, logging, the shipping guide, the router, serving and shutdown.

use promotions::config::Config;
use promotions::shared::Shared;
use promotions::state::AppState;
use std::net::SocketAddr;

#[tokio::main]
async fn main() {
    promotions::telemetry::init_tracing();
    let config = match Config::from_args() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("promotions: {e}");
            std::process::exit(2);
        }
    };
    let _sentry = promotions::telemetry::init_sentry(&config);
    let shared = match config
        .redis_url
        .as_ref()
        .map(|url| Shared::connect(url.expose()))
    {
        None => None,
        Some(Ok(shared)) => Some(shared),
        Some(Err(e)) => {
            eprintln!("promotions: {e}");
            std::process::exit(2);
        }
    };
    let guide = match config.guide(shared.clone()) {
        Ok(guide) => guide,
        Err(e) => {
            eprintln!("promotions: {e}");
            std::process::exit(2);
        }
    };
    let cache_ttl_secs = config.quote_cache_ttl.map_or(0, |t| t.as_secs());
    match &config.bring {
        Some(bring) => tracing::info!(
            api_url = %bring.api_url,
            client_url = %bring.client_url,
            net_prices = bring.customer_number.is_some(),
            max_rps = bring.max_rps,
            cache_ttl_secs,
            "shipping guide: Bring's Shipping Guide API"
        ),
        None => tracing::info!(
            latency_scale = config.latency_scale,
            failure_rate = config.failure_rate,
            cache_ttl_secs,
            "shipping guide: built-in simulator"
        ),
    }
    report_deployment(&config);
    let state = AppState::new(&config, guide, shared);
    // A database that cannot be opened or migrated stops the start, not the first booking.
    if let Err(e) = state.bookings.store.ready().await {
        eprintln!("promotions: {e}");
        std::process::exit(2);
    }
    tracing::info!(
        database = state.bookings.store.kind(),
        "bookings: {} database ready",
        state.bookings.store.kind()
    );
    let shutdown = state.shutdown.clone();
    let stats = state.stats.clone();
    let app = promotions::router(state);

    let addr = config.leptos.site_addr;
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("promotions: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    tracing::info!("listening on http://{addr}");
    let signal = async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        shutdown.cancel();
    };
    if let Err(e) = axum::serve(
        promotions::without_nagle(listener),
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .await
    {
        tracing::error!(error = %e, "server error");
    }
    // Upgraded sockets outlive the HTTP server: let them drain and close with 1001 first.
    let deadline = std::time::Instant::now()
        + promotions::search::clocks::DRAIN_LIMIT
        + std::time::Duration::from_secs(2);
    while stats.sockets.load(std::sync::atomic::Ordering::Relaxed) > 0
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// What an operator should hear at start: the mode, and any step of the deployment missed.
fn report_deployment(config: &Config) {
    use promotions::assets::Readiness;
    tracing::info!(environment = %config.environment, "mode: {:?}", config.leptos.env);
    match promotions::assets::readiness(&config.leptos) {
        Readiness::Production => tracing::info!("assets: hashed names, brotli and gzip copies"),
        Readiness::Unoptimised(why) => tracing::warn!("assets: {why}"),
        Readiness::Missing(why) => tracing::error!("assets: {why}"),
    }
    if config.session_secret.is_none() {
        tracing::warn!(
            "SESSION_SECRET is unset: session cookies are signed with a key made at start, so they end with this process and other instances do not accept them; set the same secret on every instance"
        );
    }
    if config.origins.is_open_to_own_host() {
        tracing::warn!(
            "PUBLIC_ORIGIN is unset: the socket admits pages from whatever host the request names; set it to the address customers use"
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
