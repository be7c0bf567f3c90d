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

/// On shutdown, how long running searches may take to finish before sockets close with 1001.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(10);
