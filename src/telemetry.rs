//! Logs and error reports: `tracing` to stdout, and to Sentry when `SENTRY_DSN` is set
//! (errors become events, warnings and info become breadcrumbs; panics become events).

use crate::config::Config;
use sentry::integrations::tracing::{BreadcrumbLayer, ErrorLayer};
use sentry::transports::ReqwestHttpTransportOptions;
use sentry::{Transport, TransportFactory, TransportOptions};
use std::sync::Arc;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer())
        .with(sentry_layer())
        .init();
}

/// `error` events become Sentry events; `info` and `warn` become breadcrumbs on them.
pub fn sentry_layer<S>() -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    ErrorLayer::new()
        .with_filter(LevelFilter::ERROR)
        .and_then(BreadcrumbLayer::new().with_filter(LevelFilter::INFO))
}

/// Sentry's HTTP transport with a client that has a deadline: by default it has none, and an
/// ingest that accepts a report and never answers would hold back every later one.
struct WithDeadline(reqwest::Client);

impl TransportFactory for WithDeadline {
    fn create_transport_with_options(&self, options: TransportOptions) -> Arc<dyn Transport> {
        Arc::new(
            ReqwestHttpTransportOptions::from(options)
                .with_client(self.0.clone())
                .build(),
        )
    }
}

/// Keep the guard for the life of the process: dropping it flushes pending events.
pub fn init_sentry(config: &Config) -> Option<sentry::ClientInitGuard> {
    let Some(dsn) = &config.sentry_dsn else {
        tracing::info!("error reporting off: SENTRY_DSN is not set");
        return None;
    };
    let http = reqwest::Client::builder()
        .timeout(config.report_timeout)
        .build()
        .unwrap_or_default();
    let guard = sentry::init(
        sentry::ClientOptions::new()
            .dsn(dsn)
            .transport(WithDeadline(http))
            .release(config.release.clone())
            .environment(config.environment.clone()),
    );
    tracing::info!(environment = %config.environment, "error reporting to Sentry is on");
    Some(guard)
}
