//! The page's HTML is compressed and still streams: the form reaches the browser, decodable,
//! while every quote is still out. Alone in its binary (one Leptos router per process).

mod common;

use app::model::{ProductId, SearchRequest};
use async_compression::tokio::write::{BrotliDecoder, GzipDecoder};
use common::*;
use promotions::guide::simulator::Simulator;
use promotions::guide::{QuoteFuture, ShippingGuide};
use std::time::Duration;
use time::Date;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// The simulator's answers, held until the test opens the gate.
struct GatedGuide {
    inner: Simulator,
    open: watch::Receiver<bool>,
}

impl ShippingGuide for GatedGuide {
    fn quote(&self, request: &SearchRequest, product: &ProductId, ships: Date) -> QuoteFuture {
        let answer = self.inner.quote(request, product, ships);
        let mut open = self.open.clone();
        Box::pin(async move {
            let _ = open.wait_for(|open| *open).await;
            answer.await
        })
    }
}

const SEARCH: &str = "/?from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=1.2";

/// A response read chunk by chunk off the socket and decoded as it comes.
struct Streamed<D> {
    reader: BufReader<TcpStream>,
    decoder: D,
    decoded: Vec<u8>,
}

impl<D: AsyncWrite + Unpin> Streamed<D> {
    /// Sends the request and reads the head; returns its header lines (lower case).
    async fn get(
        addr: std::net::SocketAddr,
        path: &str,
        encoding: &str,
        decoder: D,
    ) -> (Self, String) {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nhost: {addr}\r\naccept-encoding: {encoding}\r\nconnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            if line.trim().is_empty() {
                break;
            }
            head.push_str(&line.to_ascii_lowercase());
        }
        let streamed = Self {
            reader,
            decoder,
            decoded: Vec::new(),
        };
        (streamed, head)
    }

    /// Reads one chunk of the chunked body and decodes it; false at the last chunk.
    async fn next_chunk(&mut self, take: impl Fn(&mut D) -> Vec<u8>) -> bool {
        let mut size = String::new();
        self.reader.read_line(&mut size).await.unwrap();
        let size = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        let mut chunk = vec![0; size + 2];
        self.reader.read_exact(&mut chunk).await.unwrap();
        if size == 0 {
            self.decoder.shutdown().await.unwrap();
        } else {
            self.decoder.write_all(&chunk[..size]).await.unwrap();
            self.decoder.flush().await.unwrap();
        }
        self.decoded.extend(take(&mut self.decoder));
        size > 0
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.decoded).into_owned()
    }
}

fn brotli_out(d: &mut BrotliDecoder<Vec<u8>>) -> Vec<u8> {
    std::mem::take(d.get_mut())
}

fn gzip_out(d: &mut GzipDecoder<Vec<u8>>) -> Vec<u8> {
    std::mem::take(d.get_mut())
}

#[tokio::test]
async fn the_page_is_compressed_and_the_form_arrives_before_any_answer() {
    let (gate, open) = watch::channel(false);
    let guide = GatedGuide {
        inner: Simulator::new(0.0, 0.0),
        open,
    };
    let config = promotions::config::Config::from_env().expect("config");
    let server = spawn_with(config, guide, |routes| routes);

    let decoder = BrotliDecoder::new(Vec::new());
    let (mut page, head) = Streamed::get(server.addr, SEARCH, "gzip, deflate, br", decoder).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("vary: accept-encoding"), "{head}");

    // Every quote waits for the gate, so the form can only come from a stream nothing holds.
    let form = tokio::time::timeout(Duration::from_secs(10), async {
        while !page.text().contains(r#"data-testid="search-form""#) {
            assert!(page.next_chunk(brotli_out).await, "ended before the form");
        }
    })
    .await;
    assert!(
        form.is_ok(),
        "no form while the quotes were out: {}",
        page.text()
    );
    assert_eq!(page.text().matches(r#"data-state="offer""#).count(), 0);

    gate.send(true).unwrap();
    while page.next_chunk(brotli_out).await {}
    let html = page.text();
    assert_eq!(html.matches(r#"data-state="offer""#).count(), 5);
    assert!(html.contains("</html>") && html.trim_end().ends_with("</script>"));

    // gzip for a browser without brotli; the same page.
    let decoder = GzipDecoder::new(Vec::new());
    let (mut page, head) = Streamed::get(server.addr, SEARCH, "gzip", decoder).await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    while page.next_chunk(gzip_out).await {}
    assert_eq!(page.text().matches(r#"data-state="offer""#).count(), 5);

    // Not asked for, or not HTML: as before.
    let plain = server.exchange("GET", SEARCH, &[], "").await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body.matches(r#"data-state="offer""#).count(), 5);
    let health = server
        .exchange("GET", "/healthz", &[("accept-encoding", "br")], "")
        .await;
    assert_eq!(health.status, 200);
    assert_eq!(health.header("content-encoding"), None);
}
