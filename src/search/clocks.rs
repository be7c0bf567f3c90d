//! The socket's clocks: how often it is pinged, when it counts as gone, how long a frame may
//! take to leave and a shutdown may wait. Apart from the socket, because the app's state
//! carries them (tests shorten them).

use std::time::Duration;

/// How often the server pings, and looks for sockets gone idle.
pub const PING_EVERY: Duration = Duration::from_secs(20);
/// A socket that has sent nothing (not even a pong) for this long is gone, whether it ever
/// spoke or not.
pub const IDLE_LIMIT: Duration = Duration::from_secs(65);
/// How long one frame may take to leave: a peer that stops reading cannot hold its socket.
pub const SEND_LIMIT: Duration = Duration::from_secs(10);

/// The socket's clocks; tests shorten them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub ping_every: Duration,
    pub idle_limit: Duration,
    pub send_limit: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            ping_every: PING_EVERY,
            idle_limit: IDLE_LIMIT,
            send_limit: SEND_LIMIT,
        }
    }
}

/// When a new socket's heartbeat first ticks: at a random point in the second half of its
/// first interval. Sockets opened together (a reconnect wave after a deploy) would otherwise
/// all wake, and all be pinged, in the same instant of every interval after.
pub fn first_heartbeat(every: Duration) -> Duration {
    let spread = getrandom::u32().map_or(1.0, |r| f64::from(r) / f64::from(u32::MAX));
    every.mul_f64(0.5 + 0.5 * spread)
}

/// On shutdown, how long running searches may take to finish before sockets close with 1001.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_heartbeats_spread_over_the_second_half_of_the_interval() {
        let every = Duration::from_secs(20);
        let firsts: Vec<Duration> = (0..1000).map(|_| first_heartbeat(every)).collect();
        assert!(firsts.iter().all(|f| (every / 2..=every).contains(f)));
        // Spread, not bunched: both quarters of that half are used.
        let early = firsts.iter().filter(|f| **f < every * 3 / 4).count();
        assert!(
            (300..700).contains(&early),
            "{early} of 1000 in the first quarter"
        );
    }
}
