//! The pages' HTML compressed as it streams. tower-http's `CompressionLayer` holds a streamed
//! body until it ends (tower-http#292), which would hold the header and form back until the
//! last card; here each chunk Leptos writes is compressed and flushed at once, so the browser
//! paints the form as soon as without compression, from a fifth of the bytes.

use async_compression::Level;
use async_compression::tokio::write::{BrotliEncoder, GzipEncoder};
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use std::io;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Brotli's quality for on-the-fly pages: a tenth of quality 11's time for a few more bytes.
const BROTLI_QUALITY: i32 = 5;

/// Compresses `text/html` responses that are not compressed yet, with brotli or gzip as the
/// request accepts; everything else passes untouched.
pub async fn compress(request: Request, next: Next) -> Response {
    let encoding = Encoding::accepted(request.headers());
    let response = next.run(request).await;
    let Some(encoding) = encoding else {
        return response;
    };
    let headers = response.headers();
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html || headers.contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .insert(header::CONTENT_ENCODING, encoding.header());
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let chunks = body.into_data_stream();
    let compressed =
        futures::stream::unfold(Some((chunks, encoding.encoder())), |state| async move {
            let (mut chunks, mut encoder) = state?;
            match chunks.next().await {
                Some(Ok(chunk)) => match encoder.step(Some(&chunk)).await {
                    Ok(out) => Some((Ok(out), Some((chunks, encoder)))),
                    Err(e) => Some((Err(axum::Error::new(e)), None)),
                },
                Some(Err(e)) => Some((Err(e), None)),
                None => Some((encoder.step(None).await.map_err(axum::Error::new), None)),
            }
        });
    Response::from_parts(parts, Body::from_stream(compressed))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// Brotli when the request takes it, else gzip, else none (a `q=0` refuses one).
    fn accepted(headers: &HeaderMap) -> Option<Self> {
        // Read on every request, so without allocating.
        let takes = |name: &str| {
            headers
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let named = parts.next().is_some_and(|n| n.eq_ignore_ascii_case(name));
                    let refused = parts.any(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                            .is_some_and(|q| q == 0.0)
                    });
                    named && !refused
                })
        };
        if takes("br") {
            Some(Self::Brotli)
        } else if takes("gzip") {
            Some(Self::Gzip)
        } else {
            None
        }
    }

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        })
    }

    fn encoder(self) -> Encoder {
        match self {
            Self::Brotli => Encoder::Brotli(Box::new(BrotliEncoder::with_quality(
                Vec::new(),
                Level::Precise(BROTLI_QUALITY),
            ))),
            Self::Gzip => Encoder::Gzip(GzipEncoder::new(Vec::new())),
        }
    }
}

/// One response's compressor, writing into a buffer that each step empties. Brotli's state is
/// kilobytes: boxed, so the stream that carries the encoder stays small.
enum Encoder {
    Brotli(Box<BrotliEncoder<Vec<u8>>>),
    Gzip(GzipEncoder<Vec<u8>>),
}

impl Encoder {
    /// With a chunk: compresses and flushes it, giving the bytes that decode to everything so
    /// far. Without: the stream's end (brotli's last block, gzip's checksum).
    async fn step(&mut self, chunk: Option<&[u8]>) -> io::Result<Bytes> {
        match self {
            Self::Brotli(e) => step(e.as_mut(), BrotliEncoder::get_mut, chunk).await,
            Self::Gzip(e) => step(e, GzipEncoder::get_mut, chunk).await,
        }
    }
}

async fn step<E: AsyncWrite + Unpin>(
    encoder: &mut E,
    buffer: fn(&mut E) -> &mut Vec<u8>,
    chunk: Option<&[u8]>,
) -> io::Result<Bytes> {
    match chunk {
        Some(chunk) => {
            encoder.write_all(chunk).await?;
            encoder.flush().await?;
        }
        None => encoder.shutdown().await?,
    }
    Ok(std::mem::take(buffer(encoder)).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(value: &str) -> Option<Encoding> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        Encoding::accepted(&headers)
    }

    #[test]
    fn brotli_first_then_gzip_and_a_zero_q_refuses() {
        assert_eq!(accepted("gzip, deflate, br, zstd"), Some(Encoding::Brotli));
        assert_eq!(accepted("gzip, deflate"), Some(Encoding::Gzip));
        assert_eq!(accepted("br;q=0, GZIP;q=0.5"), Some(Encoding::Gzip));
        assert_eq!(accepted("identity"), None);
        assert_eq!(accepted("br;q=0"), None);
        assert_eq!(Encoding::accepted(&HeaderMap::new()), None);
    }
}
