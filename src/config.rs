//! Environment → Config (docs/architecture.md §10). Every variable is optional; bad values stop start-up with
//! a message naming the variable.

use crate::guide::bring::{BringSettings, DEFAULT_API_URL};
use crate::limits;
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
    /// `SENTRY_ENVIRONMENT`, else `development` under `cargo leptos watch`, `production` otherwise.
    pub environment: String,
    pub release: String,
    /// `PROMOTIONS_DEBUG_PANIC=1` lets `?debug_panic=1` panic the page, for error-reporting tests.
    pub debug_panic: bool,
    /// Searches and sockets per browser session and per network address.
    pub limits: limits::Settings,
    /// How long sending one error report upstream may take (the SDK's and the tunnel's).
    pub report_timeout: Duration,
    /// `CLIENT_IP_HEADER` (e.g. `X-Forwarded-For`): behind a reverse proxy, where the per-client
    /// limits find the client's address. Set it only if clients cannot reach the server directly.
    pub client_ip_header: Option<HeaderName>,
    /// `BRING_API_UID` + `BRING_API_KEY` (and the other `BRING_*`): quote on Bring's API
    /// instead of the simulator.
    pub bring: Option<BringSettings>,
    /// `QUOTE_CACHE_TTL_SECS`: how long a quote is reused; `None` (0) = no cache. Default
    /// 15 minutes on Bring, off on the simulator (so its latencies stay visible).
    pub quote_cache_ttl: Option<Duration>,
    /// `REDIS_URL` (may hold a password): the quote cache and the search budgets shared by
    /// every instance. Unset: each instance keeps its own.
    pub redis_url: Option<Secret>,
}

/// A credential: readable only through [`Secret::expose`], never printed by `{:?}`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
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

fn limits() -> Result<limits::Settings, String> {
    let default = limits::Settings::default();
    Ok(limits::Settings {
        searches_per_minute: count("SEARCHES_PER_MINUTE", default.searches_per_minute)?,
        searches_per_minute_per_address: count(
            "SEARCHES_PER_MINUTE_PER_ADDRESS",
            default.searches_per_minute_per_address,
        )?,
        max_sockets_per_session: count(
            "MAX_SOCKETS_PER_SESSION",
            default.max_sockets_per_session as u32,
        )? as usize,
        max_sockets_per_ip: count("MAX_SOCKETS_PER_IP", default.max_sockets_per_ip as u32)?
            as usize,
    })
}

/// Bring's settings when both credentials are set; one without the other is a mistake.
fn bring(
    public_origin: Option<String>,
    leptos: &LeptosOptions,
) -> Result<Option<BringSettings>, String> {
    let (uid, key) = match (var("BRING_API_UID"), var("BRING_API_KEY")) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(missing("BRING_API_KEY", "BRING_API_UID")),
        (None, Some(_)) => return Err(missing("BRING_API_UID", "BRING_API_KEY")),
        (Some(uid), Some(key)) => (uid, key),
    };
    let api_url = var("BRING_API_URL").unwrap_or_else(|| DEFAULT_API_URL.into());
    if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
        return Err(format!(
            "BRING_API_URL={api_url:?}: expected an http(s) URL such as {DEFAULT_API_URL}"
        ));
    }
    Ok(Some(BringSettings {
        api_url,
        uid: Secret::new(uid.trim()),
        key: Secret::new(key.trim()),
        client_url: var("BRING_CLIENT_URL")
            .or(public_origin)
            .unwrap_or_else(|| format!("http://{}", leptos.site_addr)),
        customer_number: var("BRING_CUSTOMER_NUMBER").map(|n| n.trim().to_owned()),
        max_rps: count("BRING_MAX_RPS", 50)? as usize,
    }))
}

fn missing(name: &str, set: &str) -> String {
    format!(
        "{name} is missing: {set} is set, and Bring's API needs both (set neither for the built-in simulator)"
    )
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
        // Production unless `cargo leptos watch` runs the server (it sets LEPTOS_WATCH): only
        // then does the page allow the live-reload socket. LEPTOS_ENV cannot relax a release.
        let development = var("LEPTOS_WATCH").is_some();
        leptos.env = if development { Env::DEV } else { Env::PROD };
        // cargo-leptos tells the build whether it names the assets with content hashes; the
        // binary started on its own must know it too.
        if var("LEPTOS_HASH_FILES").is_none() {
            leptos.hash_files = option_env!("LEPTOS_HASH_FILES") == Some("true");
        }
        let origins = OriginPolicy::new(&public)?;
        let sentry_dsn = var("SENTRY_DSN");
        if let Some(dsn) = &sentry_dsn
            && app::sentry::Dsn::parse(dsn).is_none()
        {
            return Err(format!(
                "SENTRY_DSN={dsn:?}: expected https://<key>@<host>/<project-id>"
            ));
        }
        let bring = bring(public.first().cloned(), &leptos)?;
        let cache_default = if bring.is_some() { 15 * 60 } else { 0 };
        let quote_cache_ttl = match count("QUOTE_CACHE_TTL_SECS", cache_default)? {
            0 => None,
            secs => Some(Duration::from_secs(secs.into())),
        };
        Ok(Config {
            redis_url: var("REDIS_URL").map(|url| Secret::new(url.trim())),
            bring,
            quote_cache_ttl,
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
            limits: limits()?,
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
