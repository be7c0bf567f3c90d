//! Pickup points from Bring's Pickup Point API: `GET {base}/api/pickuppoint/{country}/
//! postalCode/{code}.json`, the ten nearest. Bring allows 60 lookups a minute per address: the
//! lookups take turns in a [`UpstreamBudget`] of that many a minute, and the answers are cached
//! ([`super::Cached`]) for an hour.

use super::{PickupError, PickupPoints, PointsFuture};
use crate::guide::bring::{BringSettings, mybring_http, read_limited};
use crate::guide::budget::UpstreamBudget;
use app::booking::PickupPoint;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Ten points are a few KiB.
const MAX_ANSWER_BYTES: usize = 512 * 1024;

/// The API's answer, as much of it as the page shows (unknown fields are ignored, as Bring asks).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsAnswer {
    #[serde(default)]
    pub pickup_point: Vec<WirePoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WirePoint {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub country_code: String,
    #[serde(default)]
    pub opening_hours_norwegian: String,
    #[serde(default)]
    pub opening_hours_english: String,
    /// A number or a string holding one, depending on the answer's age.
    #[serde(default)]
    pub distance_in_km: Option<serde_json::Value>,
}

impl WirePoint {
    fn to_point(&self) -> PickupPoint {
        let km = match &self.distance_in_km {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => s.trim().replace(',', ".").parse().ok(),
            _ => None,
        };
        PickupPoint {
            id: self.id.clone(),
            name: self.name.clone(),
            street: self.address.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            hours_nb: self.opening_hours_norwegian.clone(),
            hours_en: self.opening_hours_english.clone(),
            distance_m: km.map_or(0, |km| (km * 1000.0).round().max(0.0) as u32),
        }
    }
}

pub struct BringPickupPoints(Arc<PickupApi>);

struct PickupApi {
    http: reqwest::Client,
    base: String,
    budget: UpstreamBudget,
}

impl BringPickupPoints {
    pub fn new(settings: &BringSettings) -> Result<Self, String> {
        Ok(Self(Arc::new(PickupApi {
            http: mybring_http(settings)?,
            base: settings.pickup_point_url.trim_end_matches('/').to_owned(),
            budget: UpstreamBudget::per_minute(settings.pickup_points_per_minute as usize),
        })))
    }
}

impl PickupPoints for BringPickupPoints {
    fn nearest(&self, country: &str, postal_code: &str) -> PointsFuture {
        let client = self.0.clone();
        let url = format!(
            "{}/api/pickuppoint/{}/postalCode/{}.json",
            client.base,
            app::location::encode(country),
            app::location::encode(postal_code)
        );
        Box::pin(async move {
            client.budget.take().await;
            let failed = |why: String| PickupError(format!("Bring: {why}"));
            let response = client.http.get(&url).send().await.map_err(|e| {
                failed(format!(
                    "cannot reach the Pickup Point API: {}",
                    e.without_url()
                ))
            })?;
            let status = response.status();
            let bytes = read_limited(response, MAX_ANSWER_BYTES)
                .await
                .map_err(failed)?;
            if !status.is_success() {
                return Err(failed(format!(
                    "the Pickup Point API answered HTTP {}",
                    status.as_u16()
                )));
            }
            let answer: PointsAnswer = serde_json::from_slice(&bytes).map_err(|e| {
                failed(format!(
                    "the Pickup Point API's answer is not the documented JSON: {e}"
                ))
            })?;
            let mut points: Vec<PickupPoint> = answer
                .pickup_point
                .iter()
                .map(WirePoint::to_point)
                .collect();
            points.sort_by_key(|p| p.distance_m);
            Ok(points)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_come_as_numbers_or_strings() {
        let answer: PointsAnswer = serde_json::from_str(
            r#"{"pickupPoint": [
                {"id": "1", "name": "A", "distanceInKm": "0.8", "unknownField": true},
                {"id": "2", "name": "B", "distanceInKm": 1.25},
                {"id": "3", "name": "C", "distanceInKm": "1,5"},
                {"id": "4", "name": "D"}
            ]}"#,
        )
        .unwrap();
        let metres: Vec<u32> = answer
            .pickup_point
            .iter()
            .map(|p| p.to_point().distance_m)
            .collect();
        assert_eq!(metres, [800, 1250, 1500, 0]);
    }
}
