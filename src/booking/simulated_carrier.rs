//! The carrier the configuration uses without Bring's Booking API: books at once with a
//! made-up parcel number and our own label.

use super::carrier::{BookFuture, Booked, Carrier, CarrierError, Shipment};
use super::label;
use std::time::Duration;

/// Books at once (after a moment, like a real system), with a made-up parcel number and our
/// own label. `failure_rate` of the bookings fail as an unavailable service would.
pub struct Simulator {
    pub latency: Duration,
    pub failure_rate: f64,
}

impl Carrier for Simulator {
    fn book(&self, shipment: &Shipment) -> BookFuture {
        let fail = self.failure_rate > 0.0 && unit_random() < self.failure_rate;
        let number = parcel_number();
        let label = (!fail).then(|| label::render(&label::Label::of(shipment), &number));
        let latency = self.latency;
        Box::pin(async move {
            tokio::time::sleep(latency).await;
            match label {
                None => Err(CarrierError::Refused {
                    status: 503,
                    message:
                        "the simulated booking service failed (BOOKING_SIMULATOR_FAILURE_RATE)"
                            .into(),
                }),
                Some(label) => Ok(Booked {
                    tracking_url: format!("https://tracking.bring.com/tracking/{number}"),
                    shipment_number: number,
                    label,
                }),
            }
        })
    }
}

fn unit_random() -> f64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS provides randomness");
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// An 18-digit parcel number as GS1 makes them: `370`, fourteen digits, a check digit.
pub fn parcel_number() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS provides randomness");
    let body = format!("370{:014}", u64::from_le_bytes(bytes) % 100_000_000_000_000);
    format!("{body}{}", gs1_check_digit(&body))
}

/// GS1's mod-10 check digit: weights 3 and 1 alternating from the right.
fn gs1_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parcel_numbers_carry_gs1_check_digits() {
        // The EAN-13 of the textbook example, 400638133393 1: the same rule.
        assert_eq!(gs1_check_digit("400638133393"), 1);
        let n = parcel_number();
        assert_eq!(n.len(), 18);
        assert!(n.starts_with("370"));
        let (body, check) = n.split_at(17);
        assert_eq!(check.parse::<u32>().unwrap(), gs1_check_digit(body));
    }
}
