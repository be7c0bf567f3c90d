//! The browser session: a random id in a signed HttpOnly cookie, so that a whole office behind
//! one address is not one client to the limits. Nothing about a session is stored server-side
//! but the limits' counters. The cookie carries an HMAC of the id under `SESSION_SECRET`'s key:
//! a made-up or altered cookie is no session at all (its request is budgeted as the address's
//! cookie-less session), and only the server hands out new ones, at a rate per address
//! ([`crate::limits::ClientLimits::new_session`]).

use axum::http::{HeaderMap, HeaderValue, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The cookie's name on plain HTTP (development, tests on loopback).
pub const COOKIE: &str = "promo_session";
/// Its name over TLS: browsers accept a `__Host-` cookie only with `Secure`, `Path=/` and no
/// `Domain`, so no sub-domain or plain-HTTP page can plant or overwrite it.
pub const SECURE_COOKIE: &str = "__Host-promo_session";
/// The shortest `SESSION_SECRET` taken: 32 characters (`openssl rand -hex 32` gives 64).
pub const MIN_SECRET_LEN: usize = 32;
/// The signature's length in bytes: 128 bits of HMAC-SHA256, written as 32 hex digits.
const TAG_BYTES: usize = 16;

/// 128 random bits, written as 32 lower-case hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId(u128);

impl SessionId {
    pub fn random() -> Self {
        SessionId(u128::from_le_bytes(random_bytes()))
    }

    /// Exactly 32 lower-case hex digits, else nothing.
    fn parse(text: &str) -> Option<Self> {
        (text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| u128::from_str_radix(text, 16).ok().map(SessionId))
            .flatten()
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// 128 random bits as 32 hex digits: an id nobody can guess (a booking's, a form's).
pub fn unguessable_id() -> String {
    format!("{:032x}", u128::from_le_bytes(random_bytes::<16>()))
}

/// Whether `id` has the shape [`unguessable_id`] gives (a form's key, a booking's id).
pub fn is_unguessable_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS's randomness is there on every platform we serve from; without it no id or key
    // is safe to hand out.
    getrandom::fill(&mut bytes).expect("the OS provides randomness");
    bytes
}

/// Signs session cookies and checks them. Every instance of a deployment needs the same key
/// (`SESSION_SECRET`), or a cookie from one is no session on the others.
#[derive(Clone)]
pub struct SessionKeys {
    mac: Hmac<Sha256>,
}

impl SessionKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            mac: Hmac::new_from_slice(secret).expect("HMAC takes a key of any length"),
        }
    }

    /// A key made now: cookies stop verifying when the process ends (start-up warns).
    pub fn random() -> Self {
        Self::new(&random_bytes::<32>())
    }

    /// The MAC fed with the id, ready to finalise or verify.
    fn mac_of(&self, id: SessionId) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(&id.0.to_be_bytes());
        mac
    }

    /// The cookie's value: `<id>.<signature>`.
    pub fn sign(&self, id: SessionId) -> String {
        let tag = self.mac_of(id).finalize().into_bytes();
        let hex: String = tag[..TAG_BYTES]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{id}.{hex}")
    }

    /// The session a cookie value names, if this key signed it (compared in constant time).
    pub fn verify(&self, value: &str) -> Option<SessionId> {
        let (id, hex) = value.split_once('.')?;
        let id = SessionId::parse(id)?;
        let given = decode_hex::<TAG_BYTES>(hex)?;
        self.mac_of(id)
            .verify_truncated_left(&given)
            .ok()
            .map(|()| id)
    }

    /// The request's session: the first session cookie (either name) that verifies.
    pub fn from_headers(&self, headers: &HeaderMap) -> Option<SessionId> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE || *name == SECURE_COOKIE)
            .find_map(|(_, value)| self.verify(value.trim()))
    }

    /// The `Set-Cookie` value for a new session: for this site only (`Path=/`, no `Domain`),
    /// invisible to scripts, not sent on cross-site sub-requests, gone when the browser
    /// closes; over TLS `Secure` under the `__Host-` name.
    pub fn set_cookie(&self, id: SessionId, over_tls: bool) -> HeaderValue {
        let (name, secure) = if over_tls {
            (SECURE_COOKIE, "; Secure")
        } else {
            (COOKIE, "")
        };
        let value = self.sign(id);
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
        ))
        .expect("hex and fixed attributes are a valid header value")
    }
}

fn decode_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    if hex.len() != 2 * N || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SessionKeys {
        SessionKeys::new(b"a test secret of at least thirty-two characters")
    }

    fn pair(cookie: &HeaderValue) -> String {
        cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    }

    fn cookie_header(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, value.parse().unwrap());
        headers
    }

    #[test]
    fn ids_are_random_and_round_trip_through_the_signed_cookie() {
        let (a, b) = (SessionId::random(), SessionId::random());
        assert_ne!(a, b);
        for over_tls in [false, true] {
            let cookie = pair(&keys().set_cookie(a, over_tls));
            let headers = cookie_header(&format!("theme=dark; {cookie}"));
            assert_eq!(keys().from_headers(&headers), Some(a), "{cookie}");
        }
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_under_the_host_prefix_over_tls() {
        let plain = keys().set_cookie(SessionId::random(), false);
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("promo_session="), "{plain}");
        assert!(
            plain.ends_with("; Path=/; HttpOnly; SameSite=Lax"),
            "{plain}"
        );
        let secure = keys().set_cookie(SessionId::random(), true);
        let secure = secure.to_str().unwrap();
        assert!(secure.starts_with("__Host-promo_session="), "{secure}");
        assert!(secure.ends_with("; Path=/; HttpOnly; SameSite=Lax; Secure"));
        assert!(!secure.contains("Domain"));
    }

    #[test]
    fn made_up_altered_or_foreign_cookies_are_no_session() {
        let id = SessionId::random();
        let signed = keys().sign(id);
        assert_eq!(keys().verify(&signed), Some(id));
        // An unsigned id (the old format), someone else's signature, a flipped digit.
        let other = SessionId::random();
        let (_, their_tag) = keys()
            .sign(other)
            .split_once('.')
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .unwrap();
        let mut flipped = signed.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        for forged in [
            id.to_string(),
            format!("{id}.{their_tag}"),
            String::from_utf8(flipped).unwrap(),
            format!("{signed}0"),
            format!("{}.{}", id, "0".repeat(32)),
            signed.to_uppercase(),
            String::new(),
            ".".into(),
        ] {
            assert_eq!(keys().verify(&forged), None, "{forged}");
        }
        // Another deployment's key signs no session here.
        let foreign = SessionKeys::new(b"another secret of at least thirty-two characters");
        assert_eq!(keys().verify(&foreign.sign(id)), None);
        assert_eq!(SessionKeys::random().verify(&signed), None);
        // Other cookies' names do not count, even when they carry a signed value.
        let headers = cookie_header(&format!("other_session={signed}"));
        assert_eq!(keys().from_headers(&headers), None);
        // A forged cookie beside a good one does not hide it.
        let headers = cookie_header(&format!(
            "promo_session={id}; __Host-promo_session={signed}"
        ));
        assert_eq!(keys().from_headers(&headers), Some(id));
    }
}
