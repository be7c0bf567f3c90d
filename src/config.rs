//! Environment → Config (DESIGN §10). Every variable is optional; bad values stop start-up with
//! a message naming the variable.

use crate::origin::OriginPolicy;
use axum::http::HeaderName;
use leptos::config::{LeptosOptions, get_configuration};
use leptos::prelude::Env;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub leptos: LeptosOptions,
    pub origins: OriginPolicy,
    pub latency_scale: f64,
    pub failure_rate: f64,
    pub quote_timeout: Duration,
    /// `SENTRY_DSN`, checked to be a DSN; `None` turns error reporting off.
    pub sentry_dsn: Option<String>,
    /// `SENTRY_ENVIRONMENT`, else `development` or `production` from `LEPTOS_ENV`.
    pub environment: String,
    pub release: String,
    /// `PROMOTIONS_DEBUG_PANIC=1` lets `?debug_panic=1` panic the page, for error-reporting tests.
    pub debug_panic: bool,
    /// `MAX_SOCKETS_PER_IP`: live sockets per client address (IPv6: per /64); 0 = no cap.
    pub max_sockets_per_ip: usize,
    /// `SEARCHES_PER_MINUTE`: searches per client address, socket and HTTP together; 0 = off.
    pub searches_per_minute: u32,
    /// How long sending one error report upstream may take (the SDK's and the tunnel's).
    pub report_timeout: Duration,
    /// `CLIENT_IP_HEADER` (e.g. `X-Forwarded-For`): behind a reverse proxy, where the per-client
    /// limits find the client's address. Set it only if clients cannot reach the server directly.
    pub client_ip_header: Option<HeaderName>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn count(name: &str, default: u32) -> Result<u32, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("{name}={v:?}: expected a whole number (0 turns it off)")),
    }
}

fn float(name: &str, default: f64, range: std::ops::RangeInclusive<f64>) -> Result<f64, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| range.contains(f))
            .ok_or_else(|| {
                format!(
                    "{name}={v:?}: expected a number in {}..={}",
                    range.start(),
                    range.end()
                )
            }),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let mut leptos = get_configuration(None)
            .map_err(|e| format!("Leptos configuration: {e}"))?
            .leptos_options;
        // A binary built without cargo-leptos still knows its own bundle's name.
        if leptos.output_name.is_empty() {
            leptos.output_name = "promotions".into();
        }
        let public: Vec<String> = var("PUBLIC_ORIGIN")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let development = matches!(leptos.env, Env::DEV);
        let origins = OriginPolicy::new(&public, development)?;
        let sentry_dsn = var("SENTRY_DSN");
        if let Some(dsn) = &sentry_dsn
            && app::sentry::Dsn::parse(dsn).is_none()
        {
            return Err(format!(
                "SENTRY_DSN={dsn:?}: expected https://<key>@<host>/<project-id>"
            ));
        }
        Ok(Config {
            leptos,
            origins,
            latency_scale: float("GUIDE_LATENCY_SCALE", 1.0, 0.0..=100.0)?,
            failure_rate: float("GUIDE_FAILURE_RATE", 0.0, 0.0..=1.0)?,
            quote_timeout: Duration::from_secs_f64(float(
                "GUIDE_TIMEOUT_SECS",
                10.0,
                0.001..=600.0,
            )?),
            sentry_dsn,
            environment: var("SENTRY_ENVIRONMENT").unwrap_or_else(|| {
                if development {
                    "development"
                } else {
                    "production"
                }
                .into()
            }),
            release: concat!("promotions@", env!("CARGO_PKG_VERSION")).into(),
            debug_panic: var("PROMOTIONS_DEBUG_PANIC").is_some_and(|v| v == "1"),
            max_sockets_per_ip: count("MAX_SOCKETS_PER_IP", 20)? as usize,
            searches_per_minute: count("SEARCHES_PER_MINUTE", 120)?,
            report_timeout: Duration::from_secs(10),
            client_ip_header: var("CLIENT_IP_HEADER")
                .map(|v| {
                    HeaderName::try_from(v.trim())
                        .map_err(|_| format!("CLIENT_IP_HEADER={v:?}: not a header name"))
                })
                .transpose()?,
        })
    }
}
