//! When a parcel leaves. Each service has a cut-off time on Norway's clock: handed in before
//! it on a working day, the parcel ships that day; after it, or on a weekend or public
//! holiday, on the next working day. The guide is asked for that day (Bring counts lead
//! times from the shipping date), so delivery dates count from when the parcel really leaves.

use super::calendar::{is_working_day, oslo_time};
use app::model::{Dispatch, ProductId};
use time::macros::time;
use time::{Date, OffsetDateTime, Time};

/// The last hand-in time for shipping the same day: our own agreements with the terminals,
/// not the guide's (Bring's API has no cut-offs).
pub fn cutoff(product: &ProductId) -> Time {
    match product.as_str() {
        // Picked up by a courier in the afternoon.
        "4850" => time!(17:00),
        // Mailbox parcels go with the letter post's evening sort.
        "3584" => time!(16:00),
        // Evening home delivery is planned the day before.
        "5600" => time!(14:00),
        // Pallets need a truck booked.
        "5100" => time!(12:00),
        // Customs declarations are made before the border trucks leave.
        "0340" | "0349" | "0330" => time!(13:00),
        _ => time!(15:00),
    }
}

/// When `product` ships if handed in at `now`.
pub fn dispatch(product: &ProductId, now: OffsetDateTime) -> (Date, Dispatch) {
    let order_by = cutoff(product);
    let local = oslo_time(now);
    let today = local.date();
    let ships = if is_working_day(today) && local.time() < order_by {
        today
    } else {
        next_working_day(today)
    };
    let dispatch = Dispatch {
        order_by: format!("{:02}:{:02}", order_by.hour(), order_by.minute()),
        ships: ships.to_string(),
        today: ships == today,
    };
    (ships, dispatch)
}

fn next_working_day(mut date: Date) -> Date {
    loop {
        date = date.next_day().unwrap_or(date);
        if is_working_day(date) {
            return date;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn ships(product: &str, now: OffsetDateTime) -> (Date, bool) {
        let (date, dispatch) = dispatch(&ProductId::new(product), now);
        assert_eq!(dispatch.ships, date.to_string());
        (date, dispatch.today)
    }

    #[test]
    fn before_the_cutoff_it_ships_today_after_it_the_next_working_day() {
        // Friday 4 December 2026, winter: Oslo is UTC+1.
        assert_eq!(
            ships("5800", datetime!(2026-12-04 13:59 UTC)),
            (date!(2026 - 12 - 04), true)
        );
        assert_eq!(
            ships("5800", datetime!(2026-12-04 14:00 UTC)),
            (date!(2026 - 12 - 07), false),
            "15:00 in Oslo on a Friday: Monday"
        );
        // Each service has its own cut-off.
        assert_eq!(
            ships("4850", datetime!(2026-12-04 15:30 UTC)),
            (date!(2026 - 12 - 04), true)
        );
        assert_eq!(
            ships("5100", datetime!(2026-12-04 11:00 UTC)),
            (date!(2026 - 12 - 07), false)
        );
        assert_eq!(
            dispatch(&ProductId::new("5600"), datetime!(2026-12-04 08:00 UTC))
                .1
                .order_by,
            "14:00"
        );
    }

    #[test]
    fn weekends_holidays_and_summer_time_move_the_day() {
        // Saturday morning: Monday.
        assert_eq!(
            ships("5800", datetime!(2026-12-05 08:00 UTC)),
            (date!(2026 - 12 - 07), false)
        );
        // Wednesday 23 December after the cut-off: Christmas Day and Boxing Day, then the
        // weekend: Monday 28th.
        assert_eq!(
            ships("5800", datetime!(2026-12-23 16:00 UTC)),
            (date!(2026 - 12 - 24), false)
        );
        assert_eq!(
            ships("5800", datetime!(2026-12-24 15:00 UTC)),
            (date!(2026 - 12 - 28), false)
        );
        // Summer: 13:30 UTC is 15:30 in Oslo, past the cut-off.
        assert_eq!(
            ships("5800", datetime!(2026-06-10 13:30 UTC)),
            (date!(2026 - 06 - 11), false)
        );
        // Maundy Thursday 2026 morning: Tuesday after Easter Monday.
        assert_eq!(
            ships("5800", datetime!(2026-04-02 07:00 UTC)),
            (date!(2026 - 04 - 07), false)
        );
    }
}
