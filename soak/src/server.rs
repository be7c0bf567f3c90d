//! The server under test: the release binary started as a child process with the soak's
//! settings, one already running, or the Socket.IO yardstick; each watched through its
//! `/healthz`.

use promotions::stats::Health;
use serde::Deserialize;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

pub struct Server {
    pub addr: SocketAddr,
    socket_io: bool,
    /// Stopped when the soak ends (`stop`; killed on drop otherwise).
    child: Option<Child>,
}

/// What the soak reads off a server while and after its customers run.
#[derive(Debug, Deserialize)]
pub struct Reading {
    pub sockets: usize,
    pub rss_bytes: Option<u64>,
    /// Tasks alive on our server's runtime (Node has none to count).
    #[serde(default)]
    pub tasks: Option<usize>,
    /// No socket, search or upstream call left.
    #[serde(default)]
    pub idle: bool,
}

impl From<Health> for Reading {
    fn from(h: Health) -> Reading {
        Reading {
            sockets: h.counters.sockets,
            rss_bytes: h.rss_bytes,
            tasks: Some(h.tasks),
            idle: h.counters.is_idle(),
        }
    }
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
        let mut command = Command::new(binary);
        command
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_OUTPUT_NAME", "promotions")
            .env("LEPTOS_ENV", "PROD")
            .envs(env.iter().map(|(k, v)| (k, v)));
        Server::start(command, addr, false, log).await
    }

    /// Starts the Socket.IO yardstick on `addr`, replaying `answers` (see [`crate::socketio`]).
    pub async fn socket_io(addr: SocketAddr, answers: &str, log: &str) -> Result<Server, String> {
        let file = format!("{log}.answers.json");
        std::fs::write(&file, answers).map_err(|e| format!("{file}: {e}"))?;
        let mut command = Command::new("node");
        command
            .arg(crate::socketio::SERVER)
            .env("PORT", addr.port().to_string())
            .env("ANSWERS", &file);
        Server::start(command, addr, true, log).await
    }

    async fn start(
        mut command: Command,
        addr: SocketAddr,
        socket_io: bool,
        log: &str,
    ) -> Result<Server, String> {
        let binary = format!("{:?}", command.as_std().get_program());
        let log_file = std::fs::File::create(log).map_err(|e| format!("{log}: {e}"))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e} (build it with ./scripts/soak)"))?;
        let server = Server {
            addr,
            socket_io,
            child: Some(child),
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

    /// Stops the server this soak started and waits until it has exited, so that the next
    /// run neither meets it on the port nor counts its memory.
    pub async fn stop(mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill().await;
        }
    }

    /// A server someone else runs.
    pub fn existing(addr: SocketAddr) -> Server {
        Server {
            addr,
            socket_io: false,
            child: None,
        }
    }

    pub async fn health(&self) -> Result<Reading, String> {
        let body = get(self.addr, promotions::stats::HEALTH_PATH).await?;
        let bad = |e| format!("/healthz: {e}: {body}");
        if self.socket_io {
            let mut reading: Reading = serde_json::from_str(&body).map_err(bad)?;
            reading.idle = reading.sockets == 0;
            Ok(reading)
        } else {
            Ok(serde_json::from_str::<Health>(&body).map_err(bad)?.into())
        }
    }

    /// Waits up to `limit` for every socket and search to be gone.
    pub async fn idle(&self, limit: Duration) -> Result<Reading, String> {
        let deadline = Instant::now() + limit;
        loop {
            let h = self.health().await?;
            if h.idle || Instant::now() > deadline {
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
