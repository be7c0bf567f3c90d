//! The pickup point simulator served in the Pickup Point API's wire format (mounted by the
//! `bring-simulator` binary beside the shipping guide): `GET /pickuppoint/api/pickuppoint/
//! {country}/postalCode/{code}.json`. Like Bring it answers 429 past its lookups per minute
//! and 404 for a country it does not cover; `GET /pickuppoint/stats` tells what it saw.

use super::bring::{PointsAnswer, WirePoint};
use super::simulator::points;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PointStats {
    pub requests: u64,
    /// Answered 429: over the lookups per minute.
    pub throttled: u64,
}

struct Api {
    per_minute: usize,
    seen: Mutex<(PointStats, VecDeque<Instant>)>,
}

/// `per_minute`: lookups a minute before it answers 429 (0 = no limit; Bring's is 60).
pub fn router(per_minute: usize) -> Router {
    let api = Arc::new(Api {
        per_minute,
        seen: Mutex::default(),
    });
    Router::new()
        .route(
            "/pickuppoint/api/pickuppoint/{country}/postalCode/{file}",
            get(nearest),
        )
        .route("/pickuppoint/stats", get(stats))
        .with_state(api)
}

async fn stats(State(api): State<Arc<Api>>) -> Json<PointStats> {
    Json(api.seen.lock().map(|s| s.0.clone()).unwrap_or_default())
}

async fn nearest(
    State(api): State<Arc<Api>>,
    Path((country, file)): Path<(String, String)>,
) -> Response {
    let throttled = {
        let Ok(mut seen) = api.seen.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let now = Instant::now();
        let (stats, recent) = &mut *seen;
        while recent
            .front()
            .is_some_and(|&t| now - t >= Duration::from_secs(60))
        {
            recent.pop_front();
        }
        recent.push_back(now);
        stats.requests += 1;
        let throttled = api.per_minute > 0 && recent.len() > api.per_minute;
        stats.throttled += u64::from(throttled);
        throttled
    };
    if throttled {
        let body = serde_json::json!({
            "code": 429,
            "error_message": "The maximum number of requests per hour has been exceeded."
        });
        return (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    }
    let Some(code) = file.strip_suffix(".json") else {
        return (StatusCode::NOT_FOUND, "only .json is served here").into_response();
    };
    let country = country.to_ascii_uppercase();
    if !["NO", "DK", "SE", "FI"].contains(&country.as_str()) {
        return (StatusCode::NOT_FOUND, "country not covered").into_response();
    }
    let pickup_point = points(&country, code)
        .into_iter()
        .map(|p| WirePoint {
            id: p.id,
            name: p.name,
            address: p.street,
            postal_code: p.postal_code,
            city: p.city,
            country_code: country.clone(),
            opening_hours_norwegian: p.hours_nb,
            opening_hours_english: p.hours_en,
            // As some of Bring's answers have it: a string.
            distance_in_km: Some(serde_json::Value::String(format!(
                "{:.1}",
                f64::from(p.distance_m) / 1000.0
            ))),
        })
        .collect();
    Json(PointsAnswer { pickup_point }).into_response()
}
