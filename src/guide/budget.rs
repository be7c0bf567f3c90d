//! The upstream request budget: never more than N requests leave this instance in any
//! one-second window. A sliding log of the last N send times, not a token bucket: a bucket
//! whose burst equals its rate lets 2N through in a window that straddles a refill.
//! Over budget a request waits its turn (first come, first served) instead of failing; its
//! caller's deadline still bounds the wait, since dropping the wait gives up the turn.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(1);
/// A request leaves a little after its turn (connection set-up, scheduling), and the receiver
/// counts arrivals: turns spaced exactly one window apart were seen arriving 20 in a second
/// against a budget of 10. Spacing turns by a little more keeps arrivals within the budget.
const MARGIN: Duration = Duration::from_millis(100);

pub struct Budget {
    per_second: usize,
    /// When each of the last `per_second` requests left. The async mutex queues waiters in
    /// arrival order; the one holding it sleeps until the oldest send leaves the window.
    sent: Mutex<VecDeque<Instant>>,
    waiting: AtomicUsize,
}

impl Budget {
    /// `per_second` of 0 means no budget.
    pub fn new(per_second: usize) -> Self {
        Self {
            per_second,
            sent: Mutex::new(VecDeque::with_capacity(per_second)),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Returns when one more request may leave now.
    pub async fn take(&self) {
        if self.per_second == 0 {
            return;
        }
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Leave(&self.waiting);
        let mut sent = self.sent.lock().await;
        if sent.len() == self.per_second {
            if let Some(&oldest) = sent.front() {
                tokio::time::sleep_until(oldest + WINDOW + MARGIN).await;
            }
            sent.pop_front();
        }
        sent.push_back(Instant::now());
    }

    /// Requests waiting for their turn now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }
}

struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// The most sends found in any one-second window (half-open, as the budget defines it).
    fn busiest_second(times: &[Instant]) -> usize {
        times
            .iter()
            .map(|&start| {
                times
                    .iter()
                    .filter(|&&t| t >= start && t < start + WINDOW)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_waits_its_turn_and_never_exceeds_the_rate_in_any_window() {
        let budget = Arc::new(Budget::new(10));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..35 {
            let budget = budget.clone();
            tasks.spawn(async move {
                budget.take().await;
                Instant::now()
            });
        }
        tokio::task::yield_now().await;
        assert!(budget.waiting() > 0);
        let mut times = tasks.join_all().await;
        times.sort();
        assert_eq!(times.len(), 35, "every request got its turn");
        assert_eq!(busiest_second(&times), 10);
        // The first ten go at once, then ten every window (and its margin).
        assert_eq!(times[9], start);
        assert_eq!(times[10], start + WINDOW + MARGIN);
        assert_eq!(times[34], start + 3 * (WINDOW + MARGIN));
        assert_eq!(budget.waiting(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_gives_up_leaves_the_queue() {
        let budget = Budget::new(1);
        budget.take().await;
        let gave_up = tokio::time::timeout(Duration::from_millis(100), budget.take()).await;
        assert!(gave_up.is_err());
        assert_eq!(budget.waiting(), 0);
        let start = Instant::now();
        budget.take().await;
        assert!(Instant::now() - start <= WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_means_no_budget() {
        let budget = Budget::new(0);
        for _ in 0..1000 {
            budget.take().await;
        }
        assert_eq!(budget.waiting(), 0);
    }
}
