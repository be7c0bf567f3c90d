//! Environment → Config (DESIGN §10). Every variable is optional; bad values stop start-up with
//! a message naming the variable.

use crate::origin::OriginPolicy;
use leptos::config::{LeptosOptions, get_configuration};
use leptos::prelude::Env;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub leptos: LeptosOptions,
    pub origins: OriginPolicy,
    pub latency_scale: f64,
    pub failure_rate: f64,
    pub quote_timeout: Duration,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn float(name: &str, default: f64, range: std::ops::RangeInclusive<f64>) -> Result<f64, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| range.contains(f))
            .ok_or_else(|| {
                format!(
                    "{name}={v:?}: expected a number in {}..={}",
                    range.start(),
                    range.end()
                )
            }),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let mut leptos = get_configuration(None)
            .map_err(|e| format!("Leptos configuration: {e}"))?
            .leptos_options;
        // A binary built without cargo-leptos still knows its own bundle's name.
        if leptos.output_name.is_empty() {
            leptos.output_name = "promotions".into();
        }
        let public: Vec<String> = var("PUBLIC_ORIGIN")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let origins = OriginPolicy::new(&public, matches!(leptos.env, Env::DEV))?;
        Ok(Config {
            leptos,
            origins,
            latency_scale: float("GUIDE_LATENCY_SCALE", 1.0, 0.0..=100.0)?,
            failure_rate: float("GUIDE_FAILURE_RATE", 0.0, 0.0..=1.0)?,
            quote_timeout: Duration::from_secs_f64(float(
                "GUIDE_TIMEOUT_SECS",
                10.0,
                0.001..=600.0,
            )?),
        })
    }
}
