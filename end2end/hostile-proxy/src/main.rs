//! A hostile "corporate" proxy for tests: relays TCP to the app, lets plain HTTP through in
//! every mode, and breaks WebSockets after the handshake the way inspecting proxies do; one
//! mode also holds every HTTP answer back until it is complete, as scanning proxies do.
//!
//! `hostile-proxy --upstream 127.0.0.1:3000 --base-port 4100` listens on one port per mode,
//! in the order of [`MODES`] (4100 = pass, 4101 = rst-after-upgrade, …), and prints
//! `mode port` per line once listening. `--list-modes` prints the modes and exits.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const MODES: &[&str] = &[
    "pass",
    "rst-after-upgrade",
    "fin-after-upgrade",
    "stall",
    "refuse-upgrade",
    "rst-mid-stream",
    "inject-via",
    // Refuses the upgrade, and delivers each HTTP answer only once the server has finished
    // it (as an antivirus gateway scans a whole response before passing it on).
    "buffer-http",
];

const MAX_HEAD: usize = 64 * 1024;

/// A hostile "corporate" proxy for tests: plain HTTP passes, WebSockets break after the
/// handshake as inspecting proxies break them. Prints `mode port` per line once listening.
#[derive(clap::Parser)]
#[command(name = "hostile-proxy")]
struct Options {
    /// The app to relay to.
    #[arg(long, default_value = "127.0.0.1:3000")]
    upstream: SocketAddr,
    /// The first mode's port; each further mode listens on the next one.
    #[arg(long, default_value_t = 4100)]
    base_port: u16,
    /// Print the modes, one per line, and exit (the tests take their list from here).
    #[arg(long)]
    list_modes: bool,
}

#[tokio::main]
async fn main() {
    let Options {
        upstream,
        base_port: base,
        list_modes,
    } = clap::Parser::parse();
    if list_modes {
        println!("{}", MODES.join("\n"));
        return;
    }
    for (i, mode) in MODES.iter().enumerate() {
        let port = base + i as u16;
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("port {port}: {e}"));
        println!("{mode} {port}");
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(async move {
                    let _ = handle(client, upstream, mode).await;
                });
            }
        });
    }
    // Exit with the test run that started us: it holds our stdin open.
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 64];
    while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// Reads up to the end of an HTTP head; returns the head and any bytes after it.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(std::io::Error::other("head too large"));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn is_upgrade(head: &[u8]) -> bool {
    String::from_utf8_lossy(head)
        .to_ascii_lowercase()
        .lines()
        .any(|l| l.starts_with("upgrade:") && l.contains("websocket"))
}

/// Adds a `Via` header, as inspecting proxies do. Plain requests also get `Connection: close`,
/// so every request comes on its own connection and gets the header.
fn with_via(head: &[u8], upgrade: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(&head[..head.len() - 2]);
    let mut out = String::new();
    for line in text.split_inclusive("\r\n") {
        if !upgrade && line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
    }
    if !upgrade {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("Via: 1.1 hostile-proxy\r\n\r\n");
    out.into_bytes()
}

/// Length of the first complete WebSocket frame in `b`, if it is all there.
fn frame_len(b: &[u8]) -> Option<usize> {
    if b.len() < 2 {
        return None;
    }
    let (len, header) = match b[1] & 0x7f {
        126 if b.len() >= 4 => (u16::from_be_bytes([b[2], b[3]]) as usize, 4),
        127 if b.len() >= 10 => (u64::from_be_bytes(b[2..10].try_into().ok()?) as usize, 10),
        126 | 127 => return None,
        n => (n as usize, 2),
    };
    let mask = if b[1] & 0x80 != 0 { 4 } else { 0 };
    let total = header + mask + len;
    (b.len() >= total).then_some(total)
}

/// A search's offer or a probe stream's frame: what follows the handshake-like messages
/// (pong, accepted) that such proxies let through.
fn carries_content(frame: &[u8]) -> bool {
    let text = String::from_utf8_lossy(frame);
    text.contains(r#""type":"offer""#) || text.contains(r#""type":"probe_frame""#)
}

/// Passes the client's bytes on as they come, but the server's answer only once it is
/// complete (the server closes the connection after it: the request said `Connection: close`).
async fn relay_whole(mut client: TcpStream, mut server: TcpStream) -> std::io::Result<()> {
    let mut whole = Vec::new();
    let (mut up, mut down) = ([0u8; 16 * 1024], [0u8; 16 * 1024]);
    let mut client_open = true;
    loop {
        tokio::select! {
            n = client.read(&mut up), if client_open => {
                let n = n?;
                if n == 0 {
                    client_open = false;
                } else {
                    server.write_all(&up[..n]).await?;
                }
            }
            n = server.read(&mut down) => {
                let n = n?;
                if n == 0 { break }
                whole.extend_from_slice(&down[..n]);
            }
        }
    }
    client.write_all(&whole).await?;
    client.shutdown().await
}

/// Ends the connection with a TCP RST instead of a FIN.
fn reset(stream: TcpStream) {
    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, mode: &str) -> std::io::Result<()> {
    let (head, rest) = read_head(&mut client).await?;
    let upgrade = is_upgrade(&head);
    if upgrade && matches!(mode, "refuse-upgrade" | "buffer-http") {
        client.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 9\r\nconnection: close\r\n\r\nForbidden").await?;
        return client.shutdown().await;
    }
    let mut server = TcpStream::connect(upstream).await?;
    // As proxies do: small writes go out at once. With Nagle on, the request's second write
    // below would wait for the server's delayed ACK of the first (~40 ms on Linux).
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    // One request per connection where the proxy must see each one's answer end.
    let mut head = if matches!(mode, "inject-via" | "buffer-http") {
        with_via(&head, upgrade)
    } else {
        head
    };
    // Head and any body bytes already read, in one write, as they arrived.
    head.extend_from_slice(&rest);
    server.write_all(&head).await?;
    if mode == "buffer-http" {
        return relay_whole(client, server).await;
    }
    if !upgrade || matches!(mode, "pass" | "inject-via") {
        tokio::io::copy_bidirectional(&mut client, &mut server).await?;
        return Ok(());
    }
    // Relay the handshake answer (the 101), then misbehave.
    let (answer, early) = read_head(&mut server).await?;
    client.write_all(&answer).await?;
    client.write_all(&early).await?;
    let mut buf = [0u8; 16 * 1024];
    match mode {
        "rst-after-upgrade" | "fin-after-upgrade" => {
            // Wait for the client's first frame, then cut the connection without a close frame.
            let _ = client.read(&mut buf).await?;
            if mode == "rst-after-upgrade" {
                reset(client);
            } else {
                client.shutdown().await?;
            }
        }
        "stall" => {
            // Swallow everything in both directions; keep both connections open.
            let mut sink = [0u8; 16 * 1024];
            loop {
                tokio::select! {
                    n = client.read(&mut buf) => if n? == 0 { break },
                    n = server.read(&mut sink) => if n? == 0 { break },
                }
            }
        }
        "rst-mid-stream" => {
            // Relay both ways until the first frame with content has reached the client, then
            // reset: as a proxy that inspects a stream and gives up on it.
            let mut up = [0u8; 16 * 1024];
            let mut pending = Vec::new();
            'relay: loop {
                tokio::select! {
                    n = client.read(&mut up) => {
                        let n = n?;
                        if n == 0 { break }
                        server.write_all(&up[..n]).await?;
                    }
                    n = server.read(&mut buf) => {
                        let n = n?;
                        if n == 0 { break }
                        pending.extend_from_slice(&buf[..n]);
                        while let Some(len) = frame_len(&pending) {
                            let frame: Vec<u8> = pending.drain(..len).collect();
                            client.write_all(&frame).await?;
                            if carries_content(&frame) {
                                break 'relay;
                            }
                        }
                    }
                }
            }
            reset(client);
        }
        other => unreachable!("mode {other}"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_lengths_follow_the_websocket_header() {
        assert_eq!(frame_len(&[0x81]), None);
        assert_eq!(frame_len(&[0x81, 3, b'a', b'b', b'c', 0x81]), Some(5));
        assert_eq!(frame_len(&[0x81, 3, b'a']), None);
        let mut long = vec![0x81, 126, 0x01, 0x00];
        long.extend(vec![b'x'; 256]);
        assert_eq!(frame_len(&long), Some(260));
        assert_eq!(frame_len(&[0x81, 0x83, 1, 2, 3, 4, 9, 9, 9]), Some(9));
    }

    #[test]
    fn offers_and_probe_frames_carry_content_pongs_do_not() {
        assert!(carries_content(br#"..{"type":"offer","search_id":1}"#));
        assert!(carries_content(
            br#"..{"type":"probe_frame","seq":0,"of":12}"#
        ));
        assert!(!carries_content(br#"..{"type":"pong","nonce":1}"#));
        assert!(!carries_content(br#"..{"type":"accepted","search_id":1}"#));
    }

    #[test]
    fn via_is_added_and_plain_requests_close_after_one_answer() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
        let out = String::from_utf8(with_via(head, false)).unwrap();
        assert_eq!(
            out,
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nVia: 1.1 hostile-proxy\r\n\r\n"
        );
        let up = b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
        assert!(is_upgrade(up));
        let out = String::from_utf8(with_via(up, true)).unwrap();
        assert!(
            out.contains("Connection: Upgrade\r\n")
                && out.ends_with("Via: 1.1 hostile-proxy\r\n\r\n")
        );
    }
}
