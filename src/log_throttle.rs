//! Warnings a flood repeats by the thousand (refused sessions, sockets, searches, origins):
//! the first is logged at once, then at most one per [`EVERY`] saying how many were not, so an
//! attacker fills neither the log nor Sentry's breadcrumbs. `/healthz` counts every one.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const EVERY: Duration = Duration::from_secs(10);

/// `tracing::warn!` through a throttle of its own: the first at once, then at most one per
/// [`EVERY`], each with `suppressed` = how many were left out since the last.
macro_rules! warn_throttled {
    ($($arg:tt)+) => {{
        static LOG: $crate::log_throttle::Throttle = $crate::log_throttle::Throttle::new();
        if let Some(suppressed) = LOG.admit() {
            tracing::warn!(suppressed, $($arg)+);
        }
    }};
}
pub(crate) use warn_throttled;

/// One kind of warning's throttle (see [`warn_throttled!`]).
pub struct Throttle {
    state: Mutex<State>,
}

struct State {
    last: Option<Instant>,
    suppressed: u64,
}

impl Throttle {
    pub const fn new() -> Self {
        Self {
            state: Mutex::new(State {
                last: None,
                suppressed: 0,
            }),
        }
    }

    /// Whether to log this one now, and if so how many were left out since the last.
    pub fn admit(&self) -> Option<u64> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match state.last {
            Some(last) if now.duration_since(last) < EVERY => {
                state.suppressed += 1;
                None
            }
            _ => {
                state.last = Some(now);
                Some(std::mem::take(&mut state.suppressed))
            }
        }
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_is_logged_then_one_per_interval_with_the_count_left_out() {
        let throttle = Throttle::new();
        let start = Instant::now();
        assert_eq!(throttle.admit_at(start), Some(0));
        for n in 1..1000 {
            assert_eq!(throttle.admit_at(start + EVERY * n / 1000), None);
        }
        assert_eq!(throttle.admit_at(start + EVERY), Some(999));
        assert_eq!(throttle.admit_at(start + EVERY * 3), Some(0));
    }
}
