//! A search hedged over both tiers counts once. When the socket is slow to accept a search the
//! page sends the same request over HTTP too (docs/architecture.md §4, the hedge); charging both would halve
//! the budget of exactly the customers behind slow proxies. So the tier that pays leaves a
//! ticket: the same session's same request is let through once on the other tier, for a
//! short while. Every other repeat pays again.

use super::caller::SessionKey;
use app::model::SearchRequest;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a ticket lasts: a hedge starts within seconds, a fallback within the 15 s the
/// page waits on a silent socket.
pub const WINDOW: Duration = Duration::from_secs(30);

/// Which tier a search came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Socket,
    Http,
}

#[derive(Default)]
pub struct Tickets {
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    tickets: HashMap<(SessionKey, u64), (Tier, Instant)>,
    /// Expired tickets are swept when the table has doubled since the last sweep.
    swept_len: usize,
}

/// The same request gives the same number on every instance (all run the same binary).
pub fn fingerprint(request: &SearchRequest) -> u64 {
    let mut hasher = DefaultHasher::new();
    request.hash(&mut hasher);
    hasher.finish()
}

impl Tickets {
    /// Admits a search, free if the other tier paid for it within the window. `pay` is asked
    /// otherwise; when it agrees, the search leaves a ticket for the other tier.
    pub fn admit<E>(
        &self,
        session: SessionKey,
        tier: Tier,
        request: &SearchRequest,
        now: Instant,
        pay: impl FnOnce() -> Result<(), E>,
    ) -> Result<(), E> {
        let key = (session, fingerprint(request));
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&(paid_on, at)) = open.tickets.get(&key)
            && paid_on != tier
            && now.duration_since(at) < WINDOW
        {
            open.tickets.remove(&key);
            return Ok(());
        }
        pay()?;
        open.tickets.insert(key, (tier, now));
        if open.tickets.len() > 2 * open.swept_len.max(1024) {
            open.tickets
                .retain(|_, (_, at)| now.duration_since(*at) < WINDOW);
            open.swept_len = open.tickets.len();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::caller::ClientKey;
    use std::cell::Cell;

    fn request(to: &str) -> SearchRequest {
        SearchRequest::between(("NO", "0150"), ("NO", to), 1000)
    }

    #[test]
    fn the_other_tier_rides_free_once_within_the_window() {
        let tickets = Tickets::default();
        let session = SessionKey::Anonymous(ClientKey::of("192.0.2.1".parse().unwrap()));
        let paid = Cell::new(0);
        let pay = || {
            paid.set(paid.get() + 1);
            Ok::<(), ()>(())
        };
        let t0 = Instant::now();
        let search = request("9900");
        tickets
            .admit(session, Tier::Socket, &search, t0, pay)
            .unwrap();
        tickets
            .admit(session, Tier::Http, &search, t0, pay)
            .unwrap();
        assert_eq!(paid.get(), 1, "hedged: counted once");
        // The ticket is used up: a third time pays, and a fourth on the same tier pays too.
        tickets
            .admit(session, Tier::Http, &search, t0, pay)
            .unwrap();
        tickets
            .admit(session, Tier::Http, &search, t0, pay)
            .unwrap();
        assert_eq!(paid.get(), 3);
        // A different request pays.
        tickets
            .admit(session, Tier::Socket, &request("0001"), t0, pay)
            .unwrap();
        assert_eq!(paid.get(), 4);
        // Too late for a hedge: pays.
        tickets
            .admit(session, Tier::Socket, &search, t0 + WINDOW, pay)
            .unwrap();
        assert_eq!(paid.get(), 5);
    }

    #[test]
    fn a_refused_search_leaves_no_ticket_and_sessions_do_not_share_them() {
        let tickets = Tickets::default();
        let a = SessionKey::Anonymous(ClientKey::of("192.0.2.1".parse().unwrap()));
        let b = SessionKey::Anonymous(ClientKey::of("192.0.2.2".parse().unwrap()));
        let now = Instant::now();
        let search = request("9900");
        assert_eq!(
            tickets.admit(a, Tier::Socket, &search, now, || Err("refused")),
            Err("refused")
        );
        assert_eq!(
            tickets.admit(a, Tier::Http, &search, now, || Err("refused")),
            Err("refused")
        );
        tickets
            .admit(a, Tier::Socket, &search, now, || Ok::<_, ()>(()))
            .unwrap();
        assert_eq!(
            tickets.admit(b, Tier::Http, &search, now, || Err("b pays")),
            Err("b pays")
        );
    }

    #[test]
    fn expired_tickets_are_swept() {
        let tickets = Tickets::default();
        let t0 = Instant::now();
        let search = request("9900");
        for n in 0..5000u32 {
            let session =
                SessionKey::Anonymous(ClientKey::of(std::net::IpAddr::from(n.to_be_bytes())));
            let at = t0 + WINDOW * (n / 1000);
            tickets
                .admit(session, Tier::Socket, &search, at, || Ok::<_, ()>(()))
                .unwrap();
        }
        let left = tickets.open.lock().unwrap().tickets.len();
        assert!(left <= 3000, "{left} tickets kept");
    }
}
