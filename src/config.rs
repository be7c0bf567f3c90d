//! The command line and environment → [`Config`] (docs/architecture.md §10). Every setting is
//! an environment variable (or the flag of the same name); `promotions --help` lists them with
//! their defaults. Bad values stop start-up with status 2 and a message naming the variable.

use crate::guards::origin::OriginPolicy;
use crate::guide::ShippingGuide;
use crate::guide::bring::{
    BringSettings, DEFAULT_API_URL, DEFAULT_BOOKING_URL, DEFAULT_PICKUP_POINT_URL,
};
use crate::limits;
use crate::secret::Secret;
use crate::shared::Shared;
use axum::http::HeaderName;
use clap::{CommandFactory, FromArgMatches, Parser};
use leptos::config::{LeptosOptions, get_configuration};
use leptos::prelude::Env;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Each field is named after its variable: clap derives the variable (`env`) and the value's
/// name from it, so errors and `--help` say which variable is wrong ("invalid value 'x' for
/// '--searches-per-minute <SEARCHES_PER_MINUTE>'").
#[derive(Parser, Debug)]
#[command(
    name = "promotions",
    version,
    about = "The promotions page of Fjordpost: every shipping service for a parcel, streamed over a WebSocket.",
    after_help = "Every option is also read from the environment variable shown; the flag wins. \
        RUST_LOG sets the log filter (default info). The other LEPTOS_* variables \
        (LEPTOS_SITE_ROOT, LEPTOS_SITE_PKG_DIR, LEPTOS_OUTPUT_NAME) say where the built site is, \
        as cargo-leptos sets them."
)]
struct Args {
    /// Address and port to listen on.
    #[arg(long, env, default_value = "127.0.0.1:3000")]
    leptos_site_addr: SocketAddr,
    /// The origins customers use (comma-separated, e.g. https://send.example.com): exactly these
    /// may open the socket; all https makes the session cookie Secure. Unset: any page served
    /// from the request's own host.
    #[arg(long, env, value_delimiter = ',')]
    public_origin: Vec<String>,
    /// Simulator: multiplies its latencies (0 = instant).
    #[arg(long, env, default_value_t = 1.0, value_parser = number(0.0, 100.0))]
    guide_latency_scale: f64,
    /// Simulator: share of quotes that fail (0.0–1.0).
    #[arg(long, env, default_value_t = 0.0, value_parser = number(0.0, 1.0))]
    guide_failure_rate: f64,
    /// How long one product's quote may take, in seconds.
    #[arg(long, env, default_value_t = 10.0, value_parser = number(0.001, 600.0))]
    guide_timeout_secs: f64,
    /// Where errors are reported (https://<key>@<host>/<project-id>). Unset: reporting is off.
    #[arg(long, env, value_parser = dsn)]
    sentry_dsn: Option<String>,
    /// Sentry's environment. Default: production, development under `cargo leptos watch`.
    #[arg(long, env)]
    sentry_environment: Option<String>,
    /// 1 (or true) lets `/?debug_panic=1` panic the page (for the error-reporting tests).
    #[arg(long, env, default_value = "0", action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    promotions_debug_panic: bool,
    /// Redis shared by every instance (cache and search budgets), e.g. redis://127.0.0.1:6379.
    /// Unset: each instance keeps its own.
    #[arg(long, env, hide_env_values = true)]
    redis_url: Option<String>,
    /// Searches per minute per browser session, socket and HTTP together (0 = off).
    #[arg(long, env, default_value_t = limits::Settings::default().searches_per_minute, value_parser = whole)]
    searches_per_minute: u32,
    /// Searches per minute of all sessions of one network address (0 = off).
    #[arg(long, env, default_value_t = limits::Settings::default().searches_per_minute_per_address, value_parser = whole)]
    searches_per_minute_per_address: u32,
    /// Live sockets per browser session, its tabs (0 = off).
    #[arg(long, env, default_value_t = limits::Settings::default().max_sockets_per_session as u32, value_parser = whole)]
    max_sockets_per_session: u32,
    /// New browser sessions handed to one network address per minute (0 = off); past it a
    /// request goes on without one, budgeted with the address's other cookie-less requests.
    #[arg(long, env, default_value_t = limits::Settings::default().new_sessions_per_minute_per_address, value_parser = whole)]
    new_sessions_per_minute_per_address: u32,
    /// The key that signs session cookies, at least 32 characters (e.g. `openssl rand -hex 32`);
    /// every instance of a deployment needs the same. Unset: one made at start (a warning
    /// says so), and sessions end with the process.
    #[arg(long, env, hide_env_values = true, value_parser = session_secret)]
    session_secret: Option<String>,
    /// Where bookings are kept: postgres://user:password@host/db. Unset: the SQLite file
    /// bookings.sqlite3 under DATA_DIR.
    #[arg(long, env, hide_env_values = true, value_parser = database_url)]
    database_url: Option<String>,
    /// The directory of the embedded database (made if missing).
    #[arg(long, env, default_value = "data")]
    data_dir: std::path::PathBuf,
    /// Booking simulator: share of bookings that fail as an unavailable service would (0.0–1.0).
    #[arg(long, env, default_value_t = 0.0, value_parser = number(0.0, 1.0))]
    booking_simulator_failure_rate: f64,
    /// Live sockets per network address, IPv6 per /64 (0 = off).
    #[arg(long, env, default_value_t = limits::Settings::default().max_sockets_per_ip as u32, value_parser = whole)]
    max_sockets_per_ip: u32,
    /// Behind a reverse proxy: the header it puts the client's address in (e.g.
    /// X-Forwarded-For; the right-most address counts). Set it only if clients cannot bypass the proxy.
    #[arg(long, env, value_parser = header_name)]
    client_ip_header: Option<HeaderName>,
    /// The Mybring login: with BRING_API_KEY, quote on Bring's Shipping Guide API instead of the simulator.
    #[arg(long, env, hide_env_values = true)]
    bring_api_uid: Option<String>,
    /// Bring's API key (with BRING_API_UID).
    #[arg(long, env, hide_env_values = true)]
    bring_api_key: Option<String>,
    /// Bring's base URL; quotes go to {base}/v2/products.
    #[arg(long, env, default_value = DEFAULT_API_URL, value_parser = http_url)]
    bring_api_url: String,
    /// Sent to Bring as X-Bring-Client-URL. Default: the first PUBLIC_ORIGIN, else http://<LEPTOS_SITE_ADDR>.
    #[arg(long, env)]
    bring_client_url: Option<String>,
    /// Bring adds this customer's net price, which the page then shows.
    #[arg(long, env)]
    bring_customer_number: Option<String>,
    /// Requests per second to Bring from this instance (0 = off).
    #[arg(long, env, default_value_t = 50, value_parser = whole)]
    bring_max_rps: u32,
    /// Bring's Pickup Point API; points come from {base}/api/pickuppoint/{country}/postalCode/{code}.json.
    #[arg(long, env, default_value = DEFAULT_PICKUP_POINT_URL, value_parser = http_url)]
    bring_pickup_point_url: String,
    /// Pickup point lookups per minute from this instance (Bring allows 60 per address).
    #[arg(long, env, default_value_t = 60, value_parser = whole)]
    bring_pickup_points_per_minute: u32,
    /// Bring's Booking API; bookings go to {base}/api/booking (needs BRING_CUSTOMER_NUMBER).
    #[arg(long, env, default_value = DEFAULT_BOOKING_URL, value_parser = http_url)]
    bring_booking_url: String,
    /// 1 (or true): real bookings. Otherwise every booking carries Bring's testIndicator.
    #[arg(long, env, default_value = "0", action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    bring_booking_live: bool,
    /// The instant the shipping-day clock starts at (RFC 3339, e.g. 2026-12-24T14:55:00+01:00),
    /// running on from there: for staging and tests of cut-off times. Unset: the real time.
    #[arg(long, env, value_parser = crate::clock::Clock::parse)]
    clock_start: Option<crate::clock::Clock>,
    /// How long a quote is reused, in seconds (0 = no cache). Default: 900 on Bring, 0 on the simulator.
    #[arg(long, env, value_parser = whole)]
    quote_cache_ttl_secs: Option<u32>,
}

fn whole(v: &str) -> Result<u32, String> {
    v.trim()
        .parse()
        .map_err(|_| "expected a whole number (0 turns it off)".to_owned())
}

fn number(min: f64, max: f64) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync {
    move |v| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| (min..=max).contains(f))
            .ok_or_else(|| format!("expected a number in {min}..={max}"))
    }
}

fn dsn(v: &str) -> Result<String, String> {
    app::sentry::Dsn::parse(v.trim())
        .map(|_| v.trim().to_owned())
        .ok_or_else(|| "expected https://<key>@<host>/<project-id>".to_owned())
}

/// A URL sqlx can connect with, PostgreSQL's or SQLite's (its own message says what is wrong).
fn database_url(v: &str) -> Result<String, String> {
    use std::str::FromStr;
    sqlx::any::install_default_drivers();
    let url = v.trim();
    if !["postgres:", "postgresql:", "sqlite:"]
        .iter()
        .any(|s| url.starts_with(s))
    {
        return Err("expected postgres://user:password@host/database or sqlite://path".into());
    }
    sqlx::any::AnyConnectOptions::from_str(url)
        .map(|_| url.to_owned())
        .map_err(|e| e.to_string())
}

fn session_secret(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.len() >= crate::guards::session::MIN_SECRET_LEN {
        Ok(v.to_owned())
    } else {
        Err(format!(
            "expected at least {} characters (e.g. `openssl rand -hex 32`)",
            crate::guards::session::MIN_SECRET_LEN
        ))
    }
}

fn header_name(v: &str) -> Result<HeaderName, String> {
    HeaderName::try_from(v.trim()).map_err(|_| "not a header name".to_owned())
}

fn http_url(v: &str) -> Result<String, String> {
    let v = v.trim();
    if v.starts_with("https://") || v.starts_with("http://") {
        Ok(v.to_owned())
    } else {
        Err(format!("expected an http(s) URL such as {DEFAULT_API_URL}"))
    }
}

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
    /// `SESSION_SECRET`: signs the session cookies; `None`: a key made at start.
    pub session_secret: Option<Secret>,
    /// `DATABASE_URL` (may hold a password): PostgreSQL for bookings; `None`: SQLite in `data_dir`.
    pub database_url: Option<Secret>,
    pub data_dir: std::path::PathBuf,
    pub booking_failure_rate: f64,
    /// `CLOCK_START`: the clock cut-offs and shipping dates are read from.
    pub clock: crate::clock::Clock,
}

impl Config {
    /// The guide the configuration asks for, behind the quote cache when it has a time to live
    /// (shared through Redis when there is one).
    pub fn guide(&self, shared: Option<Arc<Shared>>) -> Result<Arc<dyn ShippingGuide>, String> {
        let guide: Arc<dyn ShippingGuide> = match &self.bring {
            Some(settings) => Arc::new(crate::guide::bring::Bring::new(
                settings,
                self.quote_timeout,
            )?),
            None => Arc::new(crate::guide::simulator::Simulator::new(
                self.latency_scale,
                self.failure_rate,
            )),
        };
        Ok(match self.quote_cache_ttl {
            Some(ttl) => Arc::new(crate::guide::cache::QuoteCache::new(guide, ttl, shared)),
            None => guide,
        })
    }
}

/// Bring's settings when both credentials are set; one without the other is a mistake.
fn bring(args: &Args, public_origin: Option<&String>) -> Result<Option<BringSettings>, String> {
    let (uid, key) = match (&args.bring_api_uid, &args.bring_api_key) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(missing("BRING_API_KEY", "BRING_API_UID")),
        (None, Some(_)) => return Err(missing("BRING_API_UID", "BRING_API_KEY")),
        (Some(uid), Some(key)) => (uid, key),
    };
    Ok(Some(BringSettings {
        api_url: args.bring_api_url.clone(),
        uid: Secret::new(uid.trim()),
        key: Secret::new(key.trim()),
        client_url: args
            .bring_client_url
            .clone()
            .or_else(|| public_origin.cloned())
            .unwrap_or_else(|| format!("http://{}", args.leptos_site_addr)),
        customer_number: args
            .bring_customer_number
            .as_ref()
            .map(|n| n.trim().to_owned()),
        max_rps: args.bring_max_rps as usize,
        pickup_point_url: args.bring_pickup_point_url.clone(),
        pickup_points_per_minute: args.bring_pickup_points_per_minute,
        booking_url: args.bring_booking_url.clone(),
        booking_live: args.bring_booking_live,
    }))
}

fn missing(name: &str, set: &str) -> String {
    format!(
        "{name} is missing: {set} is set, and Bring's API needs both (set neither for the built-in simulator)"
    )
}

/// Set and not blank.
fn set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.to_string_lossy().trim().is_empty())
}

/// The parser, minus the variables that are set but blank: `VAR=` means unset here, as
/// scripts that pass a variable on write it, where clap would take "" as the value.
fn command() -> clap::Command {
    let mut command = Args::command();
    let blank: Vec<clap::Id> = command
        .get_arguments()
        .filter(|arg| {
            arg.get_env().is_some_and(|name| {
                std::env::var_os(name).is_some() && !set(&name.to_string_lossy())
            })
        })
        .map(|arg| arg.get_id().clone())
        .collect();
    for id in blank {
        command = command.mut_arg(id, |arg| arg.env(None::<&str>));
    }
    command
}

impl Config {
    /// From the command line and the environment; `--help`, `--version` and bad values end
    /// the process here (status 0, 0 and 2).
    pub fn from_args() -> Result<Config, String> {
        let matches = command().get_matches();
        Self::from_parsed(Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
    }

    /// From the environment alone (the tests, whose command line is the test harness's).
    pub fn from_env() -> Result<Config, String> {
        command()
            .try_get_matches_from(["promotions"])
            .and_then(|matches| Args::from_arg_matches(&matches))
            .map_err(|e| e.render().to_string())
            .and_then(Self::from_parsed)
    }

    fn from_parsed(args: Args) -> Result<Config, String> {
        let mut leptos = get_configuration(None)
            .map_err(|e| format!("Leptos configuration: {e}"))?
            .leptos_options;
        leptos.site_addr = args.leptos_site_addr;
        // A binary built without cargo-leptos still knows its own bundle's name.
        if leptos.output_name.is_empty() {
            leptos.output_name = "promotions".into();
        }
        let public: Vec<String> = args
            .public_origin
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        // Production unless `cargo leptos watch` runs the server (it sets LEPTOS_WATCH): only
        // then does the page allow the live-reload socket. LEPTOS_ENV cannot relax a release.
        let development = set("LEPTOS_WATCH");
        leptos.env = if development { Env::DEV } else { Env::PROD };
        // cargo-leptos tells the build whether it names the assets with content hashes; the
        // binary started on its own must know it too.
        if !set("LEPTOS_HASH_FILES") {
            leptos.hash_files = option_env!("LEPTOS_HASH_FILES") == Some("true");
        }
        let origins = OriginPolicy::new(&public)?;
        let bring = bring(&args, public.first())?;
        let cache_default = if bring.is_some() { 15 * 60 } else { 0 };
        let quote_cache_ttl = match args.quote_cache_ttl_secs.unwrap_or(cache_default) {
            0 => None,
            secs => Some(Duration::from_secs(secs.into())),
        };
        Ok(Config {
            redis_url: args.redis_url.map(|url| Secret::new(url.trim())),
            session_secret: args.session_secret.map(Secret::new),
            database_url: args.database_url.map(|url| Secret::new(url.trim())),
            data_dir: args.data_dir,
            booking_failure_rate: args.booking_simulator_failure_rate,
            clock: args.clock_start.unwrap_or_else(crate::clock::Clock::system),
            bring,
            quote_cache_ttl,
            leptos,
            origins,
            latency_scale: args.guide_latency_scale,
            failure_rate: args.guide_failure_rate,
            quote_timeout: Duration::from_secs_f64(args.guide_timeout_secs),
            sentry_dsn: args.sentry_dsn,
            environment: args.sentry_environment.unwrap_or_else(|| {
                if development {
                    "development"
                } else {
                    "production"
                }
                .into()
            }),
            release: concat!("promotions@", env!("CARGO_PKG_VERSION")).into(),
            debug_panic: args.promotions_debug_panic,
            limits: limits::Settings {
                searches_per_minute: args.searches_per_minute,
                searches_per_minute_per_address: args.searches_per_minute_per_address,
                max_sockets_per_session: args.max_sockets_per_session as usize,
                max_sockets_per_ip: args.max_sockets_per_ip as usize,
                new_sessions_per_minute_per_address: args.new_sessions_per_minute_per_address,
            },
            report_timeout: Duration::from_secs(10),
            client_ip_header: args.client_ip_header,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_parser_is_well_formed() {
        super::command().debug_assert();
    }
}
