//! Live counters for `/healthz`, the soak test and leak checks.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Where `/healthz` is served (monitors, the soak tool).
pub const HEALTH_PATH: &str = "/healthz";

#[derive(Default, Debug)]
pub struct Stats {
    pub sockets: AtomicUsize,
    pub searches_in_flight: AtomicUsize,
    pub upstream_calls: AtomicUsize,
    /// Browser error reports being forwarded by the tunnel.
    pub reports_in_flight: AtomicUsize,
    pub searches_started: AtomicU64,
    /// Searches dropped before `done`: cancelled, replaced, or their client gone.
    pub searches_cancelled: AtomicU64,
    pub rejected_origins: AtomicU64,
    /// Sockets refused because their client had too many open.
    pub refused_sockets: AtomicU64,
    /// Searches refused by the per-client rate, on either tier.
    pub rate_limited: AtomicU64,
    /// New sessions not handed out: the address had its allowance this minute.
    pub refused_sessions: AtomicU64,
    /// Requests refused because the reverse proxy's client address could not be read.
    pub unidentified: AtomicU64,
    /// Shipments the carrier booked, and bookings it refused or did not answer.
    pub bookings_made: AtomicU64,
    pub bookings_failed: AtomicU64,
}

/// The counters `/healthz` reports; the leak test and the soak read them back.
#[derive(Debug, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(skip_deserializing)]
    pub status: &'static str,
    pub sockets: usize,
    pub searches_in_flight: usize,
    pub upstream_calls_in_flight: usize,
    pub reports_in_flight: usize,
    pub searches_started: u64,
    pub searches_cancelled: u64,
    pub rejected_origins: u64,
    pub refused_sockets: u64,
    pub rate_limited: u64,
    pub refused_sessions: u64,
    pub unidentified: u64,
    pub bookings_made: u64,
    pub bookings_failed: u64,
}

impl Snapshot {
    /// Nothing running: no socket, search or upstream call.
    pub fn is_idle(&self) -> bool {
        self.sockets == 0 && self.searches_in_flight == 0 && self.upstream_calls_in_flight == 0
    }
}

impl Stats {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            status: "ok",
            sockets: self.sockets.load(Ordering::Relaxed),
            searches_in_flight: self.searches_in_flight.load(Ordering::Relaxed),
            upstream_calls_in_flight: self.upstream_calls.load(Ordering::Relaxed),
            reports_in_flight: self.reports_in_flight.load(Ordering::Relaxed),
            searches_started: self.searches_started.load(Ordering::Relaxed),
            searches_cancelled: self.searches_cancelled.load(Ordering::Relaxed),
            rejected_origins: self.rejected_origins.load(Ordering::Relaxed),
            refused_sockets: self.refused_sockets.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            refused_sessions: self.refused_sessions.load(Ordering::Relaxed),
            unidentified: self.unidentified.load(Ordering::Relaxed),
            bookings_made: self.bookings_made.load(Ordering::Relaxed),
            bookings_failed: self.bookings_failed.load(Ordering::Relaxed),
        }
    }
}

/// What `/healthz` reports: the counters, plus the process's live tasks and memory, so leak and
/// soak tests can see both return to idle.
#[derive(Debug, Serialize, Deserialize)]
pub struct Health {
    #[serde(flatten)]
    pub counters: Snapshot,
    /// The shipping guide in use, its quote cache and its upstream budget.
    pub guide: GuideStatus,
    /// Redis, when `REDIS_URL` shares cache and budgets: `off`, `connecting`, `up`, `unreachable`.
    pub redis: RedisStatus,
    /// Where bookings are kept: `sqlite` or `postgresql`.
    #[serde(default)]
    pub database: String,
    /// Tasks alive on the server's runtime.
    pub tasks: usize,
    /// Resident memory of the process, where the OS tells it (Linux).
    pub rss_bytes: Option<u64>,
}

impl Health {
    /// Must run on the server's runtime.
    pub fn now(stats: &Stats, guide: GuideStatus, redis: RedisStatus, database: &str) -> Health {
        Health {
            counters: stats.snapshot(),
            guide,
            redis,
            database: database.to_owned(),
            tasks: tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks(),
            rss_bytes: resident_bytes("self"),
        }
    }
}

/// Resident memory of a process (`"self"` or a PID), where the OS tells it (Linux).
pub fn resident_bytes(process: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

/// Counts one live thing (a socket, a search, an upstream call) for as long as it is held,
/// so the count is right however the thing ends: finished, cancelled, aborted or panicked.
pub struct Gauge {
    stats: Arc<Stats>,
    pick: fn(&Stats) -> &AtomicUsize,
}

impl Gauge {
    pub fn enter(stats: &Arc<Stats>, pick: fn(&Stats) -> &AtomicUsize) -> Gauge {
        pick(stats).fetch_add(1, Ordering::Relaxed);
        Gauge {
            stats: stats.clone(),
            pick,
        }
    }
}

impl Drop for Gauge {
    fn drop(&mut self) {
        (self.pick)(&self.stats).fetch_sub(1, Ordering::Relaxed);
    }
}

/// The guide in use and what stands in front of it, for `/healthz`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GuideStatus {
    /// `simulator` or `bring`.
    pub name: String,
    /// Quotes answered without an upstream call: from the cache, or by joining an identical
    /// call already in flight.
    pub cache_hits: u64,
    /// Quotes that made an upstream call.
    pub cache_misses: u64,
    /// Upstream requests waiting for the request budget.
    pub waiting_for_budget: usize,
}

impl GuideStatus {
    pub fn named(name: &str) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }
}

/// What `/healthz` shows of Redis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedisStatus {
    Off,
    Connecting,
    Up,
    Unreachable,
}
