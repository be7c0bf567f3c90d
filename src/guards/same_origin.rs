//! Server functions answer same-origin requests only (docs/architecture.md §7, §11): leptos_axum does no
//! Origin or CSRF check of its own, so a cross-site page could otherwise post to them.

use crate::guards::origin::OriginPolicy;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Refuses `/api/*` requests and form posts (`POST /book`) that a browser marks as
/// cross-site, or whose Origin is foreign. Requests with neither header come from non-browser
/// clients, which CSRF cannot use.
pub async fn guard(State(origins): State<Arc<OriginPolicy>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") || req.method() == axum::http::Method::POST {
        let headers = req.headers();
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let cross_site = matches!(fetch_site, Some("cross-site" | "same-site"));
        let foreign_origin = headers.contains_key(header::ORIGIN) && !origins.allows(headers);
        if cross_site || foreign_origin {
            let origin = headers
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("(none)");
            crate::log_throttle::warn_throttled!(
                path = req.uri().path(),
                origin,
                fetch_site,
                "server function refused: not same-origin"
            );
            return (
                StatusCode::FORBIDDEN,
                "cross-origin requests are not allowed",
            )
                .into_response();
        }
    }
    next.run(req).await
}
