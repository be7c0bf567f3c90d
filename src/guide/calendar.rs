//! Shipping dates: "today" where the parcels are handed in (Norway), and working days: Monday
//! to Friday except Norway's public holidays (helligdager), Easter's among them.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset, Weekday};

/// Today's date in Norway: a search at 00:30 in Oslo ships today, not on the UTC date.
pub fn oslo_today() -> Date {
    oslo_date(OffsetDateTime::now_utc())
}

/// The date in Norway at a given instant.
pub fn oslo_date(now: OffsetDateTime) -> Date {
    oslo_time(now).date()
}

/// The wall-clock time in Norway at a given instant: UTC+1, UTC+2 in summer (EU rule: from
/// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October).
pub fn oslo_time(now: OffsetDateTime) -> PrimitiveDateTime {
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
    let local = now + time::Duration::hours(hours);
    PrimitiveDateTime::new(local.date(), local.time())
}

fn last_sunday(year: i32, month: Month) -> Date {
    let last_day = Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MIN);
    // The Sunday strictly before the day after the month ends.
    let after = last_day.next_day().unwrap_or(last_day);
    after.prev_occurrence(Weekday::Sunday)
}

/// The date `days` working days after `date`.
pub fn add_working_days(mut date: Date, days: u32) -> Date {
    let mut left = days;
    while left > 0 {
        date = date.next_day().unwrap_or(date);
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// Monday to Friday, and not a public holiday in Norway.
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_public_holiday(date)
}

/// Norway's public holidays: New Year's Day, Maundy Thursday, Good Friday, Easter Sunday and
/// Monday, 1 May, Constitution Day (17 May), Ascension Day, Whit Sunday and Monday, and
/// Christmas Day and Boxing Day.
pub fn is_public_holiday(date: Date) -> bool {
    use Month::*;
    let fixed = matches!(
        (date.month(), date.day()),
        (January, 1) | (May, 1) | (May, 17) | (December, 25) | (December, 26)
    );
    let from_easter = easter_sunday(date.year())
        .map(|easter| (date - easter).whole_days())
        .is_some_and(|d| matches!(d, -3 | -2 | 0 | 1 | 39 | 49 | 50));
    fixed || from_easter
}

/// Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
fn easter_sunday(year: i32) -> Option<Date> {
    let a = year % 19;
    let (b, c) = (year / 100, year % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = Month::try_from(month as u8).ok()?;
    Date::from_calendar_date(year, month, day as u8).ok()
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
        assert_eq!(
            oslo_time(datetime!(2026-12-04 13:59 UTC)),
            datetime!(2026-12-04 14:59)
        );
        assert_eq!(
            oslo_time(datetime!(2026-06-04 13:59 UTC)),
            datetime!(2026-06-04 15:59)
        );
    }

    #[test]
    fn easter_falls_on_its_published_dates() {
        for (year, easter) in [
            (2019, date!(2019 - 04 - 21)),
            (2024, date!(2024 - 03 - 31)),
            (2025, date!(2025 - 04 - 20)),
            (2026, date!(2026 - 04 - 05)),
            (2027, date!(2027 - 03 - 28)),
            (2028, date!(2028 - 04 - 16)),
            (2038, date!(2038 - 04 - 25)),
            (2285, date!(2285 - 03 - 22)),
        ] {
            assert_eq!(easter_sunday(year), Some(easter), "{year}");
        }
    }

    #[test]
    fn norways_public_holidays_of_2026_and_2027() {
        let holidays_2026 = [
            date!(2026 - 01 - 01),
            date!(2026 - 04 - 02), // Maundy Thursday
            date!(2026 - 04 - 03), // Good Friday
            date!(2026 - 04 - 05),
            date!(2026 - 04 - 06), // Easter Monday
            date!(2026 - 05 - 01),
            date!(2026 - 05 - 14), // Ascension Day
            date!(2026 - 05 - 17),
            date!(2026 - 05 - 24), // Whit Sunday
            date!(2026 - 05 - 25), // Whit Monday
            date!(2026 - 12 - 25),
            date!(2026 - 12 - 26),
        ];
        let mut day = date!(2026 - 01 - 01);
        let mut found = Vec::new();
        while day.year() == 2026 {
            if is_public_holiday(day) {
                found.push(day);
            }
            day = day.next_day().unwrap();
        }
        assert_eq!(found, holidays_2026);
        // 2027: Easter on 28 March, so Ascension on 6 May and Whit Monday on 17 May.
        for holiday in [
            date!(2027 - 03 - 25),
            date!(2027 - 03 - 29),
            date!(2027 - 05 - 06),
            date!(2027 - 05 - 17),
        ] {
            assert!(is_public_holiday(holiday), "{holiday}");
        }
        assert!(!is_public_holiday(date!(2027 - 04 - 05)));
        assert!(
            !is_public_holiday(date!(2026 - 12 - 24)),
            "Christmas Eve is a working day"
        );
    }

    #[test]
    fn working_days_skip_holidays() {
        // Wednesday before Easter 2026 + 1 working day: Tuesday after Easter Monday.
        assert_eq!(
            add_working_days(date!(2026 - 04 - 01), 1),
            date!(2026 - 04 - 07)
        );
        // Christmas 2026 (Friday, Saturday): from Wednesday 23rd, 2 working days is the 28th.
        assert_eq!(
            add_working_days(date!(2026 - 12 - 23), 2),
            date!(2026 - 12 - 28)
        );
        // 17 May 2027 is Whit Monday and Constitution Day at once: one day off, not two.
        assert_eq!(
            add_working_days(date!(2027 - 05 - 14), 1),
            date!(2027 - 05 - 18)
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
