//! What every handler shares.

use crate::booking::Bookings;
use crate::config::Config;
use crate::guards::origin::OriginPolicy;
use crate::guards::session::SessionKeys;
use crate::guide::ShippingGuide;
use crate::limits::{Callers, ClientLimits};
use crate::search::SearchService;
use crate::sentry_tunnel::Tunnel;
use crate::shared::Shared;
use crate::stats::Stats;
use app::sentry::{ClientTelemetry, Dsn};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub search: Arc<SearchService>,
    pub origins: Arc<OriginPolicy>,
    pub stats: Arc<Stats>,
    /// Cancelled on SIGTERM/SIGINT: sockets then close with 1001.
    pub shutdown: CancellationToken,
    /// `None` when error reporting is off.
    pub tunnel: Option<Arc<Tunnel>>,
    /// What the page needs to report its own errors.
    pub telemetry: ClientTelemetry,
    pub limits: Arc<ClientLimits>,
    /// Who a request counts as for `limits`.
    pub clients: Callers,
    /// Redis, when `REDIS_URL` shares cache and budgets between instances.
    pub shared: Option<Arc<Shared>>,
    pub socket_timeouts: crate::search::clocks::Timeouts,
    pub bookings: Arc<Bookings>,
}

impl AppState {
    pub fn new(
        config: &Config,
        guide: Arc<dyn ShippingGuide>,
        shared: Option<Arc<Shared>>,
    ) -> Self {
        let stats = Arc::new(Stats::default());
        let dsn = config.sentry_dsn.as_deref().and_then(Dsn::parse);
        let tunnel = dsn
            .clone()
            .map(|dsn| Arc::new(Tunnel::new(dsn, config.report_timeout, stats.clone())));
        Self {
            leptos_options: config.leptos.clone(),
            search: Arc::new(SearchService::new(
                guide,
                config.quote_timeout,
                config.clock,
                stats.clone(),
            )),
            origins: Arc::new(config.origins.clone()),
            stats: stats.clone(),
            shutdown: CancellationToken::new(),
            telemetry: ClientTelemetry {
                dsn: dsn.as_ref().map(Dsn::public),
                release: config.release.clone(),
                environment: config.environment.clone(),
                debug_panic: config.debug_panic,
            },
            tunnel,
            limits: Arc::new(ClientLimits::new(
                config.limits,
                stats.clone(),
                shared.clone(),
            )),
            clients: Callers::new(
                config.client_ip_header.clone(),
                config
                    .session_secret
                    .as_ref()
                    .map_or_else(SessionKeys::random, |secret| {
                        SessionKeys::new(secret.expose().as_bytes())
                    }),
            ),
            shared,
            socket_timeouts: crate::search::clocks::Timeouts::default(),
            bookings: Arc::new(crate::booking::from_config(config, stats.clone())),
        }
    }
}

impl FromRef<AppState> for crate::search::socket::SocketNeeds {
    fn from_ref(state: &AppState) -> Self {
        Self {
            origins: state.origins.clone(),
            stats: state.stats.clone(),
            limits: state.limits.clone(),
            search: state.search.clone(),
            timeouts: state.socket_timeouts,
            shutdown: state.shutdown.clone(),
        }
    }
}

impl FromRef<AppState> for crate::booking::pages::BookingNeeds {
    fn from_ref(state: &AppState) -> Self {
        Self {
            search: state.search.clone(),
            limits: state.limits.clone(),
            bookings: state.bookings.clone(),
        }
    }
}
