//! `POST /api/search`: a whole search over one HTTP response, for a page whose network breaks
//! its socket (docs/architecture.md §5). The body is the socket's `search` message without its
//! `type`; the answer is the socket's messages for it, one JSON line each, written the moment
//! each is known. One request instead of one per product: a browser queues each request it
//! starts behind the one before (about a millisecond each here), so the fastest product's
//! answer would otherwise wait for its place in the queue. A proxy that holds a response
//! back until it is complete is the page's to notice (it then asks product by product).

use crate::limits::{Caller, ClientLimits, Tier};
use crate::search::SearchService;
use crate::search::start::{NotStarted, Started, begin};
use app::error::ApiError;
use app::i18n::Texts;
use app::model::SearchRequest;
use app::protocol::{SearchId, ServerMessage};
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;

#[derive(Deserialize)]
struct SearchBody {
    search_id: SearchId,
    request: SearchRequest,
}

pub async fn handler(
    State(limits): State<Arc<ClientLimits>>,
    State(search): State<Arc<SearchService>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // The page sends its own language (a `?lang=` may have chosen it over the browser's).
    let t = Texts::for_query(None, &headers);
    // JSON only: a plain cross-site form can send text/plain or form encodings, never JSON.
    if !is_json(&headers) {
        let error = ApiError::Unreadable {
            message: "a search is sent as application/json".into(),
        };
        let mut response = refused(error, None);
        *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return response;
    }
    let SearchBody { search_id, request } = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(e) => {
            let message = format!("not a search: {e}");
            return refused(ApiError::Unreadable { message }, None);
        }
    };
    match begin(
        (&limits, &search),
        caller,
        Tier::Http,
        search_id,
        &request,
        t,
    )
    .await
    {
        Ok(Started { accepted, messages }) => {
            let lines = futures::stream::once(async { accepted })
                .chain(messages)
                .map(|msg| Ok::<_, Infallible>(line(&msg)));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/x-ndjson"),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                    // nginx (the TLS front) would otherwise hold the lines back in its buffer.
                    (
                        HeaderName::from_static("x-accel-buffering"),
                        HeaderValue::from_static("no"),
                    ),
                ],
                Body::from_stream(lines),
            )
                .into_response()
        }
        Err(NotStarted::Limited(retry)) => refused(retry.api_error(t), Some(retry.secs())),
        Err(NotStarted::Invalid(field)) => refused(ApiError::Invalid(field), None),
    }
}

/// Whether the body is declared JSON (`application/json`, parameters such as a charset allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// One message and its newline.
fn line(msg: &ServerMessage) -> Bytes {
    let mut text = serde_json::to_vec(msg).unwrap_or_default();
    text.push(b'\n');
    text.into()
}

/// A search not started, answered like the server functions answer (status, JSON error).
fn refused(error: ApiError, retry_after_secs: Option<u64>) -> Response {
    let mut response = (error.status(), axum::Json(&error)).into_response();
    if let Some(secs) = retry_after_secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
