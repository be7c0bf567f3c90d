//! The wall clock shipping days are read from (cut-offs, shipping dates): the real one, or
//! one set to start at a chosen instant (`CLOCK_START`, for staging and tests: "what does the
//! page say on Christmas Eve at 14:55?") that runs on from there in real time. Limits, caches
//! and timeouts never read it: they run on the monotonic clock.

use std::time::Instant;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    started: Option<(OffsetDateTime, Instant)>,
}

impl Clock {
    pub fn system() -> Self {
        Self { started: None }
    }

    /// A clock that reads `at` now and runs on from there.
    pub fn starting_at(at: OffsetDateTime) -> Self {
        Self {
            started: Some((at, Instant::now())),
        }
    }

    /// An RFC 3339 instant, e.g. `2026-12-04T14:55:00+01:00`.
    pub fn parse(text: &str) -> Result<Self, String> {
        OffsetDateTime::parse(text.trim(), &Rfc3339)
            .map(Self::starting_at)
            .map_err(|_| "expected an RFC 3339 instant, e.g. 2026-12-04T14:55:00+01:00".into())
    }

    pub fn now(&self) -> OffsetDateTime {
        match self.started {
            None => OffsetDateTime::now_utc(),
            Some((at, since)) => at + since.elapsed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_started_clock_reads_its_start_and_runs_on() {
        let clock = Clock::parse("2026-12-24T14:55:00+01:00").unwrap();
        let now = clock.now();
        assert!(now >= datetime!(2026-12-24 13:55 UTC));
        assert!(now < datetime!(2026-12-24 13:56 UTC));
        assert!(Clock::parse("24.12.2026").is_err());
        let real = Clock::system().now();
        assert!((OffsetDateTime::now_utc() - real).whole_seconds().abs() < 5);
    }
}
