//! Per-client limits (OWASP WebSocket cheat sheet: connection caps and rate limits): live
//! sockets per client address, and searches per minute per client address, counted the same on
//! the socket and on the HTTP tier. A client over a limit gets a clear refusal at once.

use crate::stats::Stats;
use axum::http::{HeaderMap, HeaderName};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Over HTTP a search is one plan and one quote per product: this many quotes per search allowed.
const QUOTES_PER_SEARCH: u32 = 8;
/// Forget idle clients' rate state every this many checks, so the tables stay small.
const SWEEP_EVERY: u64 = 4096;

/// Who a limit counts: the peer address, with IPv6 taken per /64 (one customer's network),
/// so an attacker cannot dodge the limits by cycling through their own addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    pub fn of(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(_) => ClientKey(addr),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    ClientKey(IpAddr::V6(Ipv6Addr::new(
                        s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                    )))
                }
            },
        }
    }
}

/// Where a request comes from. Behind a reverse proxy every peer is the proxy, so
/// `CLIENT_IP_HEADER` names the header the proxy puts the client's address in; its right-most
/// address is the one the proxy added (earlier ones are the client's to forge).
#[derive(Clone, Debug, Default)]
pub struct ClientAddress {
    header: Option<HeaderName>,
}

impl ClientAddress {
    pub fn new(header: Option<HeaderName>) -> Self {
        Self { header }
    }

    pub fn key(&self, peer: IpAddr, headers: &HeaderMap) -> ClientKey {
        let forwarded = self.header.as_ref().and_then(|name| {
            let last = headers.get_all(name).iter().next_back()?.to_str().ok()?;
            last.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        ClientKey::of(forwarded.unwrap_or(peer))
    }
}

/// Refused: try again after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, at least one: what `Retry-After` and the message say.
    pub fn secs(self) -> u64 {
        self.0.as_secs_f64().ceil().max(1.0) as u64
    }

    pub fn message(self) -> String {
        format!(
            "Too many searches from your network in the last minute. Try again in {} s.",
            self.secs()
        )
    }
}

/// At most `n` per minute per client (a burst of `n`, then one every `60/n` s).
pub struct PerMinute {
    /// `None`: unlimited.
    limiter: Option<DefaultKeyedRateLimiter<ClientKey>>,
    checks: AtomicU64,
}

impl PerMinute {
    /// `0` turns the limit off.
    pub fn new(n: u32) -> Self {
        Self {
            limiter: NonZeroU32::new(n)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one against the client.
    pub fn check(&self, client: ClientKey) -> Result<(), RetryAfter> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter
            .check_key(&client)
            .map_err(|wait| RetryAfter(wait.wait_time_from(DefaultClock::default().now())))
    }
}

pub struct ClientLimits {
    /// `None`: no cap.
    max_sockets: Option<usize>,
    /// Refusals are counted here for `/healthz`, whichever tier refused.
    stats: Arc<Stats>,
    sockets: Mutex<HashMap<ClientKey, usize>>,
    searches: PerMinute,
    quotes: PerMinute,
}

impl ClientLimits {
    /// `0` turns a limit off.
    pub fn new(max_sockets: usize, searches_per_minute: u32, stats: Arc<Stats>) -> Self {
        Self {
            max_sockets: (max_sockets > 0).then_some(max_sockets),
            stats,
            sockets: Mutex::default(),
            searches: PerMinute::new(searches_per_minute),
            quotes: PerMinute::new(searches_per_minute.saturating_mul(QUOTES_PER_SEARCH)),
        }
    }

    /// A slot for one more socket of this client, held for the socket's life; `None` at the cap.
    pub fn open_socket(self: &Arc<Self>, client: ClientKey) -> Option<SocketSlot> {
        let mut sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        let open = sockets.entry(client).or_insert(0);
        if self.max_sockets.is_some_and(|max| *open >= max) {
            self.stats.refused_sockets.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("websocket refused: too many sockets from this client");
            return None;
        }
        *open += 1;
        Some(SocketSlot {
            limits: self.clone(),
            client,
        })
    }

    /// Counts one search against the client's rate.
    pub fn search(&self, client: ClientKey) -> Result<(), RetryAfter> {
        self.counted(self.searches.check(client), "search")
    }

    /// Counts one HTTP quote against the client's rate.
    pub fn quote(&self, client: ClientKey) -> Result<(), RetryAfter> {
        self.counted(self.quotes.check(client), "quote")
    }

    fn counted(&self, verdict: Result<(), RetryAfter>, what: &str) -> Result<(), RetryAfter> {
        verdict.inspect_err(|_| {
            self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(what, "rate limit: refused");
        })
    }
}

/// One live socket of a client; dropping it frees the slot.
pub struct SocketSlot {
    limits: Arc<ClientLimits>,
    client: ClientKey,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut sockets = self
            .limits
            .sockets
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(open) = sockets.get_mut(&self.client) {
            *open -= 1;
            if *open == 0 {
                sockets.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> ClientKey {
        ClientKey::of(s.parse().unwrap())
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_address_the_proxy_added_last() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        let proxied = ClientAddress::new(Some(HeaderName::from_static("x-forwarded-for")));
        assert_eq!(proxied.key(peer, &headers), key("198.51.100.4"));
        // Without the setting the header is ignored: anyone could send it.
        assert_eq!(
            ClientAddress::default().key(peer, &headers),
            key("10.0.0.2")
        );
        // A missing or garbled header falls back to the peer.
        assert_eq!(proxied.key(peer, &HeaderMap::new()), key("10.0.0.2"));
        headers.append("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(proxied.key(peer, &headers), key("10.0.0.2"));
    }

    #[test]
    fn socket_slots_are_capped_per_client_and_freed_on_drop() {
        let limits = Arc::new(ClientLimits::new(2, 0, Arc::default()));
        let a = limits.open_socket(key("192.0.2.1")).unwrap();
        let _b = limits.open_socket(key("192.0.2.1")).unwrap();
        assert!(limits.open_socket(key("192.0.2.1")).is_none());
        assert!(limits.open_socket(key("192.0.2.2")).is_some());
        drop(a);
        assert!(limits.open_socket(key("192.0.2.1")).is_some());
        assert!(
            limits.sockets.lock().unwrap().len() == 1,
            "freed entries are removed"
        );
    }

    #[test]
    fn searches_are_limited_per_client_per_minute() {
        let limits = ClientLimits::new(0, 3, Arc::default());
        for _ in 0..3 {
            limits.search(key("192.0.2.1")).unwrap();
        }
        let refused = limits.search(key("192.0.2.1")).unwrap_err();
        assert!((1..=20).contains(&refused.secs()), "{refused:?}");
        assert!(refused.message().contains("Try again in"));
        limits.search(key("192.0.2.2")).unwrap();
        // Quotes have their own, larger budget.
        for _ in 0..3 * QUOTES_PER_SEARCH {
            limits.quote(key("192.0.2.1")).unwrap();
        }
        assert!(limits.quote(key("192.0.2.1")).is_err());
    }

    #[test]
    fn zero_turns_the_limits_off() {
        let limits = Arc::new(ClientLimits::new(0, 0, Arc::default()));
        let slots: Vec<_> = (0..1000)
            .map(|_| limits.open_socket(key("192.0.2.1")).unwrap())
            .collect();
        assert_eq!(slots.len(), 1000);
        for _ in 0..1000 {
            limits.search(key("192.0.2.1")).unwrap();
        }
    }
}
