//! `POST /api/sentry-tunnel`: the browser's error reports reach Sentry through the app's own
//! origin, because networks that break WebSockets often block third-party hosts too
//! (Sentry's documented tunnel). Never an open relay: only envelopes for the configured DSN's
//! host and project are forwarded, raw, in the background; size and rate are limited.

use crate::limits::ClientAddress;
use crate::limits::{PerMinute, SessionKey};
use crate::stats::{Gauge, Stats};
use app::sentry::{Dsn, envelope_header};
use axum::body::{Bytes, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub const MAX_ENVELOPE_BYTES: usize = 200 * 1024;
/// Envelopes one browser session (without the cookie: one address) may send per minute.
pub const PER_MINUTE: u32 = 30;

pub struct Tunnel {
    dsn: Dsn,
    http: reqwest::Client,
    per_session: PerMinute<SessionKey>,
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
            per_session: PerMinute::new(PER_MINUTE),
            stats,
        }
    }

    fn forward(&self, body: Bytes) {
        let request = self
            .http
            .post(self.dsn.envelope_url())
            .header("content-type", "application/x-sentry-envelope")
            .body(body);
        let in_flight = Gauge::enter(&self.stats, |s| &s.reports_in_flight);
        tokio::spawn(async move {
            let _in_flight = in_flight;
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
    State(clients): State<ClientAddress>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: Request,
) -> (StatusCode, &'static str) {
    let Some(tunnel) = &tunnel else {
        return (StatusCode::NOT_FOUND, "error reporting is off");
    };
    if tunnel
        .per_session
        .check(&clients.caller(peer.ip(), &headers).session_key())
        .is_err()
    {
        return (StatusCode::TOO_MANY_REQUESTS, "too many reports");
    }
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
        tracing::warn!(host = %dsn.host, project = %dsn.project_id, "sentry tunnel: foreign dsn refused");
        return (StatusCode::FORBIDDEN, "unknown dsn");
    }
    tunnel.forward(body);
    (StatusCode::OK, "")
}
