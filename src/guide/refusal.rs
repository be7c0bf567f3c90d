//! Why a product cannot take a parcel: kept as a reason, not as words, so the quote cache
//! (shared by pages in every language) holds one answer and each page reads it in its own.

use app::i18n::{Texts, W};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Refusal {
    /// Not for this parcel on this route (the general reason).
    NotOffered,
    /// Over the product's weight limit, when the guide says what it is...
    WeightLimit { max_kg: u32 },
    /// ...and when it does not.
    TooHeavy,
    /// Over the product's size (longest, middle, shortest side).
    Size { cm: [u32; 3] },
    /// Its longest side is over the limit.
    LongestSide { max_cm: u32 },
    /// Too big, the guide does not say how.
    TooBig,
    /// Not between these two countries.
    Countries,
    /// Not at one of these addresses.
    Coverage,
}

impl Refusal {
    /// The reason in the page's words, as the card shows it under its headline.
    pub fn words(self, t: Texts) -> String {
        match self {
            Refusal::NotOffered => t.get(W::RefusedNotOffered).to_owned(),
            Refusal::WeightLimit { max_kg } => {
                t.fill(W::RefusedWeightLimit, &[("kg", &max_kg.to_string())])
            }
            Refusal::TooHeavy => t.get(W::RefusedTooHeavy).to_owned(),
            Refusal::Size { cm: [a, b, c] } => {
                t.fill(W::RefusedSize, &[("size", &format!("{a} × {b} × {c}"))])
            }
            Refusal::LongestSide { max_cm } => {
                t.fill(W::RefusedLongestSide, &[("cm", &max_cm.to_string())])
            }
            Refusal::TooBig => t.get(W::RefusedTooBig).to_owned(),
            Refusal::Countries => t.get(W::RefusedCountries).to_owned(),
            Refusal::Coverage => t.get(W::RefusedCoverage).to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::i18n::Lang;

    #[test]
    fn each_reason_reads_in_both_languages() {
        let (en, nb) = (Texts::new(Lang::En, false), Texts::new(Lang::Nb, false));
        for (refusal, english, bokmal) in [
            (
                Refusal::WeightLimit { max_kg: 5 },
                "Carries up to 5 kg",
                "Tar opptil 5 kg",
            ),
            (
                Refusal::Size { cm: [35, 25, 12] },
                "Fits parcels up to 35 × 25 × 12 cm",
                "Tar pakker opptil 35 × 25 × 12 cm",
            ),
            (
                Refusal::LongestSide { max_cm: 120 },
                "Longest side up to 120 cm",
                "Lengste side opptil 120 cm",
            ),
            (
                Refusal::NotOffered,
                "Not offered for this parcel on this route",
                "Tilbys ikke for denne pakken på denne strekningen",
            ),
        ] {
            assert_eq!(refusal.words(en), english);
            assert_eq!(refusal.words(nb), bokmal);
        }
        for refusal in [
            Refusal::TooHeavy,
            Refusal::TooBig,
            Refusal::Countries,
            Refusal::Coverage,
        ] {
            assert!(!refusal.words(nb).is_empty());
            assert_ne!(refusal.words(en), refusal.words(nb), "{refusal:?}");
        }
    }

    #[test]
    fn a_cached_reason_keeps_its_wire_form() {
        let json = serde_json::to_string(&Refusal::WeightLimit { max_kg: 5 }).unwrap();
        assert_eq!(json, r#"{"why":"weight_limit","max_kg":5}"#);
    }
}
