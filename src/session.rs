//! The browser session: a random id in an HttpOnly cookie, so that a whole office behind one
//! address is not one client to the limits. Nothing about a session is stored server-side but
//! the limits' counters. The id is not signed: a client that invents ids only gets fresh
//! session budgets, which the per-address ceiling bounds.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const COOKIE: &str = "promo_session";

/// 128 random bits, written as 32 lower-case hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(u128);

impl SessionId {
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        // The OS's randomness is there on every platform we serve from; without it no id is
        // safe to hand out.
        getrandom::fill(&mut bytes).expect("the OS provides randomness");
        SessionId(u128::from_le_bytes(bytes))
    }

    /// Anything but exactly 32 lower-case hex digits is no session.
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| u128::from_str_radix(text, 16).ok().map(SessionId))
            .flatten()
    }

    /// The session cookie among the request's cookies, if it is well-formed.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .and_then(|(_, value)| Self::parse(value.trim()))
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// The `Set-Cookie` value for a new session: for this site only (`Path=/`, no `Domain`),
/// invisible to scripts, not sent on cross-site sub-requests, gone when the browser closes.
pub fn set_cookie(id: SessionId, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("hex and fixed attributes are a valid header value")
}

/// Middleware: a response to a request without a session gets one. Immutable assets get
/// none, so that shared caches may keep them. The request itself still counts as sessionless.
pub async fn issue(State(secure): State<bool>, request: Request, next: Next) -> Response {
    let needs_one = SessionId::from_headers(request.headers()).is_none()
        && !request.uri().path().starts_with(crate::assets::PKG_PATH);
    let mut response = next.run(request).await;
    if needs_one {
        response
            .headers_mut()
            .append(header::SET_COOKIE, set_cookie(SessionId::random(), secure));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_and_round_trip_through_the_cookie() {
        let (a, b) = (SessionId::random(), SessionId::random());
        assert_ne!(a, b);
        let cookie = set_cookie(a, false);
        let pair = cookie.to_str().unwrap().split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("theme=dark; {pair}").parse().unwrap(),
        );
        assert_eq!(SessionId::from_headers(&headers), Some(a));
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_on_https() {
        let plain = set_cookie(SessionId::random(), false);
        let plain = plain.to_str().unwrap();
        assert!(
            plain.contains("; Path=/; HttpOnly; SameSite=Lax"),
            "{plain}"
        );
        assert!(!plain.contains("Secure"));
        let secure = set_cookie(SessionId::random(), true);
        assert!(secure.to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn malformed_ids_are_no_session() {
        for bad in [
            "",
            "abc",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcdeg",
            "0123456789abcdef0123456789abcdef0",
            "+123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(SessionId::parse(bad), None, "{bad}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "other_session=0123456789abcdef0123456789abcdef"
                .parse()
                .unwrap(),
        );
        assert_eq!(SessionId::from_headers(&headers), None);
    }
}
