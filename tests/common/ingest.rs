//! A local Sentry ingest: records what Sentry's envelope endpoint receives, over real HTTP.

use axum::body::Bytes;
use axum::routing::post;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub type Received = Arc<Mutex<Vec<Vec<u8>>>>;

/// An ingest endpoint at `/api/1/envelope/`; returns its DSN and what it receives. It takes
/// the first `hang` envelopes' requests and never answers them, as a stuck upstream does.
pub fn ingest(hang: usize) -> (String, Received) {
    let received: Received = Arc::default();
    let sink = received.clone();
    let to_hang = Arc::new(AtomicUsize::new(hang));
    let app = axum::Router::new().route(
        "/api/1/envelope/",
        post(move |body: Bytes| {
            let sink = sink.clone();
            let hang = to_hang
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            async move {
                if hang {
                    std::future::pending::<()>().await;
                }
                sink.lock().unwrap().push(body.to_vec())
            }
        }),
    );
    let addr = super::serve(app);
    (format!("http://public@{addr}/1"), received)
}

/// The first envelope received that contains `needle`, waiting up to 5 s.
pub async fn wait_for(received: &Received, needle: &str) -> Option<Vec<u8>> {
    for _ in 0..100 {
        if let Some(found) = received
            .lock()
            .unwrap()
            .iter()
            .find(|b| String::from_utf8_lossy(b).contains(needle))
        {
            return Some(found.clone());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// A browser error envelope for `dsn`, as the page sends it to the tunnel.
pub fn envelope(dsn: &str, message: &str) -> String {
    let event = app::sentry::Event {
        event_id: "0123456789abcdef0123456789abcdef".into(),
        platform: "javascript".into(),
        exception: app::sentry::Values {
            values: vec![app::sentry::Exception {
                kind: "Error".into(),
                value: message.into(),
            }],
        },
        ..Default::default()
    };
    app::sentry::envelope(dsn, &event)
}
