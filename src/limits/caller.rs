//! Who a request is, as far as the limits care: its network address and, when it carries the
//! session cookie, its browser session.

use crate::session::SessionId;
use axum::http::{HeaderMap, HeaderName};
use std::net::{IpAddr, Ipv6Addr};

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

/// Whose session budget a request draws on: requests without the cookie from one address
/// share one, so scripts that ignore cookies get one session's worth, not one each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionKey {
    Cookie(SessionId),
    Anonymous(ClientKey),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub address: ClientKey,
    pub session: Option<SessionId>,
}

impl Caller {
    pub fn session_key(&self) -> SessionKey {
        self.session
            .map_or(SessionKey::Anonymous(self.address), SessionKey::Cookie)
    }
}

/// Where a request comes from. Behind a reverse proxy every peer is the proxy, so
/// `CLIENT_IP_HEADER` names the header the proxy puts the client's address in; its right-most
/// address is the one the proxy added (earlier ones are the client's to forge).
#[derive(Clone, Debug, Default)]
pub struct ClientAddress {
    header: Option<HeaderName>,
}

impl ClientAddress {
    pub fn new(header: Option<HeaderName>) -> Self {
        Self { header }
    }

    /// The header our reverse proxy puts the client's address in, if there is one.
    pub fn header(&self) -> Option<&HeaderName> {
        self.header.as_ref()
    }

    fn key(&self, peer: IpAddr, headers: &HeaderMap) -> ClientKey {
        let forwarded = self.header.as_ref().and_then(|name| {
            let last = headers.get_all(name).iter().next_back()?.to_str().ok()?;
            last.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        ClientKey::of(forwarded.unwrap_or(peer))
    }

    pub fn caller(&self, peer: IpAddr, headers: &HeaderMap) -> Caller {
        Caller {
            address: self.key(peer, headers),
            session: SessionId::from_headers(headers),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    fn key(s: &str) -> ClientKey {
        ClientKey::of(s.parse().unwrap())
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
        let proxied = ClientAddress::new(Some(HeaderName::from_static("x-forwarded-for")));
        assert_eq!(proxied.key(peer, &headers), key("198.51.100.4"));
        // Without the setting the header is ignored: anyone could send it.
        assert_eq!(
            ClientAddress::default().key(peer, &headers),
            key("10.0.0.2")
        );
        // A missing or garbled header falls back to the peer.
        assert_eq!(proxied.key(peer, &HeaderMap::new()), key("10.0.0.2"));
        headers.append("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(proxied.key(peer, &headers), key("10.0.0.2"));
    }

    #[test]
    fn a_caller_without_the_cookie_shares_its_addresss_anonymous_session() {
        let peer: IpAddr = "192.0.2.1".parse().unwrap();
        let clients = ClientAddress::default();
        let anonymous = clients.caller(peer, &HeaderMap::new());
        assert_eq!(
            anonymous.session_key(),
            SessionKey::Anonymous(key("192.0.2.1"))
        );
        let id = SessionId::random();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("promo_session={id}").parse().unwrap(),
        );
        assert_eq!(
            clients.caller(peer, &headers).session_key(),
            SessionKey::Cookie(id)
        );
    }
}
