//! Who a request is, as far as the limits care: its network address and, when it carries a
//! session cookie this server signed, its browser session. `identify.rs` works it out once
//! per request and puts the [`Caller`] in the request's extensions, where every limited route
//! reads it.

use crate::guards::session::{SessionId, SessionKeys};
use axum::http::{HeaderMap, HeaderName};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A network address as the limits count it: IPv6 per /64 (one customer's network), so an
/// attacker cannot dodge the limits by cycling through their own addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    pub fn of(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(_) => ClientKey(addr),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    ClientKey(IpAddr::V6(Ipv6Addr::new(
                        s[0], s[1], s[2], s[3], 0, 0, 0, 0,
                    )))
                }
            },
        }
    }
}

impl std::fmt::Display for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Whose session budget a request draws on: requests without a valid cookie from one address
/// share one, so scripts that ignore or forge cookies get one session's worth, not one each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionKey {
    Cookie(SessionId),
    Anonymous(ClientKey),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub address: ClientKey,
    /// Only a session whose cookie verified.
    pub session: Option<SessionId>,
}

impl Caller {
    pub fn session_key(&self) -> SessionKey {
        self.session
            .map_or(SessionKey::Anonymous(self.address), SessionKey::Cookie)
    }
}

/// The reverse proxy named a client address that is not one: nobody can be counted for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unidentified {
    pub header: HeaderName,
}

/// How to tell who a request is. Behind a reverse proxy every peer is the proxy, so
/// `CLIENT_IP_HEADER` names the header the proxy puts the client's address in; its right-most
/// address is the one the proxy added (earlier ones are the client's to forge).
#[derive(Clone)]
pub struct Callers {
    header: Option<HeaderName>,
    keys: SessionKeys,
    /// Each way of failing is logged once per process; `/healthz` counts every refusal.
    warned_garbled: Arc<AtomicBool>,
    warned_missing: Arc<AtomicBool>,
}

impl Callers {
    pub fn new(header: Option<HeaderName>, keys: SessionKeys) -> Self {
        Self {
            header,
            keys,
            warned_garbled: Arc::default(),
            warned_missing: Arc::default(),
        }
    }

    /// The header our reverse proxy puts the client's address in, if there is one.
    pub fn header(&self) -> Option<&HeaderName> {
        self.header.as_ref()
    }

    pub fn keys(&self) -> &SessionKeys {
        &self.keys
    }

    /// The client's address. With `CLIENT_IP_HEADER` set: the right-most address of the
    /// header's last line (`ip` or `ip:port`). A request without the header did not come
    /// through the proxy (which always sets it): its peer is the client, and is counted.
    /// A header that is there but names no address is refused: counting it as the proxy's
    /// own address would put every customer on one budget.
    fn address(&self, peer: IpAddr, headers: &HeaderMap) -> Result<ClientKey, Unidentified> {
        let Some(name) = &self.header else {
            return Ok(ClientKey::of(peer));
        };
        let Some(last) = headers.get_all(name).iter().next_back() else {
            if !self.warned_missing.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    header = %name,
                    %peer,
                    "a request came without the client address header: counted by its own address (a direct connection, or a proxy that does not set it); logged once"
                );
            }
            return Ok(ClientKey::of(peer));
        };
        let named = last
            .to_str()
            .ok()
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .and_then(|v| {
                v.parse::<IpAddr>()
                    .or_else(|_| v.parse::<SocketAddr>().map(|s| s.ip()))
                    .ok()
            });
        named.map(ClientKey::of).ok_or_else(|| {
            if !self.warned_garbled.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    header = %name,
                    %peer,
                    "refused a request whose client address header names no address; check the proxy's configuration; logged once"
                );
            }
            Unidentified {
                header: name.clone(),
            }
        })
    }

    pub fn caller(&self, peer: IpAddr, headers: &HeaderMap) -> Result<Caller, Unidentified> {
        Ok(Caller {
            address: self.address(peer, headers)?,
            session: self.keys.from_headers(headers),
        })
    }

    /// Whether the browser reached us over TLS: only a trusted proxy (`CLIENT_IP_HEADER` set)
    /// can say so, in `X-Forwarded-Proto`.
    pub(super) fn over_tls(&self, headers: &HeaderMap) -> bool {
        self.header.is_some()
            && headers
                .get_all("x-forwarded-proto")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    fn key(s: &str) -> ClientKey {
        ClientKey::of(s.parse().unwrap())
    }

    fn callers(header: Option<&'static str>) -> Callers {
        Callers::new(header.map(HeaderName::from_static), SessionKeys::random())
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_address_the_proxy_added_last() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.4".parse().unwrap(),
        );
        let proxied = callers(Some("x-forwarded-for"));
        assert_eq!(proxied.address(peer, &headers), Ok(key("198.51.100.4")));
        // Without the setting the header is ignored: anyone could send it.
        assert_eq!(callers(None).address(peer, &headers), Ok(key("10.0.0.2")));
        // An address with its port is still the address.
        let mut with_port = HeaderMap::new();
        with_port.append("x-forwarded-for", "[2001:db8::1]:4711".parse().unwrap());
        assert_eq!(proxied.address(peer, &with_port), Ok(key("2001:db8::1")));
        with_port.insert("x-forwarded-for", "192.0.2.5:80".parse().unwrap());
        assert_eq!(proxied.address(peer, &with_port), Ok(key("192.0.2.5")));
    }

    #[test]
    fn a_missing_header_counts_the_peer_and_a_garbled_one_is_refused() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let proxied = callers(Some("x-forwarded-for"));
        assert_eq!(
            proxied.address(peer, &HeaderMap::new()),
            Ok(key("10.0.0.2"))
        );
        for garbled in ["not an address", "203.0.113.9, unknown", "", "203.0.113.9,"] {
            let mut headers = HeaderMap::new();
            headers.append("x-forwarded-for", garbled.parse().unwrap());
            assert_eq!(
                proxied.address(peer, &headers),
                Err(Unidentified {
                    header: HeaderName::from_static("x-forwarded-for")
                }),
                "{garbled:?}"
            );
        }
    }

    #[test]
    fn only_a_trusted_proxy_says_the_browser_came_over_tls() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(callers(Some("x-forwarded-for")).over_tls(&headers));
        assert!(!callers(None).over_tls(&headers), "anyone could send it");
        headers.insert("x-forwarded-proto", "http".parse().unwrap());
        assert!(!callers(Some("x-forwarded-for")).over_tls(&headers));
        assert!(!callers(Some("x-forwarded-for")).over_tls(&HeaderMap::new()));
    }

    #[test]
    fn a_caller_without_a_valid_cookie_shares_its_addresss_anonymous_session() {
        let peer: IpAddr = "192.0.2.1".parse().unwrap();
        let clients = callers(None);
        let anonymous = clients.caller(peer, &HeaderMap::new()).unwrap();
        assert_eq!(
            anonymous.session_key(),
            SessionKey::Anonymous(key("192.0.2.1"))
        );
        let id = SessionId::random();
        let mut headers = HeaderMap::new();
        let signed = clients.keys().sign(id);
        headers.insert(
            header::COOKIE,
            format!("promo_session={signed}").parse().unwrap(),
        );
        assert_eq!(
            clients.caller(peer, &headers).unwrap().session_key(),
            SessionKey::Cookie(id)
        );
        // The same id, unsigned (made up): no session.
        headers.insert(
            header::COOKIE,
            format!("promo_session={id}").parse().unwrap(),
        );
        assert_eq!(
            clients.caller(peer, &headers).unwrap().session_key(),
            SessionKey::Anonymous(key("192.0.2.1"))
        );
    }
}
