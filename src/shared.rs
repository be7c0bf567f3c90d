//! State shared by every instance, in Redis (`REDIS_URL`): the quote cache and the search
//! budgets. Redis is a help, never a dependency of a search: every call has a short deadline,
//! and when Redis is unreachable the instance says so once, answers from its own state, and
//! tries Redis again a second later (the connection manager reconnects by itself).

use crate::limits::caller::{Caller, SessionKey};
use crate::limits::hedge::Tier;
use crate::limits::retry::{RetryAfter, Scope};
use crate::stats::RedisStatus;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How long one Redis call may take before the instance goes on without it. A search's own
/// latency budget is tens of milliseconds; Redis on the same network answers in well under one.
const CALL_TIMEOUT: Duration = Duration::from_millis(150);
/// After a failure, how long to use local state before asking Redis again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// Keys are prefixed, so the site can share a Redis with others and change its layout later.
const PREFIX: &str = "promotions:v1";

/// One atomic decision across instances (GCRA, as the local limiter): the session's budget,
/// then the address's, then the hedge ticket. Nothing is spent unless every budget agrees, and
/// a search whose other half already paid on the other tier passes free once.
/// KEYS: session, address, ticket. ARGV: session interval and tolerance (ms; 0 = no limit),
/// the same for the address, the tier ('' for quotes), the ticket's life (ms).
const ADMIT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[5] ~= '' then
  local paid = redis.call('GET', KEYS[3])
  if paid and paid ~= ARGV[5] then
    redis.call('DEL', KEYS[3])
    return {1, 0}
  end
end
local function check(key, interval, tolerance)
  if interval == 0 then return 0, nil end
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  if tat - now > tolerance then return tat - now - tolerance, nil end
  return 0, tat + interval
end
local wait, session = check(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
if wait > 0 then return {0, wait, 1} end
local wait2, address = check(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
if wait2 > 0 then return {0, wait2, 2} end
if session then redis.call('SET', KEYS[1], session, 'PX', session - now) end
if address then redis.call('SET', KEYS[2], address, 'PX', address - now) end
if ARGV[5] ~= '' then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6]) end
return {1, 0}
";

/// A per-minute limit as GCRA parameters in milliseconds: one every `interval`, a burst of
/// `n` (`tolerance` = the rest of the minute). `n == 0`: no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerMinuteMs {
    interval: u64,
    tolerance: u64,
}

impl PerMinuteMs {
    pub fn new(n: u32) -> Self {
        if n == 0 {
            return Self {
                interval: 0,
                tolerance: 0,
            };
        }
        let interval = (60_000 / u64::from(n)).max(1);
        Self {
            interval,
            tolerance: 60_000u64.saturating_sub(interval),
        }
    }
}

pub struct Shared {
    connection: OnceLock<ConnectionManager>,
    admit: redis::Script,
    /// Set while Redis is unreachable: until then, local state only.
    down_until: std::sync::Mutex<Option<Instant>>,
    /// Whether the last call failed: the log says so once per outage, not once per call.
    failing: AtomicBool,
}

impl Shared {
    /// Checks the URL now; connects in the background (start-up does not wait for Redis, and an
    /// instance started while Redis is down connects when it comes).
    pub fn connect(url: &str) -> Result<Arc<Self>, String> {
        let client =
            redis::Client::open(url).map_err(|e| format!("REDIS_URL: not a Redis URL ({e})"))?;
        let shared = Arc::new(Self {
            connection: OnceLock::new(),
            admit: redis::Script::new(ADMIT),
            down_until: std::sync::Mutex::new(None),
            failing: AtomicBool::new(false),
        });
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT * 4))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(RETRY_AFTER);
        // Held weakly: the task ends with the instance's state.
        let weak = Arc::downgrade(&shared);
        tokio::spawn(async move {
            loop {
                let Some(shared) = weak.upgrade() else { return };
                match client
                    .get_connection_manager_with_config(config.clone())
                    .await
                {
                    Ok(connection) => {
                        tracing::info!("redis: connected; cache and budgets are shared");
                        let _ = shared.connection.set(connection);
                        break;
                    }
                    Err(e) => shared.failed(&e.to_string()),
                }
                drop(shared);
                tokio::time::sleep(RETRY_AFTER).await;
            }
            // A ping a second: `/healthz` tells the truth about Redis on an idle instance too,
            // and Redis is used again as soon as it is back, before the next search asks.
            loop {
                tokio::time::sleep(RETRY_AFTER).await;
                let Some(shared) = weak.upgrade() else { return };
                shared
                    .call("ping", |mut connection| async move {
                        redis::cmd("PING").query_async::<()>(&mut connection).await
                    })
                    .await;
            }
        });
        Ok(shared)
    }

    pub fn status(&self) -> RedisStatus {
        if self.connection.get().is_none() {
            RedisStatus::Connecting
        } else if self.failing.load(Ordering::Relaxed) {
            RedisStatus::Unreachable
        } else {
            RedisStatus::Up
        }
    }

    fn failed(&self, error: &str) {
        *self.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + RETRY_AFTER);
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                error,
                "redis: unreachable; using this instance's own cache and budgets until it is back"
            );
        }
    }

    fn succeeded(&self) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!("redis: back; cache and budgets are shared again");
        }
    }

    /// Runs one Redis call within the deadline; `None` (and local state) when Redis is
    /// unreachable, slow or was so a moment ago.
    async fn call<T, F>(
        &self,
        what: &'static str,
        f: impl FnOnce(ConnectionManager) -> F,
    ) -> Option<T>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection.get()?.clone();
        {
            let mut down = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
            match *down {
                Some(until) if Instant::now() < until => return None,
                Some(_) => *down = None,
                None => {}
            }
        }
        match tokio::time::timeout(CALL_TIMEOUT, f(connection)).await {
            Ok(Ok(value)) => {
                self.succeeded();
                Some(value)
            }
            Ok(Err(e)) => {
                self.failed(&format!("{what}: {e}"));
                None
            }
            Err(_) => {
                self.failed(&format!("{what}: no answer within {CALL_TIMEOUT:?}"));
                None
            }
        }
    }

    /// Counts one unit against the session's and the address's budgets across all instances
    /// (`tier`: a search, which may be the free half of a hedge). `None`: Redis is unavailable.
    pub async fn admit(
        &self,
        budget: &'static str,
        caller: Caller,
        limits: (PerMinuteMs, PerMinuteMs),
        hedge: Option<(Tier, u64)>,
    ) -> Option<Result<(), RetryAfter>> {
        let session = caller.session_key();
        let session_key = format!("{PREFIX}:{budget}:s:{}", session_part(session));
        let address_key = format!("{PREFIX}:{budget}:ip:{}", caller.address);
        let (tier, ticket) = match hedge {
            Some((tier, fingerprint)) => (
                match tier {
                    Tier::Socket => "socket",
                    Tier::Http => "http",
                },
                format!(
                    "{PREFIX}:hedge:{}:{fingerprint:016x}",
                    session_part(session)
                ),
            ),
            None => ("", format!("{PREFIX}:hedge:none")),
        };
        let (per_session, per_address) = limits;
        let answer: Vec<u64> = self
            .call("admit", |mut connection| {
                let mut invocation = self.admit.prepare_invoke();
                invocation
                    .key(session_key)
                    .key(address_key)
                    .key(ticket)
                    .arg(per_session.interval)
                    .arg(per_session.tolerance)
                    .arg(per_address.interval)
                    .arg(per_address.tolerance)
                    .arg(tier)
                    .arg(crate::limits::hedge::WINDOW.as_millis() as u64);
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        let verdict = verdict(&answer, session);
        if verdict.is_none() {
            crate::log_throttle::warn_throttled!(
                ?answer,
                "redis: unexpected answer to admit; counted locally"
            );
        }
        verdict
    }

    /// A cached value, if another instance (or this one) stored it.
    pub async fn get(&self, key: &str) -> Option<String> {
        let key = format!("{PREFIX}:{key}");
        self.call("get", |mut connection| async move {
            redis::cmd("GET")
                .arg(key)
                .query_async::<Option<String>>(&mut connection)
                .await
        })
        .await
        .flatten()
    }

    /// Stores a value for every instance, for `ttl`.
    pub async fn set(&self, key: &str, value: String, ttl: Duration) {
        let key = format!("{PREFIX}:{key}");
        let millis = ttl.as_millis().max(1) as u64;
        self.call("set", |mut connection| async move {
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("PX")
                .arg(millis)
                .query_async::<()>(&mut connection)
                .await
        })
        .await;
    }
}

/// The admit script's answer as a verdict; `None` for anything else, so that this instance's
/// own budgets decide: a request is never let through uncounted.
fn verdict(answer: &[u64], session: SessionKey) -> Option<Result<(), RetryAfter>> {
    match answer {
        [1, ..] => Some(Ok(())),
        [0, wait, scope] => Some(Err(RetryAfter {
            wait: Duration::from_millis(*wait),
            scope: if *scope == 1 && matches!(session, SessionKey::Cookie(_)) {
                Scope::Session
            } else {
                Scope::Network
            },
        })),
        _ => None,
    }
}

fn session_part(session: SessionKey) -> String {
    match session {
        SessionKey::Cookie(id) => format!("c:{id}"),
        SessionKey::Anonymous(address) => format!("a:{address}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::ClientKey;

    #[test]
    fn only_the_scripts_two_answers_are_verdicts_anything_else_is_decided_locally() {
        let address = ClientKey::of([192, 0, 2, 1].into());
        let session = SessionKey::Cookie(crate::guards::session::SessionId::random());
        assert_eq!(verdict(&[1, 0], session), Some(Ok(())));
        let refused = verdict(&[0, 1500, 1], session).unwrap().unwrap_err();
        assert_eq!(
            (refused.wait, refused.scope),
            (Duration::from_millis(1500), Scope::Session)
        );
        // Refused on the session's budget without a cookie: the network's (the address's).
        let anonymous = verdict(&[0, 10, 1], SessionKey::Anonymous(address));
        assert_eq!(anonymous.unwrap().unwrap_err().scope, Scope::Network);
        for unexpected in [&[][..], &[0], &[0, 5], &[2, 0, 0], &[0, 1, 1, 1]] {
            assert_eq!(verdict(unexpected, session), None, "{unexpected:?}");
        }
    }
}
