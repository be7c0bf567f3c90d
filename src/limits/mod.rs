//! Per-client limits (OWASP WebSocket cheat sheet: connection caps and rate limits), sized so
//! that an office of hundreds behind one NAT address is never refused while one abusive
//! browser is: each browser session has its own budget of searches and a few live sockets,
//! and each network address a ceiling sized for an office. Searches count the same on the
//! socket, the server functions and server-rendered pages; a hedged search counts once.

pub mod caller;
pub mod hedge;
pub mod identify;
pub mod retry;

pub use caller::{Caller, Callers, ClientKey, SessionKey};
pub use hedge::Tier;
pub use retry::{RetryAfter, Scope};

use crate::shared::{PerMinuteMs, Shared};
use crate::stats::Stats;
use app::model::SearchRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Over HTTP a search is one plan and one quote per product: this many quotes per search allowed.
const QUOTES_PER_SEARCH: u32 = 8;
/// Forget idle clients' rate state every this many checks, so the tables stay small.
const SWEEP_EVERY: u64 = 4096;

/// The limits' settings (`0` turns one off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `SEARCHES_PER_MINUTE`: per browser session.
    pub searches_per_minute: u32,
    /// `SEARCHES_PER_MINUTE_PER_ADDRESS`: per network address, all its sessions together.
    pub searches_per_minute_per_address: u32,
    /// `MAX_SOCKETS_PER_SESSION`: live sockets per browser session (its tabs).
    pub max_sockets_per_session: usize,
    /// `MAX_SOCKETS_PER_IP`: live sockets per network address.
    pub max_sockets_per_ip: usize,
    /// `NEW_SESSIONS_PER_MINUTE_PER_ADDRESS`: sessions handed out per network address.
    pub new_sessions_per_minute_per_address: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            searches_per_minute: 120,
            searches_per_minute_per_address: 6000,
            max_sockets_per_session: 8,
            max_sockets_per_ip: 1000,
            // An office of hundreds arriving in the same minute still gets sessions; a script
            // that throws its cookie away after every search gets five a second.
            new_sessions_per_minute_per_address: 300,
        }
    }
}

impl Settings {
    /// No limits at all (benchmarks, soak tests).
    pub const fn unlimited() -> Self {
        Self {
            searches_per_minute: 0,
            searches_per_minute_per_address: 0,
            max_sockets_per_session: 0,
            max_sockets_per_ip: 0,
            new_sessions_per_minute_per_address: 0,
        }
    }
}

/// At most `n` per minute per key (a burst of `n`, then one every `60/n` s).
pub struct PerMinute<K: Hash + Eq + Clone> {
    /// `None`: unlimited.
    limiter: Option<DefaultKeyedRateLimiter<K>>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> PerMinute<K> {
    /// `0` turns the limit off.
    pub fn new(n: u32) -> Self {
        Self {
            limiter: NonZeroU32::new(n)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one against the key; the wait when over.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter
            .check_key(key)
            .map_err(|wait| wait.wait_time_from(DefaultClock::default().now()))
    }
}

/// One budget per session and a ceiling per address. The session is asked first, so an
/// abusive session is refused without eating into its colleagues' ceiling.
struct CallerBudget {
    per_session: PerMinute<SessionKey>,
    per_address: PerMinute<ClientKey>,
}

impl CallerBudget {
    fn new(per_session: u32, per_address: u32) -> Self {
        Self {
            per_session: PerMinute::new(per_session),
            per_address: PerMinute::new(per_address),
        }
    }

    fn check(&self, caller: Caller) -> Result<(), RetryAfter> {
        // Without the cookie the session is the address's, so a refusal there is the network's.
        let session_scope = if caller.session.is_some() {
            Scope::Session
        } else {
            Scope::Network
        };
        self.per_session
            .check(&caller.session_key())
            .map_err(|wait| RetryAfter {
                wait,
                scope: session_scope,
            })?;
        self.per_address
            .check(&caller.address)
            .map_err(|wait| RetryAfter {
                wait,
                scope: Scope::Network,
            })
    }
}

/// Live sockets per session and per address.
#[derive(Default)]
struct Sockets {
    per_session: HashMap<SessionKey, usize>,
    per_address: HashMap<ClientKey, usize>,
}

fn release<K: Hash + Eq>(counts: &mut HashMap<K, usize>, key: &K) {
    if let Some(open) = counts.get_mut(key) {
        *open -= 1;
        if *open == 0 {
            counts.remove(key);
        }
    }
}

pub struct ClientLimits {
    settings: Settings,
    /// Refusals are counted here for `/healthz`, whichever tier refused.
    stats: Arc<Stats>,
    sockets: Mutex<Sockets>,
    searches: CallerBudget,
    quotes: CallerBudget,
    new_sessions: PerMinute<ClientKey>,
    tickets: hedge::Tickets,
    /// With Redis, the budgets and tickets of every instance; the local ones stand in while
    /// Redis is unreachable.
    shared: Option<Arc<Shared>>,
}

impl ClientLimits {
    pub fn new(settings: Settings, stats: Arc<Stats>, shared: Option<Arc<Shared>>) -> Self {
        Self {
            shared,
            settings,
            stats,
            sockets: Mutex::default(),
            searches: CallerBudget::new(
                settings.searches_per_minute,
                settings.searches_per_minute_per_address,
            ),
            quotes: CallerBudget::new(
                settings
                    .searches_per_minute
                    .saturating_mul(QUOTES_PER_SEARCH),
                settings
                    .searches_per_minute_per_address
                    .saturating_mul(QUOTES_PER_SEARCH),
            ),
            new_sessions: PerMinute::new(settings.new_sessions_per_minute_per_address),
            tickets: hedge::Tickets::default(),
        }
    }

    /// Whether this address may be given one more session now (across instances with Redis).
    /// No: the request goes on without one, budgeted as the address's cookie-less session.
    pub async fn new_session(&self, address: ClientKey) -> bool {
        let per_address = self.settings.new_sessions_per_minute_per_address;
        if per_address == 0 {
            return true;
        }
        let mut shared_verdict = None;
        if let Some(shared) = &self.shared {
            let caller = Caller {
                address,
                session: None,
            };
            let limits = (PerMinuteMs::new(0), PerMinuteMs::new(per_address));
            shared_verdict = shared.admit("session", caller, limits, None).await;
        }
        let granted = match shared_verdict {
            Some(verdict) => verdict.is_ok(),
            None => self.new_sessions.check(&address).is_ok(),
        };
        if !granted {
            self.stats.refused_sessions.fetch_add(1, Ordering::Relaxed);
            crate::log_throttle::warn_throttled!(
                "session refused: this address had its new sessions for the minute"
            );
        }
        granted
    }

    /// A slot for one more socket of this caller, held for the socket's life; `None` at a cap.
    pub fn open_socket(self: &Arc<Self>, caller: Caller) -> Option<SocketSlot> {
        let over = |max: usize, open: usize| max > 0 && open >= max;
        let session = caller.session_key();
        let mut sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        let of_address = sockets.per_address.get(&caller.address).copied();
        let of_session = sockets.per_session.get(&session).copied();
        if over(self.settings.max_sockets_per_ip, of_address.unwrap_or(0))
            || over(
                self.settings.max_sockets_per_session,
                of_session.unwrap_or(0),
            )
        {
            self.stats.refused_sockets.fetch_add(1, Ordering::Relaxed);
            crate::log_throttle::warn_throttled!(
                "websocket refused: too many sockets from this client"
            );
            return None;
        }
        *sockets.per_address.entry(caller.address).or_insert(0) += 1;
        *sockets.per_session.entry(session).or_insert(0) += 1;
        Some(SocketSlot {
            limits: self.clone(),
            caller,
        })
    }

    /// Counts one search against the caller's budgets, unless it is the other half of a
    /// hedged search the caller already paid for.
    pub async fn search(
        &self,
        caller: Caller,
        tier: Tier,
        request: &SearchRequest,
    ) -> Result<(), RetryAfter> {
        let Settings {
            searches_per_minute: per_session,
            searches_per_minute_per_address: per_address,
            ..
        } = self.settings;
        if per_session == 0 && per_address == 0 {
            return Ok(());
        }
        if let Some(shared) = &self.shared {
            let limits = (PerMinuteMs::new(per_session), PerMinuteMs::new(per_address));
            let hedge = Some((tier, hedge::fingerprint(request)));
            if let Some(verdict) = shared.admit("search", caller, limits, hedge).await {
                return self.counted(verdict, "search");
            }
        }
        let verdict =
            self.tickets
                .admit(caller.session_key(), tier, request, Instant::now(), || {
                    self.searches.check(caller)
                });
        self.counted(verdict, "search")
    }

    /// Counts one HTTP quote against the caller's budgets.
    pub async fn quote(&self, caller: Caller) -> Result<(), RetryAfter> {
        if let Some(shared) = &self.shared {
            let per = |n: u32| PerMinuteMs::new(n.saturating_mul(QUOTES_PER_SEARCH));
            let limits = (
                per(self.settings.searches_per_minute),
                per(self.settings.searches_per_minute_per_address),
            );
            if let Some(verdict) = shared.admit("quote", caller, limits, None).await {
                return self.counted(verdict, "quote");
            }
        }
        self.counted(self.quotes.check(caller), "quote")
    }

    fn counted(&self, verdict: Result<(), RetryAfter>, what: &str) -> Result<(), RetryAfter> {
        verdict.inspect_err(|retry| {
            self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            crate::log_throttle::warn_throttled!(what, scope = ?retry.scope, "rate limit: refused");
        })
    }
}

/// One live socket of a caller; dropping it frees the slot.
pub struct SocketSlot {
    limits: Arc<ClientLimits>,
    caller: Caller,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut sockets = self
            .limits
            .sockets
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        release(&mut sockets.per_address, &self.caller.address);
        release(&mut sockets.per_session, &self.caller.session_key());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guards::session::SessionId;
    use app::i18n::{Lang, Texts};

    fn en() -> Texts {
        Texts::new(Lang::En, false)
    }

    fn nb() -> Texts {
        Texts::new(Lang::Nb, false)
    }

    fn anonymous(address: &str) -> Caller {
        Caller {
            address: ClientKey::of(address.parse().unwrap()),
            session: None,
        }
    }

    fn session(address: &str) -> Caller {
        Caller {
            session: Some(SessionId::random()),
            ..anonymous(address)
        }
    }

    fn limits(settings: Settings) -> Arc<ClientLimits> {
        Arc::new(ClientLimits::new(settings, Arc::default(), None))
    }

    fn request(n: u32) -> SearchRequest {
        SearchRequest::between(("NO", "0150"), ("NO", "9900"), n)
    }

    #[test]
    fn sockets_are_capped_per_session_and_per_address_and_freed_on_drop() {
        let limits = limits(Settings {
            max_sockets_per_session: 2,
            max_sockets_per_ip: 3,
            ..Settings::unlimited()
        });
        let alice = session("192.0.2.1");
        let a = limits.open_socket(alice).unwrap();
        let _b = limits.open_socket(alice).unwrap();
        assert!(limits.open_socket(alice).is_none(), "session cap");
        let _c = limits.open_socket(session("192.0.2.1")).unwrap();
        assert!(
            limits.open_socket(session("192.0.2.1")).is_none(),
            "address cap"
        );
        assert!(limits.open_socket(session("192.0.2.2")).is_some());
        drop(a);
        assert!(limits.open_socket(alice).is_some());
        let sockets = limits.sockets.lock().unwrap();
        assert_eq!(
            (sockets.per_address.len(), sockets.per_session.len()),
            (1, 2),
            "freed entries are removed"
        );
    }

    #[tokio::test]
    async fn an_abusive_session_is_refused_while_its_colleagues_are_not() {
        let limits = limits(Settings {
            searches_per_minute: 3,
            searches_per_minute_per_address: 10,
            ..Settings::unlimited()
        });
        let abuser = session("192.0.2.1");
        for n in 0..3 {
            limits
                .search(abuser, Tier::Socket, &request(n))
                .await
                .unwrap();
        }
        let refused = limits
            .search(abuser, Tier::Socket, &request(9))
            .await
            .unwrap_err();
        assert_eq!(refused.scope, Scope::Session);
        assert!((1..=20).contains(&refused.secs()), "{refused:?}");
        assert!(
            refused
                .message(en())
                .starts_with("Too many searches in the last minute. Try again in")
        );
        // Its refusals did not use the address's ceiling: seven more from colleagues fit.
        for n in 0..7 {
            limits
                .search(session("192.0.2.1"), Tier::Http, &request(n))
                .await
                .unwrap();
        }
        let ceiling = limits
            .search(session("192.0.2.1"), Tier::Http, &request(0))
            .await
            .unwrap_err();
        assert_eq!(ceiling.scope, Scope::Network);
        assert!(ceiling.message(en()).contains("from your network"));
        assert!(
            ceiling
                .message(nb())
                .starts_with("For mange søk fra nettverket ditt")
        );
        limits
            .search(session("192.0.2.2"), Tier::Http, &request(0))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn callers_without_the_cookie_share_one_session_budget_per_address() {
        let limits = limits(Settings {
            searches_per_minute: 2,
            ..Settings::unlimited()
        });
        limits
            .search(anonymous("192.0.2.1"), Tier::Http, &request(1))
            .await
            .unwrap();
        limits
            .search(anonymous("192.0.2.1"), Tier::Socket, &request(2))
            .await
            .unwrap();
        let refused = limits
            .search(anonymous("192.0.2.1"), Tier::Http, &request(3))
            .await
            .unwrap_err();
        assert_eq!(refused.scope, Scope::Network);
        limits
            .search(anonymous("192.0.2.2"), Tier::Http, &request(3))
            .await
            .unwrap();
        limits
            .search(session("192.0.2.1"), Tier::Http, &request(3))
            .await
            .unwrap();
        // Sockets too.
        let limits = super::tests::limits(Settings {
            max_sockets_per_session: 1,
            ..Settings::unlimited()
        });
        let _one = limits.open_socket(anonymous("192.0.2.1")).unwrap();
        assert!(limits.open_socket(anonymous("192.0.2.1")).is_none());
    }

    #[tokio::test]
    async fn quotes_have_their_own_larger_budget() {
        let limits = limits(Settings {
            searches_per_minute: 1,
            ..Settings::unlimited()
        });
        let caller = session("192.0.2.1");
        for _ in 0..QUOTES_PER_SEARCH {
            limits.quote(caller).await.unwrap();
        }
        assert!(limits.quote(caller).await.is_err());
        limits
            .search(caller, Tier::Http, &request(1))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn zero_turns_the_limits_off() {
        let limits = limits(Settings::unlimited());
        let caller = anonymous("192.0.2.1");
        // Each unwrap is the check: a refused socket would panic it. Held until the end.
        let _slots: Vec<_> = (0..1000)
            .map(|_| limits.open_socket(caller).unwrap())
            .collect();
        for n in 0..1000 {
            limits
                .search(caller, Tier::Socket, &request(n))
                .await
                .unwrap();
        }
    }
}
