//! The built-in shipping guide: deterministic rules modelled on Bring's Shipping Guide API v2.
//!
//! # Rule table
//! Routes are classified from the postal code. Norway: the first two digits give the region.
//!
//! | postal codes | region          | zone |
//! |--------------|-----------------|------|
//! | 0000–1299    | Oslo area       | 0    |
//! | 1300–3999    | Eastern Norway  | 1    |
//! | 4000–4999    | Southern Norway | 2    |
//! | 5000–6999    | Western Norway  | 3    |
//! | 7000–7999    | Trøndelag       | 4    |
//! | 8000–8999    | Nordland        | 6    |
//! | 9000–9499    | Troms           | 7    |
//! | 9170–9179    | **Svalbard**    | –    |
//! | 9500–9899    | Finnmark        | 8    |
//! | 9900–9999    | East Finnmark (Kirkenes) | 9 |
//!
//! Which products serve a route is [`super::plan`], shared with the Bring client. With either
//! end on Svalbard a surcharge applies, lead times are much longer (by air from Tromsø, or the
//! weekly boat for groupage), and no VAT is charged (Svalbard is outside the VAT area).
//!
//! Limits: 3584 up to 5 kg and 35 × 25 × 12 cm (a mailbox); 0340 up to 20 kg; 5100 up to 1,000 kg; all other
//! products 35 kg. Longest side: 120 cm for pickup products, 240 cm for the rest, 400 cm for
//! groupage.
//!
//! Price (without VAT) = (base + per started kg above the first) × (1 + 6 % per zone apart),
//! plus surcharges, counting the volumetric weight (L × W × H / 5000 kg) when it is more, as
//! Bring does; weight limits count the weight itself; VAT 25 % inside mainland Norway, 0 % on export and to Svalbard.
//!
//! Lead time (working days) = collection (1 day extra north of Trøndelag) + transport
//! (1 day within a zone, 2 for 1–2 zones apart, 3 for 3–5, 4 for more); mailbox parcels take one
//! day more, express takes 1 (2 from the far north). Cross-border: 3 days to the Nordics, 5 to
//! nearby EU countries, 6 to the rest of the EU, 8 elsewhere (customs).
//!
//! Latency: domestic parcel products answer in 20–60 ms; express (asks pickup planning)
//! 1–2.5 s; groupage (sea freight schedule) 1.5–3 s; cross-border 0.3–0.8 s to the Nordics and
//! 1–3 s elsewhere (customs). All scaled by `GUIDE_LATENCY_SCALE`. A `GUIDE_FAILURE_RATE`
//! fraction of quotes fails: half answer with an error, half never answer (the search service's
//! timeout ends them). Which quotes fail and how long each takes are drawn from a hash of the
//! request and product, so the same request always behaves the same.

use super::calendar::add_working_days;
use super::{GuideError, Ineligibility, QuoteFuture, ShippingGuide};
use app::catalogue;
use app::model::{LastMile, LeadTime, MAX_ALTERNATIVES, Money, Offer, ProductId, SearchRequest};
use app::plan::{self, NORDIC};
use app::region::Region;
use std::time::Duration;
use time::Date;

const NEAR_EU: [&str; 7] = ["DE", "NL", "BE", "EE", "LV", "LT", "PL"];
const EU: [&str; 4] = ["AT", "ES", "FR", "IT"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Domestic,
    Svalbard,
    CrossBorder,
}

struct Rule {
    id: &'static str,
    kind: Kind,
    max_grams: u32,
    longest_cm: u32,
    base_ore: i64,
    per_kg_ore: i64,
}

const RULES: &[Rule] = &[
    Rule {
        id: "5800",
        kind: Kind::Domestic,
        max_grams: 35_000,
        longest_cm: 120,
        base_ore: 9_900,
        per_kg_ore: 1_200,
    },
    Rule {
        id: "5600",
        kind: Kind::Domestic,
        max_grams: 35_000,
        longest_cm: 240,
        base_ore: 14_900,
        per_kg_ore: 1_500,
    },
    Rule {
        id: "3584",
        kind: Kind::Domestic,
        max_grams: 5_000,
        longest_cm: 35,
        base_ore: 6_900,
        per_kg_ore: 1_000,
    },
    Rule {
        id: "5000",
        kind: Kind::Domestic,
        max_grams: 35_000,
        longest_cm: 240,
        base_ore: 12_900,
        per_kg_ore: 1_100,
    },
    Rule {
        id: "4850",
        kind: Kind::Domestic,
        max_grams: 35_000,
        longest_cm: 240,
        base_ore: 29_900,
        per_kg_ore: 2_500,
    },
    Rule {
        id: "5100",
        kind: Kind::Svalbard,
        max_grams: 1_000_000,
        longest_cm: 400,
        base_ore: 90_000,
        per_kg_ore: 400,
    },
    Rule {
        id: "0340",
        kind: Kind::CrossBorder,
        max_grams: 20_000,
        longest_cm: 120,
        base_ore: 24_900,
        per_kg_ore: 4_000,
    },
    Rule {
        id: "0349",
        kind: Kind::CrossBorder,
        max_grams: 35_000,
        longest_cm: 150,
        base_ore: 32_900,
        per_kg_ore: 4_500,
    },
    Rule {
        id: "0330",
        kind: Kind::CrossBorder,
        max_grams: 35_000,
        longest_cm: 150,
        base_ore: 29_900,
        per_kg_ore: 3_800,
    },
];

const SVALBARD_SURCHARGE_ORE: i64 = 12_000;
const SEA_FREIGHT_BASE_ORE: i64 = 65_000;
const SEA_FREIGHT_PER_KG_ORE: i64 = 150;

fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// FNV-1a: a stable hash, so behaviour does not change between builds.
fn stable_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// How the simulator answers one quote.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// How long the answer takes.
    pub latency: Duration,
    /// The answer is an upstream error (`GUIDE_FAILURE_RATE`)...
    pub fails: bool,
    /// ...or none at all, until the service's quote timeout.
    pub hangs: bool,
}

#[derive(Clone, Debug)]
pub struct Simulator {
    latency_scale: f64,
    failure_rate: f64,
}

impl Simulator {
    pub fn new(latency_scale: f64, failure_rate: f64) -> Self {
        Self {
            latency_scale: latency_scale.max(0.0),
            failure_rate: failure_rate.clamp(0.0, 1.0),
        }
    }

    /// How this simulator answers one quote; deterministic, so the soak test can subtract the
    /// simulator's own latency from what it measures.
    pub fn timing(&self, request: &SearchRequest, product: &ProductId) -> Timing {
        let weight = request.parcel.weight_grams.to_string();
        let draw = stable_hash(&[
            &request.from.country,
            &request.from.postal_code,
            &request.to.country,
            &request.to.postal_code,
            &weight,
            product.as_str(),
        ]);
        // The top 16 bits decide failure, independent of the latency draw.
        let fails = ((draw >> 48) as f64 / 65_536.0) < self.failure_rate;
        Timing {
            latency: rule(product.as_str())
                .map_or(Duration::ZERO, |r| self.latency(request, r, draw)),
            fails,
            hangs: fails && draw & 1 == 0,
        }
    }

    fn latency(&self, request: &SearchRequest, rule: &Rule, draw: u64) -> Duration {
        let (lo, hi) = match rule.kind {
            Kind::Domestic if rule.id == "4850" => (1_000, 2_500),
            Kind::Domestic => (20, 60),
            Kind::Svalbard => (1_500, 3_000),
            Kind::CrossBorder if NORDIC.contains(&request.to.country.as_str()) => (300, 800),
            Kind::CrossBorder => (1_000, 3_000),
        };
        let ms = lo + (draw % (hi - lo + 1));
        Duration::from_secs_f64(ms as f64 / 1000.0 * self.latency_scale)
    }

    /// The offer for a parcel shipped on `ships`, or the reason there is none; pure, so every
    /// rule is testable without waiting.
    pub fn offer(
        &self,
        request: &SearchRequest,
        product: &ProductId,
        ships: Date,
    ) -> Result<Offer, GuideError> {
        let rule = rule(product.as_str())
            .filter(|r| plan::plan(request).contains(&ProductId::new(r.id)))
            .ok_or(GuideError::NotEligible(Ineligibility::NotOffered))?;
        check_size(request, rule)?;

        let (from, to) = (&request.from, &request.to);
        let svalbard = plan::touches_svalbard(request);
        let kg = request.parcel.chargeable_grams().div_ceil(1000).max(1) as i64;
        let mut price = rule.base_ore + (kg - 1) * rule.per_kg_ore;
        let mut working_days = match rule.kind {
            Kind::CrossBorder => {
                let c = to.country.as_str();
                let group_days = if NORDIC.contains(&c) {
                    3
                } else if NEAR_EU.contains(&c) {
                    5
                } else if EU.contains(&c) {
                    6
                } else {
                    price += 15_000; // customs declaration
                    8
                };
                group_days + u32::from(rule.id == "0349")
            }
            Kind::Domestic | Kind::Svalbard => {
                let (a, b) = (Region::of(&from.postal_code), Region::of(&to.postal_code));
                let distance = a.zone().abs_diff(b.zone());
                price = price * (100 + 6 * i64::from(distance)) / 100;
                let collection = u32::from(a.far_north());
                let transport = match distance {
                    0 => 1,
                    1..=2 => 2,
                    3..=5 => 3,
                    _ => 4,
                };
                match rule.id {
                    "4850" => 1 + collection,
                    "3584" => collection + transport + 1,
                    _ => collection + transport,
                }
            }
        };
        if svalbard {
            price += SVALBARD_SURCHARGE_ORE;
            working_days += if rule.id == "5100" {
                price += SEA_FREIGHT_BASE_ORE + kg * SEA_FREIGHT_PER_KG_ORE;
                8 // the weekly boat from Tromsø
            } else {
                4 // by air from Tromsø
            };
        }
        let domestic_vat = from.country == "NO" && to.country == "NO" && !svalbard;
        let with_vat = if domestic_vat {
            price * 125 / 100
        } else {
            price
        };
        let product = catalogue::product(&ProductId::new(rule.id));
        Ok(Offer {
            product_id: ProductId::new(rule.id),
            name: product.map_or_else(|| rule.id.to_owned(), |p| p.name.to_owned()),
            description: product.map_or_else(String::new, |p| p.description.to_owned()),
            price: Money {
                currency: "NOK".into(),
                with_vat_minor: with_vat,
                without_vat_minor: price,
            },
            lead_time: lead_time(
                product.is_some_and(|p| p.choice_of_dates),
                ships,
                working_days,
            ),
            last_mile: last_mile(rule.id, request),
            dispatch: None,
        })
    }
}

/// The expected delivery date, and for the services with a choice of dates (home delivery)
/// the next working days the recipient could choose instead, as Bring offers them.
fn lead_time(choice_of_dates: bool, ships: Date, working_days: u32) -> LeadTime {
    let expected = add_working_days(ships, working_days);
    let alternatives = if choice_of_dates {
        (1..=MAX_ALTERNATIVES as u32)
            .map(|later| add_working_days(expected, later).to_string())
            .collect()
    } else {
        Vec::new()
    };
    LeadTime {
        working_days,
        expected_delivery: expected.to_string(),
        alternatives,
    }
}

/// The last mile as Bring reports it for the services it has environmental data for (not for
/// pickup point parcels, which the recipient collects, nor express): electric in Oslo, electric
/// and bio in the south and the cities, diesel still in part in the north; Nordic cross-border
/// deliveries fossil-free; none for Svalbard or further abroad.
fn last_mile(product: &str, request: &SearchRequest) -> Option<LastMile> {
    let mile = |electric_pct: u8, bio_pct: u8| LastMile {
        fossil_free: electric_pct + bio_pct == 100,
        electric_pct,
        bio_pct,
    };
    let to = &request.to;
    match (product, to.country.as_str()) {
        _ if plan::touches_svalbard(request) => None,
        ("3584" | "5600" | "5000" | "5100", "NO") => Some(match Region::of(&to.postal_code) {
            Region::Oslo => mile(100, 0),
            Region::East | Region::South | Region::West | Region::Trondelag => mile(60, 40),
            _ => mile(20, 30),
        }),
        ("0330" | "0349", "SE" | "DK" | "FI") | ("0340", "SE") => Some(mile(50, 50)),
        _ => None,
    }
}

fn check_size(request: &SearchRequest, rule: &Rule) -> Result<(), GuideError> {
    let p = &request.parcel;
    if p.weight_grams > rule.max_grams {
        return Err(GuideError::NotEligible(Ineligibility::WeightLimit {
            max_kg: rule.max_grams / 1000,
        }));
    }
    let mut dims = [p.length_cm, p.width_cm, p.height_cm].map(|d| d.unwrap_or(0));
    dims.sort_unstable_by(|a, b| b.cmp(a));
    if rule.id == "3584" && (dims[0] > 35 || dims[1] > 25 || dims[2] > 12) {
        return Err(GuideError::NotEligible(Ineligibility::Size {
            cm: [35, 25, 12],
        }));
    }
    if dims[0] > rule.longest_cm {
        return Err(GuideError::NotEligible(Ineligibility::LongestSide {
            max_cm: rule.longest_cm,
        }));
    }
    Ok(())
}

impl ShippingGuide for Simulator {
    fn status(&self) -> crate::stats::GuideStatus {
        crate::stats::GuideStatus::named("simulator")
    }

    fn quote(&self, request: &SearchRequest, product: &ProductId, ships: Date) -> QuoteFuture {
        let Timing {
            latency,
            fails,
            hangs,
        } = self.timing(request, product);
        let answer = self.offer(request, product, ships);
        Box::pin(async move {
            if hangs {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(latency).await;
            if fails {
                return Err(GuideError::Upstream(
                    "Shipping guide error (simulated)".into(),
                ));
            }
            answer
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(from: (&str, &str), to: (&str, &str), grams: u32) -> SearchRequest {
        SearchRequest::between(from, to, grams)
    }

    fn sim() -> Simulator {
        Simulator::new(0.0, 0.0)
    }

    /// Friday 27 November 2026.
    const FRIDAY: Date = time::macros::date!(2026 - 11 - 27);

    fn offer(req: &SearchRequest, id: &str) -> Offer {
        sim().offer(req, &ProductId::new(id), FRIDAY).unwrap()
    }

    const OSLO: (&str, &str) = ("NO", "0150");
    const KIRKENES: (&str, &str) = ("NO", "9900");
    const LONGYEARBYEN: (&str, &str) = ("NO", "9170");

    #[test]
    fn svalbard_costs_a_surcharge_and_takes_longer() {
        assert!(
            sim()
                .offer(
                    &request(OSLO, LONGYEARBYEN, 1200),
                    &ProductId::new("5600"),
                    FRIDAY
                )
                .is_err()
        );
        let mainland = offer(&request(OSLO, ("NO", "9008"), 1200), "5800");
        let svalbard = offer(&request(OSLO, LONGYEARBYEN, 1200), "5800");
        assert!(
            svalbard.price.without_vat_minor
                >= mainland.price.without_vat_minor + SVALBARD_SURCHARGE_ORE
        );
        assert!(svalbard.lead_time.working_days >= mainland.lead_time.working_days + 4);
        // Outside the VAT area.
        assert_eq!(
            svalbard.price.with_vat_minor,
            svalbard.price.without_vat_minor
        );
        let groupage = offer(&request(OSLO, LONGYEARBYEN, 200_000), "5100");
        // Priced to Tromsø plus sea freight.
        assert!(
            groupage.price.without_vat_minor > SEA_FREIGHT_BASE_ORE + 200 * SEA_FREIGHT_PER_KG_ORE
        );
        assert!(groupage.lead_time.working_days >= 10);
    }

    #[test]
    fn other_countries_get_only_cross_border_products_without_vat() {
        let req = request(OSLO, ("DE", "10115"), 2000);
        let o = offer(&req, "0340");
        assert_eq!(o.price.with_vat_minor, o.price.without_vat_minor);
        assert!(sim().offer(&req, &ProductId::new("5800"), FRIDAY).is_err());
        // Customs makes far destinations slower and dearer.
        let us = offer(&request(OSLO, ("US", "10001"), 2000), "0340");
        assert!(us.lead_time.working_days > o.lead_time.working_days);
        assert!(us.price.without_vat_minor > o.price.without_vat_minor);
    }

    #[test]
    fn nordic_senders_to_svalbard_pay_the_surcharge_and_wait_longer() {
        let stockholm = ("SE", "11455");
        let tromso = offer(&request(stockholm, ("NO", "9008"), 1200), "0340");
        let svalbard = offer(&request(stockholm, LONGYEARBYEN, 1200), "0340");
        assert_eq!(
            svalbard.price.without_vat_minor,
            tromso.price.without_vat_minor + SVALBARD_SURCHARGE_ORE
        );
        assert_eq!(
            svalbard.lead_time.working_days,
            tromso.lead_time.working_days + 4
        );
        assert!(
            sim()
                .offer(
                    &request(stockholm, LONGYEARBYEN, 1200),
                    &ProductId::new("0349"),
                    FRIDAY,
                )
                .is_err()
        );
    }

    #[test]
    fn lead_time_depends_on_both_ends() {
        let oslo_oslo = offer(&request(OSLO, ("NO", "0560"), 1000), "5800");
        let kirkenes_oslo = offer(&request(KIRKENES, OSLO, 1000), "5800");
        let oslo_kirkenes = offer(&request(OSLO, KIRKENES, 1000), "5800");
        assert_eq!(oslo_oslo.lead_time.working_days, 1);
        assert!(kirkenes_oslo.lead_time.working_days > oslo_kirkenes.lead_time.working_days);
        assert!(oslo_kirkenes.lead_time.working_days > oslo_oslo.lead_time.working_days);
        // Express is the fastest product on the route.
        let express = offer(&request(OSLO, KIRKENES, 1000), "4850");
        assert!(express.lead_time.working_days < oslo_kirkenes.lead_time.working_days);
    }

    #[test]
    fn delivery_dates_skip_weekends() {
        // Friday + 1 working day = Monday.
        let o = offer(&request(OSLO, ("NO", "0560"), 1000), "5800");
        assert_eq!(o.lead_time.expected_delivery, "2026-11-30");
    }

    #[test]
    fn home_delivery_offers_the_next_three_working_days_and_others_none() {
        // Friday + 1 working day = Monday 30th; then Tuesday to Thursday.
        let home = offer(&request(OSLO, ("NO", "0560"), 1000), "5600");
        assert_eq!(home.lead_time.expected_delivery, "2026-11-30");
        assert_eq!(
            home.lead_time.alternatives,
            ["2026-12-01", "2026-12-02", "2026-12-03"]
        );
        // Over Christmas: expected Wednesday 23rd, then the 24th, 28th and 29th.
        let christmas = sim()
            .offer(
                &request(OSLO, ("NO", "0560"), 1000),
                &ProductId::new("5600"),
                time::macros::date!(2026 - 12 - 22),
            )
            .unwrap();
        assert_eq!(christmas.lead_time.expected_delivery, "2026-12-23");
        assert_eq!(
            christmas.lead_time.alternatives,
            ["2026-12-24", "2026-12-28", "2026-12-29"]
        );
        let pickup = offer(&request(OSLO, ("NO", "0560"), 1000), "5800");
        assert!(pickup.lead_time.alternatives.is_empty());
    }

    #[test]
    fn price_grows_with_weight_and_distance_and_carries_domestic_vat() {
        let light = offer(&request(OSLO, KIRKENES, 1000), "5800");
        let heavy = offer(&request(OSLO, KIRKENES, 10_000), "5800");
        let near = offer(&request(OSLO, ("NO", "0560"), 1000), "5800");
        assert!(heavy.price.without_vat_minor > light.price.without_vat_minor);
        assert!(light.price.without_vat_minor > near.price.without_vat_minor);
        assert_eq!(near.price.without_vat_minor, 9_900);
        assert_eq!(near.price.with_vat_minor, 12_375);
    }

    #[test]
    fn the_last_mile_is_fossil_free_in_the_south_not_in_the_far_north() {
        let oslo = offer(&request(OSLO, ("NO", "0560"), 1000), "5600")
            .last_mile
            .unwrap();
        assert_eq!((oslo.fossil_free, oslo.electric_pct), (true, 100));
        assert!(
            offer(&request(OSLO, ("NO", "5003"), 1000), "3584")
                .last_mile
                .unwrap()
                .fossil_free
        );
        assert!(
            !offer(&request(OSLO, KIRKENES, 1000), "5600")
                .last_mile
                .unwrap()
                .fossil_free
        );
        assert_eq!(
            offer(&request(OSLO, KIRKENES, 1000), "5800").last_mile,
            None,
            "collected at a pickup point"
        );
        assert_eq!(
            offer(&request(OSLO, LONGYEARBYEN, 1000), "5800").last_mile,
            None
        );
    }

    #[test]
    fn a_light_bulky_parcel_is_priced_by_its_volume() {
        let light = request(OSLO, KIRKENES, 2_000);
        let mut bulky = light.clone();
        // 60 × 40 × 40 cm: 19.2 kg by volume, counted as 20 started kg.
        (
            bulky.parcel.length_cm,
            bulky.parcel.width_cm,
            bulky.parcel.height_cm,
        ) = (Some(60), Some(40), Some(40));
        let as_heavy = request(OSLO, KIRKENES, 20_000);
        assert_eq!(offer(&bulky, "5800").price, offer(&as_heavy, "5800").price);
        assert!(
            offer(&bulky, "5800").price.with_vat_minor > offer(&light, "5800").price.with_vat_minor
        );
        // Small and dense: the weight counts.
        let mut small = request(OSLO, KIRKENES, 4_000);
        (
            small.parcel.length_cm,
            small.parcel.width_cm,
            small.parcel.height_cm,
        ) = (Some(35), Some(25), Some(12));
        assert_eq!(
            offer(&small, "5800").price,
            offer(&request(OSLO, KIRKENES, 4_000), "5800").price
        );
    }

    #[test]
    fn weight_and_size_limits_make_products_not_eligible() {
        let heavy = request(OSLO, KIRKENES, 6_000);
        assert!(matches!(
            sim().offer(&heavy, &ProductId::new("3584"), FRIDAY),
            Err(GuideError::NotEligible(Ineligibility::WeightLimit {
                max_kg: 5
            }))
        ));
        assert!(sim().offer(&heavy, &ProductId::new("5800"), FRIDAY).is_ok());
        let too_heavy = request(OSLO, KIRKENES, 36_000);
        for id in ["5800", "5600", "5000", "4850"] {
            assert!(
                sim()
                    .offer(&too_heavy, &ProductId::new(id), FRIDAY)
                    .is_err(),
                "{id}"
            );
        }
        let mut thick = request(OSLO, KIRKENES, 1_000);
        thick.parcel.length_cm = Some(30);
        thick.parcel.width_cm = Some(20);
        thick.parcel.height_cm = Some(12);
        assert!(
            sim().offer(&thick, &ProductId::new("3584"), FRIDAY).is_ok(),
            "a mailbox takes 12 cm"
        );
        thick.parcel.height_cm = Some(13);
        assert!(
            sim()
                .offer(&thick, &ProductId::new("3584"), FRIDAY)
                .is_err()
        );
        thick.parcel.height_cm = Some(130);
        assert!(
            sim()
                .offer(&thick, &ProductId::new("5800"), FRIDAY)
                .is_err()
        );
        assert!(sim().offer(&thick, &ProductId::new("5600"), FRIDAY).is_ok());
        assert!(
            sim()
                .offer(
                    &request(OSLO, ("DE", "10115"), 21_000),
                    &ProductId::new("0340"),
                    FRIDAY,
                )
                .is_err()
        );
    }

    #[test]
    fn slow_products_are_slow_and_fast_ones_fast() {
        let s = Simulator::new(1.0, 0.0);
        let req = request(OSLO, KIRKENES, 1200);
        let draw = |id: &str| stable_hash(&[id]);
        let lat = |id: &str| s.latency(&req, rule(id).unwrap(), draw(id));
        for fast in ["5800", "5600", "3584", "5000"] {
            assert!(lat(fast) <= Duration::from_millis(60), "{fast}");
        }
        assert!(lat("4850") >= Duration::from_secs(1));
        assert!(lat("5100") >= Duration::from_millis(1500));
        assert!(
            s.latency(&request(OSLO, ("US", "10001"), 1), rule("0349").unwrap(), 0)
                >= Duration::from_secs(1)
        );
        assert_eq!(
            Simulator::new(0.0, 0.0).latency(&req, rule("4850").unwrap(), 7),
            Duration::ZERO
        );
    }

    #[tokio::test]
    async fn the_same_request_always_gets_the_same_answer() {
        let s = sim();
        let req = request(OSLO, KIRKENES, 1200);
        let a = s
            .quote(&req, &ProductId::new("5600"), FRIDAY)
            .await
            .unwrap();
        let b = s
            .quote(&req, &ProductId::new("5600"), FRIDAY)
            .await
            .unwrap();
        assert_eq!(a, b);
    }

    #[tokio::test]
    async fn a_failure_rate_makes_that_fraction_fail() {
        let s = Simulator::new(0.0, 0.5);
        let mut failed = 0;
        let mut hung = 0;
        for grams in 1..=200 {
            let req = request(OSLO, KIRKENES, grams * 100);
            let fut = s.quote(&req, &ProductId::new("5800"), FRIDAY);
            match tokio::time::timeout(Duration::from_millis(20), fut).await {
                Err(_) => hung += 1,
                Ok(Err(GuideError::Upstream(_))) => failed += 1,
                Ok(_) => {}
            }
        }
        assert!(
            (70..=130).contains(&(failed + hung)),
            "{failed} + {hung} of 200"
        );
        assert!(failed > 20 && hung > 20, "{failed} failed, {hung} hung");
        let none = Simulator::new(0.0, 0.0);
        assert!(
            none.quote(
                &request(OSLO, KIRKENES, 100),
                &ProductId::new("5800"),
                FRIDAY
            )
            .await
            .is_ok()
        );
    }
}
