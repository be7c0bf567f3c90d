//! The upstream request budget: never more than N requests leave this instance in any
//! window (a second for the shipping guide, a minute for pickup points). A sliding log of the last N send times, not a token bucket: a bucket
//! whose burst equals its rate lets 2N through in a window that straddles a refill.
//! Over budget a request waits its turn instead of failing; its caller's deadline still
//! bounds the wait, since dropping the wait gives up the turn.
//!
//! Turns are shared fairly between the network addresses waiting (round robin, one turn
//! each), not first come, first served: one address flooding the instance queues behind its
//! own requests, while a quote for anyone else waits about one turn per other address waiting.

use crate::limits::ClientKey;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(1);
/// A request leaves a little after its turn (connection set-up, scheduling), and the receiver
/// counts arrivals: turns spaced exactly one window apart were seen arriving 20 in a second
/// against a budget of 10. Spacing turns by a little more keeps arrivals within the budget.
const MARGIN: Duration = Duration::from_millis(100);

tokio::task_local! {
    /// Whose search a quote is for. A task-local, like a tracing span, so that the guide trait,
    /// the quote cache and the simulator need not carry it: only the budget asks.
    static ON_BEHALF_OF: Requester;
}

/// Who waits for a turn: an address, or nobody known (tools, tests), who share one queue.
pub type Requester = Option<ClientKey>;

/// Runs a quote on behalf of a network address: its upstream requests take that address's turns.
pub fn on_behalf_of<F: Future>(address: Requester, quote: F) -> impl Future<Output = F::Output> {
    ON_BEHALF_OF.scope(address, quote)
}

struct Turn {
    requester: Requester,
    grant: oneshot::Sender<()>,
}

pub struct UpstreamBudget {
    per_window: usize,
    window: Duration,
    /// The dispatcher's inbox. The dispatcher is spawned by the first request (it needs the
    /// runtime) and ends when the budget is dropped.
    dispatcher: OnceLock<mpsc::UnboundedSender<Turn>>,
    waiting: Arc<AtomicUsize>,
}

impl UpstreamBudget {
    /// `per_second` of 0 means no budget.
    pub fn new(per_second: usize) -> Self {
        Self::per_window(per_second, WINDOW)
    }

    /// `per_minute` of 0 means no budget.
    pub fn per_minute(per_minute: usize) -> Self {
        Self::per_window(per_minute, Duration::from_secs(60))
    }

    fn per_window(per_window: usize, window: Duration) -> Self {
        Self {
            per_window,
            window,
            dispatcher: OnceLock::new(),
            waiting: Arc::default(),
        }
    }

    /// Returns when one more request may leave now, taking the turn of the address the
    /// current task quotes for ([`on_behalf_of`]).
    pub async fn take(&self) {
        if self.per_window == 0 {
            return;
        }
        let requester = ON_BEHALF_OF.try_with(|address| *address).ok().flatten();
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Leave(&self.waiting);
        let (grant, granted) = oneshot::channel();
        let dispatcher = self.dispatcher.get_or_init(|| {
            let (inbox, requests) = mpsc::unbounded_channel();
            tokio::spawn(dispatch(self.per_window, self.window, requests));
            inbox
        });
        if dispatcher.send(Turn { requester, grant }).is_ok() {
            // The dispatcher only ends when the budget does: a closed grant cannot happen here.
            let _ = granted.await;
        }
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

/// The waiting requests, one queue per requester, served round robin.
#[derive(Default)]
struct Queues {
    by_requester: HashMap<Requester, VecDeque<oneshot::Sender<()>>>,
    /// Requesters with someone waiting, in the order of their next turn.
    ring: VecDeque<Requester>,
}

impl Queues {
    fn push(&mut self, turn: Turn) {
        let queue = self.by_requester.entry(turn.requester).or_default();
        if queue.is_empty() {
            self.ring.push_back(turn.requester);
        }
        queue.push_back(turn.grant);
    }

    fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// The next waiter still waiting, in round-robin order; those who gave up are dropped.
    fn next(&mut self) -> Option<oneshot::Sender<()>> {
        while let Some(requester) = self.ring.pop_front() {
            let queue = self.by_requester.get_mut(&requester)?;
            let waiter = std::iter::from_fn(|| queue.pop_front()).find(|w| !w.is_closed());
            if queue.is_empty() {
                self.by_requester.remove(&requester);
            } else {
                self.ring.push_back(requester);
            }
            if waiter.is_some() {
                return waiter;
            }
        }
        None
    }
}

/// Hands out turns: whenever the last window has room, to the next requester in the ring.
async fn dispatch(
    per_window: usize,
    window: Duration,
    mut requests: mpsc::UnboundedReceiver<Turn>,
) {
    let mut queues = Queues::default();
    let mut sent: VecDeque<Instant> = VecDeque::with_capacity(per_window);
    loop {
        while let Ok(turn) = requests.try_recv() {
            queues.push(turn);
        }
        if queues.is_empty() {
            match requests.recv().await {
                Some(turn) => queues.push(turn),
                None => return,
            }
            continue;
        }
        if sent.len() == per_window {
            let free_at = sent
                .front()
                .map_or_else(Instant::now, |&t| t + window + MARGIN);
            tokio::select! {
                () = tokio::time::sleep_until(free_at) => {
                    sent.pop_front();
                }
                // Someone new may join the ring before the turn is handed out.
                turn = requests.recv() => match turn {
                    Some(turn) => queues.push(turn),
                    None => return,
                },
            }
            continue;
        }
        if let Some(waiter) = queues.next()
            && waiter.send(()).is_ok()
        {
            sent.push_back(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn address(n: u8) -> ClientKey {
        ClientKey::of(std::net::IpAddr::from([192, 0, 2, n]))
    }

    /// `n` requests for `requester`, spawned now; each answers with when it got its turn.
    fn spawn_takes(
        budget: &Arc<UpstreamBudget>,
        requester: Requester,
        n: usize,
        tasks: &mut tokio::task::JoinSet<(Requester, Instant)>,
    ) {
        for _ in 0..n {
            let budget = budget.clone();
            tasks.spawn(async move {
                on_behalf_of(requester, budget.take()).await;
                (requester, Instant::now())
            });
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_waits_its_turn_and_never_exceeds_the_rate_in_any_window() {
        let budget = Arc::new(UpstreamBudget::new(10));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        spawn_takes(&budget, None, 35, &mut tasks);
        tokio::task::yield_now().await;
        assert!(budget.waiting() > 0);
        let mut times: Vec<Instant> = tasks.join_all().await.into_iter().map(|(_, t)| t).collect();
        times.sort();
        assert_eq!(busiest_second(&times), 10);
        // The first ten go at once, then ten every window (and its margin).
        assert_eq!(times[9], start);
        assert_eq!(times[10], start + WINDOW + MARGIN);
        assert_eq!(times[34], start + 3 * (WINDOW + MARGIN));
        assert_eq!(budget.waiting(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_flooding_address_does_not_delay_another_beyond_a_turn_each() {
        let budget = Arc::new(UpstreamBudget::new(10));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        // One address asks for ten seconds' worth of turns at once...
        spawn_takes(&budget, Some(address(1)), 100, &mut tasks);
        tokio::time::sleep(Duration::from_millis(1)).await;
        // ...then two others ask for three each, and anonymous tooling for one.
        spawn_takes(&budget, Some(address(2)), 3, &mut tasks);
        spawn_takes(&budget, Some(address(3)), 3, &mut tasks);
        spawn_takes(&budget, None, 1, &mut tasks);
        let mut turns = tasks.join_all().await;
        turns.sort_by_key(|(_, t)| *t);
        let times: Vec<Instant> = turns.iter().map(|(_, t)| *t).collect();
        assert_eq!(
            busiest_second(&times),
            10,
            "fairness costs no extra request"
        );
        let last_of = |who: Requester| {
            turns
                .iter()
                .filter(|(r, _)| *r == who)
                .map(|(_, t)| *t)
                .max()
                .unwrap()
        };
        // The flood took the first window; then the ring goes 1, 2, 3, none, 1, 2, 3, 1, 2, 3:
        // everyone else is done within the second window.
        assert_eq!(last_of(Some(address(2))), start + WINDOW + MARGIN);
        assert_eq!(last_of(Some(address(3))), start + WINDOW + MARGIN);
        assert_eq!(last_of(None), start + WINDOW + MARGIN);
        let second_window: Vec<Requester> = turns[10..20].iter().map(|(r, _)| *r).collect();
        assert_eq!(
            second_window
                .iter()
                .filter(|r| **r == Some(address(1)))
                .count(),
            3,
            "{second_window:?}"
        );
        assert_eq!(last_of(Some(address(1))), start + 10 * (WINDOW + MARGIN));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_gives_up_leaves_the_queue() {
        let budget = UpstreamBudget::new(1);
        budget.take().await;
        let gave_up = tokio::time::timeout(Duration::from_millis(100), budget.take()).await;
        assert!(gave_up.is_err());
        assert_eq!(budget.waiting(), 0);
        let start = Instant::now();
        budget.take().await;
        assert!(Instant::now() - start <= WINDOW + MARGIN);
        // The turn given up went to nobody: the one after it waits a whole window.
        let start = Instant::now();
        budget.take().await;
        assert_eq!(Instant::now() - start, WINDOW + MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_means_no_budget() {
        let budget = UpstreamBudget::new(0);
        for _ in 0..1000 {
            budget.take().await;
        }
        assert_eq!(budget.waiting(), 0);
    }
}
