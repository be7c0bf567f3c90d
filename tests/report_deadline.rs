//! Error reports are upstream calls too: an ingest that takes a report and never answers
//! neither stalls the server's later reports nor keeps the tunnel's forward alive. Alone in
//! its binary: the Sentry client is global to the process.

mod common;

use common::ingest::{envelope, ingest, wait_for};
use common::*;
use promotions::config::Config;
use std::time::Duration;

#[tokio::test]
async fn a_stuck_ingest_holds_no_report_past_the_deadline() {
    let (dsn, received) = ingest(1);
    let mut config = Config::from_env().unwrap();
    config.sentry_dsn = Some(dsn.clone());
    config.report_timeout = Duration::from_millis(500);
    // Never dropped: dropping the guard joins the SDK's transport thread, which is stuck for
    // good if the deadline regresses, and this test should then fail, not hang.
    let _sentry = std::mem::ManuallyDrop::new(promotions::telemetry::init_sentry(&config));
    let server = spawn_with(config, CountingGuide::new(0.0), |routes| routes);

    // The server's own reports: the first is stuck at the ingest, the second still arrives.
    sentry::capture_message("first report, never answered", sentry::Level::Error);
    sentry::capture_message("second report", sentry::Level::Error);
    assert!(
        wait_for(&received, "second report").await.is_some(),
        "a stuck report held back the next one"
    );

    // The tunnel: the first forward is stuck too (the ingest hangs once per server, so
    // restart the count with a fresh ingest), and its task ends at the deadline.
    let (dsn, received) = ingest(1);
    let mut config = Config::from_env().unwrap();
    config.sentry_dsn = Some(dsn.clone());
    config.report_timeout = Duration::from_millis(500);
    let tunnel = spawn_with(config, CountingGuide::new(0.0), |routes| routes);
    let (status, _) = tunnel
        .http(
            "POST",
            "/api/sentry-tunnel",
            &[],
            &envelope(&dsn, "stuck forward"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(eventually(|| tunnel.stats.snapshot().reports_in_flight == 1).await);
    assert!(
        eventually(|| tunnel.stats.snapshot().reports_in_flight == 0).await,
        "the stuck forward outlived its deadline"
    );
    let (status, _) = tunnel
        .http(
            "POST",
            "/api/sentry-tunnel",
            &[],
            &envelope(&dsn, "next forward"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(wait_for(&received, "next forward").await.is_some());
    drop(server);
}
