//! Where in Norway a postal code lies: the plan needs Svalbard, the simulator's prices and lead
//! times need the rest, and the server's logs name routes by region instead of postal code.

/// A part of Norway, for prices and lead times; `Svalbard` has its own product rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    Oslo,
    East,
    South,
    West,
    Trondelag,
    Nordland,
    Troms,
    Svalbard,
    Finnmark,
    EastFinnmark,
}

impl Region {
    /// The region of a Norwegian postal code (already validated: four digits).
    pub fn of(postal_code: &str) -> Region {
        let n: u32 = postal_code.parse().unwrap_or(0);
        match n {
            9170..=9179 => Region::Svalbard,
            0..=1299 => Region::Oslo,
            1300..=3999 => Region::East,
            4000..=4999 => Region::South,
            5000..=6999 => Region::West,
            7000..=7999 => Region::Trondelag,
            8000..=8999 => Region::Nordland,
            9000..=9499 => Region::Troms,
            9500..=9899 => Region::Finnmark,
            _ => Region::EastFinnmark,
        }
    }

    pub fn zone(self) -> u32 {
        match self {
            Region::Oslo => 0,
            Region::East => 1,
            Region::South => 2,
            Region::West => 3,
            Region::Trondelag => 4,
            Region::Nordland => 6,
            // Svalbard goes by way of Tromsø.
            Region::Troms | Region::Svalbard => 7,
            Region::Finnmark => 8,
            Region::EastFinnmark => 9,
        }
    }

    pub fn far_north(self) -> bool {
        self.zone() >= 6
    }
}
