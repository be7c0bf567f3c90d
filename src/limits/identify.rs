//! The middleware that works out who each request is, once.

use super::ClientLimits;
use super::caller::{Callers, Unidentified};
use crate::guards::origin::OriginPolicy;
use crate::guards::session::SessionId;
use crate::stats::Stats;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Middleware: works out who the request is (refusing one whose proxy header is garbled), puts
/// the [`Caller`] in its extensions, and gives a request without a valid session a new one,
/// within its address's allowance of new sessions. Immutable assets never get one, so that
/// shared caches may keep them. The request itself still counts as sessionless.
pub async fn identify(
    State(callers): State<Callers>,
    State(limits): State<Arc<ClientLimits>>,
    State(origins): State<Arc<OriginPolicy>>,
    State(stats): State<Arc<Stats>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match callers.caller(peer.ip(), request.headers()) {
        Ok(caller) => caller,
        Err(Unidentified { header }) => {
            stats.unidentified.fetch_add(1, Ordering::Relaxed);
            let message = format!("the client address in {header} cannot be read");
            return (StatusCode::BAD_REQUEST, message).into_response();
        }
    };
    let path = request.uri().path();
    // Health checks and assets need no session (and monitors would use up the allowance).
    let wants_session = caller.session.is_none()
        && !path.starts_with(crate::assets::PKG_PATH)
        && path != crate::stats::HEALTH_PATH;
    let over_tls = origins.is_https_only() || callers.over_tls(request.headers());
    request.extensions_mut().insert(caller);
    // The request counts as sessionless either way, so it need not wait for the allowance
    // (a Redis call when the budgets are shared): both at once.
    let allowed = async { wants_session && limits.new_session(caller.address).await };
    let (mut response, issue) = tokio::join!(next.run(request), allowed);
    if issue {
        let cookie = callers.keys().set_cookie(SessionId::random(), over_tls);
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
