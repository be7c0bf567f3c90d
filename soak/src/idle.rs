//! Idle customers: sockets opened and then left alone, as browser tabs left on the page. They
//! answer the server's pings and nothing else; the server must hold them cheaply.

use crate::link::{Entry, Link};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Sockets per loopback source address: this machine has 28,232 ephemeral ports per address.
const PER_SOURCE: u64 = 20_000;
/// Handshakes in flight at once: more only fills the listen backlog.
const AT_ONCE: usize = 500;

/// Idle sockets held open until [`Idle::close`].
pub struct Idle {
    held: Vec<JoinHandle<Result<(), String>>>,
    release: watch::Sender<bool>,
    pub opened: u64,
    pub failed: u64,
    pub took: Duration,
}

/// Opens `n` idle sockets to `entry` from 127.R.1.1, 127.R.1.2, … and returns once every
/// handshake has succeeded or failed. R is the run's own (from the process id): a run just
/// before leaves its sockets' ports in TIME_WAIT for a minute, too few free on its addresses.
pub async fn open(entry: &Entry, n: u64) -> Idle {
    let started = Instant::now();
    let run = (1 + std::process::id() % 250) as u8;
    let first_source = u32::from(Ipv4Addr::new(127, run, 1, 1));
    let (release, released) = watch::channel(false);
    let (opened_tx, mut opened_rx) = mpsc::channel(AT_ONCE);
    let gate = Arc::new(Semaphore::new(AT_ONCE));
    let held = (0..n)
        .map(|i| {
            let (gate, opened, mut released) = (gate.clone(), opened_tx.clone(), released.clone());
            let entry = entry.clone();
            let source = Ipv4Addr::from(first_source + (i / PER_SOURCE) as u32);
            tokio::spawn(async move {
                let permit = gate.acquire_owned().await;
                let link = Link::open_from(&entry, source.into(), Some(small_buffers())).await;
                drop(permit);
                let _ = opened.send(link.is_ok()).await;
                // Held to the end, the sender would keep `open` waiting for it.
                drop(opened);
                let release = async move {
                    let _ = released.wait_for(|r| *r).await;
                };
                link?.idle_until(release).await
            })
        })
        .collect();
    drop(opened_tx);
    let mut failed = 0;
    while let Some(ok) = opened_rx.recv().await {
        failed += u64::from(!ok);
    }
    Idle {
        held,
        release,
        opened: n - failed,
        failed,
        took: started.elapsed(),
    }
}

impl Idle {
    /// Closes every idle socket; what went wrong while they were held (a socket the server
    /// closed or dropped is an error: an idle tab must be kept).
    pub async fn close(self) -> Vec<String> {
        let _ = self.release.send(true);
        let mut errors = Vec::new();
        for held in futures::future::join_all(self.held).await {
            match held {
                Ok(Ok(())) => {}
                Ok(Err(e)) => errors.push(e),
                Err(e) => errors.push(format!("idle task failed: {e}")),
            }
        }
        errors
    }
}

/// The load tool's own buffers kept small: 100,000 sockets at tungstenite's defaults would
/// cost the client gigabytes.
fn small_buffers() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0)
}
