//! The server under test: the release binary started as a child process with the soak's
//! settings, or one already running; either way watched through its `/healthz`.

use promotions::stats::Health;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

pub struct Server {
    pub addr: SocketAddr,
    /// Killed when the soak ends.
    _child: Option<Child>,
}

impl Server {
    /// Starts `binary` on `addr` with these extra environment variables and waits until it
    /// answers. Its log goes to `log`.
    pub async fn spawn(
        binary: &str,
        addr: SocketAddr,
        env: &[(&str, String)],
        log: &str,
    ) -> Result<Server, String> {
        let log_file = std::fs::File::create(log).map_err(|e| format!("{log}: {e}"))?;
        let child = Command::new(binary)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_OUTPUT_NAME", "promotions")
            .env("LEPTOS_ENV", "PROD")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e} (build it with ./scripts/soak)"))?;
        let server = Server {
            addr,
            _child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.health().await.is_err() {
            if Instant::now() > deadline {
                return Err(format!("{binary} did not answer on {addr} within 20 s"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(server)
    }

    /// A server someone else runs.
    pub fn existing(addr: SocketAddr) -> Server {
        Server { addr, _child: None }
    }

    pub async fn health(&self) -> Result<Health, String> {
        let body = get(self.addr, "/healthz").await?;
        serde_json::from_str(&body).map_err(|e| format!("/healthz: {e}: {body}"))
    }

    /// Waits up to `limit` for every socket and search to be gone.
    pub async fn idle(&self, limit: Duration) -> Result<Health, String> {
        let deadline = Instant::now() + limit;
        loop {
            let h = self.health().await?;
            if h.counters.is_idle() || Instant::now() > deadline {
                return Ok(h);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The body of `GET path` on `addr` (HTTP/1.1, no chunking: the servers here send lengths).
pub async fn get(addr: SocketAddr, path: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .await
        .map_err(|e| e.to_string())?;
    reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .ok_or_else(|| format!("GET {path}: no body"))
}
