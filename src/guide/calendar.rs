//! Shipping dates: "today" where the parcels are handed in (Norway), and working days.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

/// Today's date in Norway: a search at 00:30 in Oslo ships today, not on the UTC date.
pub fn oslo_today() -> Date {
    oslo_date(OffsetDateTime::now_utc())
}

/// The date in Norway at a given instant: UTC+1, UTC+2 in summer (EU rule: from 01:00 UTC on
/// the last Sunday of March to 01:00 UTC on the last Sunday of October).
pub fn oslo_date(now: OffsetDateTime) -> Date {
    let now = now.to_offset(UtcOffset::UTC);
    let year = now.year();
    let switch = |month| {
        let date = last_sunday(year, month);
        date.with_hms(1, 0, 0).map(|t| t.assume_utc())
    };
    let summer = match (switch(Month::March), switch(Month::October)) {
        (Ok(start), Ok(end)) => now >= start && now < end,
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    (now + time::Duration::hours(hours)).date()
}

fn last_sunday(year: i32, month: Month) -> Date {
    let last_day = Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MIN);
    // The Sunday strictly before the day after the month ends.
    let after = last_day.next_day().unwrap_or(last_day);
    after.prev_occurrence(Weekday::Sunday)
}

/// The date `days` working days (Monday to Friday) after `date`.
pub fn add_working_days(mut date: Date, days: u32) -> Date {
    let mut left = days;
    while left > 0 {
        date = date.next_day().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn norway_is_an_hour_ahead_in_winter_and_two_in_summer() {
        assert_eq!(
            oslo_date(datetime!(2026-11-29 22:59 UTC)),
            date!(2026 - 11 - 29)
        );
        assert_eq!(
            oslo_date(datetime!(2026-11-29 23:00 UTC)),
            date!(2026 - 11 - 30)
        );
        assert_eq!(
            oslo_date(datetime!(2026-07-01 21:59 UTC)),
            date!(2026 - 07 - 01)
        );
        assert_eq!(
            oslo_date(datetime!(2026-07-01 22:00 UTC)),
            date!(2026 - 07 - 02)
        );
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(last_sunday(2026, Month::March), date!(2026 - 03 - 29));
        assert_eq!(last_sunday(2026, Month::October), date!(2026 - 10 - 25));
        assert_eq!(
            oslo_date(datetime!(2026-03-28 22:30 UTC)),
            date!(2026 - 03 - 28)
        );
        assert_eq!(
            oslo_date(datetime!(2026-10-24 22:30 UTC)),
            date!(2026 - 10 - 25)
        );
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday + 1 working day = Monday.
        assert_eq!(
            add_working_days(date!(2026 - 11 - 27), 1),
            date!(2026 - 11 - 30)
        );
        assert_eq!(
            add_working_days(date!(2026 - 11 - 27), 5),
            date!(2026 - 12 - 04)
        );
        assert_eq!(
            add_working_days(date!(2026 - 11 - 27), 0),
            date!(2026 - 11 - 27)
        );
    }
}
