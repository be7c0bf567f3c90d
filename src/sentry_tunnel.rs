//! `POST /api/sentry-tunnel`: the browser's error reports reach Sentry through the app's own
//! origin, because networks that break WebSockets often block third-party hosts too
//! (Sentry's documented tunnel). Never an open relay: only envelopes for the configured DSN's
//! host and project are forwarded, raw, in the background; size, rate per address and the
//! forwards in flight are limited.

use crate::limits::{Caller, ClientKey, PerMinute};
use crate::stats::{Gauge, Stats};
use app::sentry::{Dsn, envelope_header};
use axum::Extension;
use axum::body::{Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub const MAX_ENVELOPE_BYTES: usize = 200 * 1024;
/// Envelopes one network address may send per minute, whatever cookies it shows: a page
/// reports a handful per visit, an office of them a few dozen.
pub const PER_MINUTE: u32 = 30;
/// Forwards under way at once: a slow or hanging ingest holds at most this many connections
/// and tasks; past it reports are refused (503) until one ends.
pub const MAX_IN_FLIGHT: usize = 16;

pub struct Tunnel {
    dsn: Dsn,
    http: reqwest::Client,
    per_address: PerMinute<ClientKey>,
    in_flight: Arc<Semaphore>,
    stats: Arc<Stats>,
}

impl Tunnel {
    /// `timeout`: how long one forward may take; the ingest is an upstream like any other.
    pub fn new(dsn: Dsn, timeout: Duration, stats: Arc<Stats>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        Self {
            dsn,
            http,
            per_address: PerMinute::new(PER_MINUTE),
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            stats,
        }
    }

    fn forward(&self, body: Bytes, permit: OwnedSemaphorePermit) {
        let request = self
            .http
            .post(self.dsn.envelope_url())
            .header("content-type", "application/x-sentry-envelope")
            .body(body);
        let in_flight = Gauge::enter(&self.stats, |s| &s.reports_in_flight);
        tokio::spawn(async move {
            let (_in_flight, _permit) = (in_flight, permit);
            match request.send().await {
                Ok(resp) if resp.status().is_success() => {}
                // Not `error!`: that would become a Sentry event about Sentry.
                Ok(resp) => {
                    tracing::warn!(status = %resp.status(), "sentry tunnel: ingest refused an envelope")
                }
                Err(e) => tracing::warn!(error = %e, "sentry tunnel: ingest unreachable"),
            }
        });
    }
}

pub async fn handler(
    // Only what it needs of the app's state (axum's FromRef sub-states).
    State(tunnel): State<Option<Arc<Tunnel>>>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> (StatusCode, &'static str) {
    let Some(tunnel) = &tunnel else {
        return (StatusCode::NOT_FOUND, "error reporting is off");
    };
    if tunnel.per_address.check(&caller.address).is_err() {
        return (StatusCode::TOO_MANY_REQUESTS, "too many reports");
    }
    let Ok(permit) = tunnel.in_flight.clone().try_acquire_owned() else {
        crate::log_throttle::warn_throttled!(
            "sentry tunnel: {MAX_IN_FLIGHT} forwards under way; report refused"
        );
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many reports under way",
        );
    };
    let Ok(body) = to_bytes(request.into_body(), MAX_ENVELOPE_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "envelope too large");
    };
    let Some(dsn) = envelope_header(&body)
        .and_then(|h| h.dsn)
        .and_then(|d| Dsn::parse(&d))
    else {
        return (StatusCode::BAD_REQUEST, "not a sentry envelope with a dsn");
    };
    if !dsn.same_target(&tunnel.dsn) {
        crate::log_throttle::warn_throttled!(host = %dsn.host, project = %dsn.project_id, "sentry tunnel: foreign dsn refused");
        return (StatusCode::FORBIDDEN, "unknown dsn");
    }
    tunnel.forward(body, permit);
    (StatusCode::OK, "")
}
