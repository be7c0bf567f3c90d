//! Why a product cannot take a parcel: kept as a reason, not as words, so the quote cache
//! (shared by pages in every language) holds one answer and each page reads it in its own.

use app::i18n::{Texts, W};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Ineligibility {
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

impl Ineligibility {
    /// The reason in the page's words, as the card shows it under its headline.
    pub fn words(self, t: Texts) -> String {
        match self {
            Ineligibility::NotOffered => t.get(W::IneligibleNotOffered).to_owned(),
            Ineligibility::WeightLimit { max_kg } => {
                t.fill(W::IneligibleWeightLimit, &[("kg", &max_kg.to_string())])
            }
            Ineligibility::TooHeavy => t.get(W::IneligibleTooHeavy).to_owned(),
            Ineligibility::Size { cm: [a, b, c] } => {
                t.fill(W::IneligibleSize, &[("size", &format!("{a} × {b} × {c}"))])
            }
            Ineligibility::LongestSide { max_cm } => {
                t.fill(W::IneligibleLongestSide, &[("cm", &max_cm.to_string())])
            }
            Ineligibility::TooBig => t.get(W::IneligibleTooBig).to_owned(),
            Ineligibility::Countries => t.get(W::IneligibleCountries).to_owned(),
            Ineligibility::Coverage => t.get(W::IneligibleCoverage).to_owned(),
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
        for (why, english, bokmal) in [
            (
                Ineligibility::WeightLimit { max_kg: 5 },
                "Carries up to 5 kg",
                "Tar opptil 5 kg",
            ),
            (
                Ineligibility::Size { cm: [35, 25, 12] },
                "Fits parcels up to 35 × 25 × 12 cm",
                "Tar pakker opptil 35 × 25 × 12 cm",
            ),
            (
                Ineligibility::LongestSide { max_cm: 120 },
                "Longest side up to 120 cm",
                "Lengste side opptil 120 cm",
            ),
            (
                Ineligibility::NotOffered,
                "Not offered for this parcel on this route",
                "Tilbys ikke for denne pakken på denne strekningen",
            ),
        ] {
            assert_eq!(why.words(en), english);
            assert_eq!(why.words(nb), bokmal);
        }
        for why in [
            Ineligibility::TooHeavy,
            Ineligibility::TooBig,
            Ineligibility::Countries,
            Ineligibility::Coverage,
        ] {
            assert!(!why.words(nb).is_empty());
            assert_ne!(why.words(en), why.words(nb), "{why:?}");
        }
    }

    #[test]
    fn a_cached_reason_keeps_its_wire_form() {
        let json = serde_json::to_string(&Ineligibility::WeightLimit { max_kg: 5 }).unwrap();
        assert_eq!(json, r#"{"why":"weight_limit","max_kg":5}"#);
    }
}
