//! `POST /api/search`: one HTTP response carries a whole search, each message on its own line
//! the moment it is known; refusals answer like the server functions; a client that leaves
//! stops the search.

mod common;

use app::model::SearchRequest;
use app::protocol::ServerMessage;
use common::*;
use promotions::limits::Settings;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(5);

fn body(search_id: u64, to: &str, grams: u32) -> String {
    serde_json::json!({"search_id": search_id, "request": SearchRequest::between(("NO", "0150"), ("NO", to), grams)})
    .to_string()
}

/// A search's response read as it arrives: its head, then one message per line.
struct Lines {
    stream: TcpStream,
    raw: Vec<u8>,
    text: Vec<u8>,
    head: String,
}

impl Lines {
    async fn post(addr: SocketAddr, body: &str) -> Lines {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "POST /api/search HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut lines = Lines {
            stream,
            raw: Vec::new(),
            text: Vec::new(),
            head: String::new(),
        };
        while !lines.raw.windows(4).any(|w| w == b"\r\n\r\n") {
            lines.fill().await;
        }
        let end = lines.raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        lines.head = String::from_utf8_lossy(&lines.raw[..end]).to_ascii_lowercase();
        lines.raw.drain(..end);
        lines
    }

    async fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(TIMEOUT, self.stream.read(&mut chunk))
            .await
            .expect("the server went silent")
            .unwrap();
        self.raw.extend_from_slice(&chunk[..n]);
        n
    }

    /// Moves complete chunks of the chunked body into `text`; `true` at the last chunk.
    fn dechunk(&mut self) -> bool {
        while let Some(eol) = self.raw.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(std::str::from_utf8(&self.raw[..eol]).unwrap(), 16)
                .expect("a chunk size");
            if size == 0 {
                return true;
            }
            if self.raw.len() < eol + 2 + size + 2 {
                break;
            }
            self.text
                .extend_from_slice(&self.raw[eol + 2..eol + 2 + size]);
            self.raw.drain(..eol + 2 + size + 2);
        }
        false
    }

    /// The next message, or `None` when the response has ended.
    async fn next(&mut self) -> Option<ServerMessage> {
        loop {
            let ended = self.dechunk();
            if let Some(nl) = self.text.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.text.drain(..=nl).collect();
                return Some(serde_json::from_slice(&line).expect("a protocol message"));
            }
            if ended || self.fill().await == 0 {
                return None;
            }
        }
    }
}

#[tokio::test]
async fn a_search_streams_accepted_then_each_outcome_as_it_is_found_then_done() {
    // Fast products 4–12 ms, express 200–500 ms.
    let server = start(CountingGuide::new(0.2), TIMEOUT).await;
    let sent = Instant::now();
    let mut lines = Lines::post(server.addr, &body(7, "9900", 1200)).await;
    assert!(lines.head.starts_with("http/1.1 200"), "{}", lines.head);
    assert!(lines.head.contains("content-type: application/x-ndjson"));
    assert!(
        lines.head.contains("x-accel-buffering: no"),
        "nginx must not buffer it"
    );
    let Some(ServerMessage::Accepted {
        search_id: 7,
        products,
        places,
    }) = lines.next().await
    else {
        panic!("accepted comes first")
    };
    assert_eq!(products.len(), 5);
    assert_eq!(places.to.as_deref(), Some("KIRKENES"));
    let mut order = Vec::new();
    let mut first_at = None;
    loop {
        match lines.next().await.expect("done before the end") {
            ServerMessage::Offer {
                search_id: 7,
                offer,
            } => {
                first_at.get_or_insert(sent.elapsed());
                order.push(offer.product_id.0);
            }
            ServerMessage::Done { search_id: 7 } => break,
            other => panic!("{other:?}"),
        }
    }
    let (first, all) = (first_at.unwrap(), sent.elapsed());
    println!("first offer after {first:?}, all after {all:?}");
    assert_eq!(order.len(), 5);
    assert_eq!(order.last().map(String::as_str), Some("4850"), "{order:?}");
    assert!(
        first < all / 2,
        "the first offer came at {first:?} of {all:?}"
    );
    assert_eq!(lines.next().await, None, "the response ends with done");
}

#[tokio::test]
async fn refusals_answer_like_the_server_functions() {
    let server = with_limits(Settings {
        searches_per_minute: 1,
        ..Settings::default()
    });
    let json = ("content-type", "application/json");

    let reply = server
        .exchange("POST", "/api/search", &[json], &body(1, "4444", 1000))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let error: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(error["kind"], "invalid");
    assert_eq!(error["field"], "to_postal");
    assert_eq!(error["code"], "unknown_postal_code");

    let reply = server
        .exchange(
            "POST",
            "/api/search",
            &[json],
            r#"{"search_id":1,"request":"#,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.body.contains(r#""kind":"unreadable""#),
        "{}",
        reply.body
    );

    let reply = server
        .exchange(
            "POST",
            "/api/search",
            &[json, ("sec-fetch-site", "cross-site")],
            &body(1, "9900", 1000),
        )
        .await;
    assert_eq!(reply.status, 403, "a cross-site page cannot search");

    let cookie = new_session(&server).await;
    let as_session = [json, ("cookie", cookie.as_str()), ("accept-language", "nb")];
    let reply = server
        .exchange("POST", "/api/search", &as_session, &body(1, "9900", 1000))
        .await;
    assert_eq!(reply.status, 200);
    let reply = server
        .exchange("POST", "/api/search", &as_session, &body(2, "5003", 1000))
        .await;
    assert_eq!(reply.status, 429, "{}", reply.body);
    assert!(reply.header("retry-after").is_some());
    let error: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(error["kind"], "refused");
    assert_eq!(error["code"], "rate_limited");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("For mange søk"),
        "{error}"
    );
}

#[tokio::test]
async fn a_client_that_leaves_mid_stream_stops_its_upstream_calls() {
    let guide = CountingGuide::new(1.0);
    let server = start(guide.clone(), TIMEOUT).await;
    let mut lines = Lines::post(server.addr, &body(1, "9900", 1200)).await;
    assert!(matches!(
        lines.next().await,
        Some(ServerMessage::Accepted { .. })
    ));
    // The four fast products answer within 60 ms; express takes over a second.
    for _ in 0..4 {
        assert!(matches!(
            lines.next().await,
            Some(ServerMessage::Offer { .. })
        ));
    }
    assert_eq!(
        guide.active.load(Ordering::SeqCst),
        1,
        "express still asking"
    );
    drop(lines);
    assert!(
        eventually(|| guide.active.load(Ordering::SeqCst) == 0).await,
        "upstream call not stopped"
    );
    assert!(eventually(|| server.stats.searches_in_flight.load(Ordering::SeqCst) == 0).await);
    assert_eq!(guide.finished.load(Ordering::SeqCst), 4);
}
