//! The built-in simulators served in the wire formats of Bring's Shipping Guide API v2, Pickup
//! Point API and Booking API, for running the server's Bring clients end to end without Bring:
//! start this, then the server with `BRING_API_URL=http://<addr>`,
//! `BRING_PICKUP_POINT_URL=http://<addr>/pickuppoint`, `BRING_BOOKING_URL=http://<addr>/booking`,
//! any `BRING_API_UID`/`BRING_API_KEY` and a `BRING_CUSTOMER_NUMBER` (for bookings).

use clap::Parser;
use promotions::guide::bring::simulated_api;
use promotions::guide::simulator::Simulator;

/// Bring's Shipping Guide, Pickup Point and Booking APIs, simulated in their wire formats.
/// GET /stats, /pickuppoint/stats and /booking/stats tell what each API saw.
#[derive(Parser)]
#[command(name = "bring-simulator")]
struct Options {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:4300", value_name = "HOST:PORT")]
    addr: String,
    /// Answer 429 above N requests a second (0 = never).
    #[arg(long, default_value_t = 0, value_name = "N")]
    max_rps: usize,
    /// Scales the simulator's latencies.
    #[arg(long, default_value_t = 1.0)]
    latency_scale: f64,
    /// Share of quotes that fail or hang (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    failure_rate: f64,
    /// Answer 429 above N pickup point lookups a minute (0 = never).
    #[arg(long, default_value_t = 60, value_name = "N")]
    pickup_points_per_minute: usize,
}

#[tokio::main]
async fn main() {
    let Options {
        addr,
        max_rps,
        latency_scale,
        failure_rate,
        pickup_points_per_minute,
    } = Options::parse();
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bring-simulator: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    let app = simulated_api::router(Simulator::new(latency_scale, failure_rate), max_rps)
        .merge(promotions::pickup::simulated_api::router(
            pickup_points_per_minute,
        ))
        .merge(promotions::booking::bring::simulated_api::router());
    eprintln!(
        "bring-simulator: listening on http://{addr} (max {max_rps} requests/s, 0 = no limit)"
    );
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("bring-simulator: {e}");
        std::process::exit(1);
    }
}
