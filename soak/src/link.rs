//! A customer's socket to the server under test: ours (`/ws/promotions`, our JSON messages as
//! text frames) or the Socket.IO yardstick (the same messages inside Socket.IO `message`
//! events), plain or through the local deployment's TLS.

use app::protocol::{ClientMessage, SOCKET_PATH, ServerMessage};
use app::transport::machine::IDLE_PING_EVERY;
use futures::{SinkExt, StreamExt};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Where customers open their sockets.
#[derive(Clone)]
pub enum Entry {
    /// Our server itself.
    Plain(SocketAddr),
    /// The TLS proxy in front of several of ours.
    Tls {
        addr: SocketAddr,
        connector: tokio_tungstenite::Connector,
    },
    /// The Socket.IO yardstick (soak/socketio).
    SocketIo(SocketAddr),
}

impl Entry {
    /// `wss://addr`, trusting exactly the certificate in `cert` (the local deployment's own).
    pub fn tls(addr: SocketAddr, cert: &std::path::Path) -> Result<Self, String> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for der in
            CertificateDer::pem_file_iter(cert).map_err(|e| format!("{}: {e}", cert.display()))?
        {
            roots
                .add(der.map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Entry::Tls {
            addr,
            connector: tokio_tungstenite::Connector::Rustls(std::sync::Arc::new(config)),
        })
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Entry::Plain(addr) | Entry::SocketIo(addr) | Entry::Tls { addr, .. } => *addr,
        }
    }

    /// The socket's URL and the page's origin.
    fn url(&self) -> (String, String) {
        let addr = self.addr();
        match self {
            Entry::Plain(_) => (
                format!("ws://{addr}{SOCKET_PATH}"),
                format!("http://{addr}"),
            ),
            Entry::Tls { .. } => (
                format!("wss://{addr}{SOCKET_PATH}"),
                format!("https://{addr}"),
            ),
            // Straight to the WebSocket transport, as a client told `transports: ["websocket"]`.
            Entry::SocketIo(_) => (
                format!("ws://{addr}/socket.io/?EIO=4&transport=websocket"),
                format!("http://{addr}"),
            ),
        }
    }
}

/// An open socket that speaks our messages whatever the wire.
pub struct Link {
    ws: Ws,
    socket_io: bool,
}

impl Link {
    /// Opens a socket to `entry`.
    pub async fn open(entry: &Entry) -> Result<Link, String> {
        let (url, origin) = entry.url();
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        request
            .headers_mut()
            .insert("origin", origin.parse().map_err(|_| "origin")?);
        let connector = match entry {
            Entry::Tls { connector, .. } => Some(connector.clone()),
            _ => None,
        };
        let (ws, _) =
            tokio_tungstenite::connect_async_tls_with_config(request, None, false, connector)
                .await
                .map_err(|e| format!("connect: {e}"))?;
        Link::joined(ws, entry).await
    }

    /// Opens a plain socket to `entry` from `source`, another loopback address (any of
    /// 127.0.0.0/8 is this machine): to the server, a customer on another network. `config`:
    /// the client's own WebSocket settings (`None`: tungstenite's).
    pub async fn open_from(
        entry: &Entry,
        source: IpAddr,
        config: Option<WebSocketConfig>,
    ) -> Result<Link, String> {
        if let Entry::Tls { .. } = entry {
            return Err("a source address is for plain sockets".into());
        }
        let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
        socket
            .bind(SocketAddr::new(source, 0))
            .map_err(|e| format!("bind {source}: {e}"))?;
        let tcp = socket
            .connect(entry.addr())
            .await
            .map_err(|e| format!("connect from {source}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let (url, origin) = entry.url();
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        request
            .headers_mut()
            .insert("origin", origin.parse().map_err(|_| "origin")?);
        let stream = tokio_tungstenite::MaybeTlsStream::Plain(tcp);
        let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, config)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        Link::joined(ws, entry).await
    }

    /// Socket.IO's own opening: the engine's `open` packet, then joining the default
    /// namespace (`40`) and its answer.
    async fn joined(ws: Ws, entry: &Entry) -> Result<Link, String> {
        let mut link = Link {
            ws,
            socket_io: matches!(entry, Entry::SocketIo(_)),
        };
        if link.socket_io {
            let wait = Duration::from_secs(10);
            let open = link.text(wait).await?;
            if !open.starts_with('0') {
                return Err(format!("expected the engine's open packet, got {open}"));
            }
            link.send_text("40".into()).await?;
            let joined = link.text(wait).await?;
            if !joined.starts_with("40") {
                return Err(format!("expected to join the namespace, got {joined}"));
            }
        }
        Ok(link)
    }

    pub async fn send(&mut self, message: &ClientMessage) -> Result<(), String> {
        let json = serde_json::to_string(message).map_err(|e| e.to_string())?;
        let text = if self.socket_io {
            format!(r#"42["message",{json}]"#)
        } else {
            json
        };
        self.send_text(text).await
    }

    /// The next message, waiting at most `wait` for each frame.
    pub async fn next(&mut self, wait: Duration) -> Result<ServerMessage, String> {
        loop {
            let text = self.text(wait).await?;
            if !self.socket_io {
                return serde_json::from_str(&text).map_err(|e| format!("bad frame {text}: {e}"));
            }
            // Other engine packets carry no message.
            let Some(event) = text.strip_prefix("42") else {
                continue;
            };
            // ["message", {…}]: the message is the event's argument.
            let (_, message): (String, serde_json::Value) =
                serde_json::from_str(event).map_err(|e| format!("bad event {text}: {e}"))?;
            return serde_json::from_value(message).map_err(|e| format!("bad message {text}: {e}"));
        }
    }

    /// Reads until `until` resolves, as a page left open does: ours pings when it opens and
    /// every [`IDLE_PING_EVERY`] after, as the page's transport does, and the server's pings are
    /// answered by the socket itself; Socket.IO's page leaves that to the engine, whose pings
    /// (`2`) are answered with `3`. Any message is ignored. Then closes.
    pub async fn idle_until(mut self, until: impl Future<Output = ()>) -> Result<(), String> {
        // A year: as good as never, without overflowing the timer.
        let forever = Duration::from_secs(365 * 86_400);
        let mut pings = (!self.socket_io)
            .then(|| tokio::time::interval(Duration::from_millis(IDLE_PING_EVERY as u64)));
        let mut nonce = 0;
        let mut until = std::pin::pin!(until);
        loop {
            let ping_due = tokio::select! {
                _ = &mut until => break,
                _ = tick(&mut pings) => true,
                text = self.text(forever) => {
                    text?;
                    false
                }
            };
            if ping_due {
                nonce += 1;
                self.send(&ClientMessage::Ping { nonce }).await?;
            }
        }
        let _ = self.ws.close(None).await;
        Ok(())
    }

    /// The next text frame, answering Socket.IO's pings on the way; a close is an error.
    async fn text(&mut self, wait: Duration) -> Result<String, String> {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Err(_) => return Err(format!("nothing from the server for {wait:?}")),
                Ok(None) => return Err("socket ended".into()),
                Ok(Some(Err(e))) => return Err(format!("socket error: {e}")),
                Ok(Some(Ok(Message::Text(text)))) if self.socket_io && text.as_str() == "2" => {
                    self.send_text("3".into()).await?;
                }
                Ok(Some(Ok(Message::Text(text)))) => return Ok(text.as_str().to_owned()),
                Ok(Some(Ok(Message::Close(frame)))) => return Err(format!("closed: {frame:?}")),
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    async fn send_text(&mut self, text: String) -> Result<(), String> {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .map_err(|e| format!("send: {e}"))
    }
}

/// The next tick of `pings`; never, when there are none.
async fn tick(pings: &mut Option<tokio::time::Interval>) {
    match pings {
        Some(pings) => {
            pings.tick().await;
        }
        None => std::future::pending().await,
    }
}
