//! The built-in simulators served in the wire formats of Bring's Shipping Guide API v2, Pickup
//! Point API and Booking API, for running the server's Bring clients end to end without Bring:
//! start this, then the server with `BRING_API_URL=http://<addr>`,
//! `BRING_PICKUP_POINT_URL=http://<addr>/pickuppoint`, `BRING_BOOKING_URL=http://<addr>/booking`,
//! any `BRING_API_UID`/`BRING_API_KEY` and a `BRING_CUSTOMER_NUMBER` (for bookings).

use promotions::guide::bring::simulated_api;
use promotions::guide::simulator::Simulator;

const USAGE: &str = "\
bring-simulator [options]
  --addr HOST:PORT     where to listen                          (default 127.0.0.1:4300)
  --max-rps N          answer 429 above N requests a second, 0 = never (default 0)
  --latency-scale X    scales the simulator's latencies          (default 1)
  --failure-rate P     share of quotes that fail or hang         (default 0)
  --pickup-points-per-minute N
                       answer 429 above N pickup point lookups a minute, 0 = never (default 60)
GET /stats, /pickuppoint/stats and /booking/stats tell what each API saw.";

#[tokio::main]
async fn main() {
    let mut addr = "127.0.0.1:4300".to_owned();
    let (mut max_rps, mut latency_scale, mut failure_rate) = (0usize, 1.0f64, 0.0f64);
    let mut points_per_minute = 60usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let ok = match flag.as_str() {
            "--addr" => {
                addr = value;
                true
            }
            "--max-rps" => value.parse().map(|v| max_rps = v).is_ok(),
            "--latency-scale" => value.parse().map(|v| latency_scale = v).is_ok(),
            "--failure-rate" => value.parse().map(|v| failure_rate = v).is_ok(),
            "--pickup-points-per-minute" => value.parse().map(|v| points_per_minute = v).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bring-simulator: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    let app = simulated_api::router(Simulator::new(latency_scale, failure_rate), max_rps)
        .merge(promotions::pickup::simulated_api::router(points_per_minute))
        .merge(promotions::booking::bring::simulated_api::router());
    eprintln!(
        "bring-simulator: listening on http://{addr} (max {max_rps} requests/s, 0 = no limit)"
    );
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("bring-simulator: {e}");
        std::process::exit(1);
    }
}
