//! How long each thing may take, on the page's clock.

/// Milliseconds on the page's clock.
pub type Ms = f64;

pub const OPEN_TIMEOUT: Ms = 3_000.0;
/// How long a `pong` or an `accepted` may take.
pub const REPLY_TIMEOUT: Ms = 3_000.0;
/// Longest silence while a search still has products outstanding.
pub const SILENCE_LIMIT: Ms = 15_000.0;
pub const IDLE_PING_EVERY: Ms = 30_000.0;
/// After a fallback, the socket is tried again this much later.
pub const RETRY_SOCKET_AFTER: Ms = 600_000.0;
/// After the server said it has too many sockets from this network, the socket is tried
/// again this much later.
pub const RETRY_BUSY_AFTER: Ms = 60_000.0;
/// After the server closed for a restart, the socket is tried again this much later.
pub const RETRY_RESTART_AFTER: Ms = 5_000.0;
pub const MIN_HEDGE_DELAY: Ms = 300.0;
/// A tick this late means the page was asleep (a closed laptop, a background tab whose timers
/// the browser throttled): silence then proves nothing, so the socket is asked again first.
pub const LATE_TICK: Ms = 1_000.0;
/// After an `error` event, how long the report waits for the `close` that browsers fire next
/// (with the close code, reason and `wasClean` the report should carry).
pub const CLOSE_WAIT: Ms = 250.0;
/// Server-function calls in flight at once for one search.
pub const HTTP_PARALLEL: usize = 6;
/// How long the HTTP stream's `accepted` may take before the page asks product by product:
/// at least this, else two of the page's round trips.
pub const MIN_STREAM_WAIT: Ms = 100.0;

/// The hedge delay: max(300 ms, 4 × the page's own request round trip).
pub fn hedge_delay(page_rtt: Option<Ms>) -> Ms {
    page_rtt.map_or(MIN_HEDGE_DELAY, |rtt| (4.0 * rtt).max(MIN_HEDGE_DELAY))
}

/// How long the HTTP stream may take to say `accepted`: max(100 ms, 2 × the round trip).
/// The server writes it at once, so only a proxy that holds responses back until they are
/// complete makes it later.
pub fn stream_wait(page_rtt: Option<Ms>) -> Ms {
    page_rtt.map_or(MIN_STREAM_WAIT, |rtt| (2.0 * rtt).max(MIN_STREAM_WAIT))
}
