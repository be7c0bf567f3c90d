//! Who may open the WebSocket: an exact allow-list of origins (scheme, host and port), against
//! cross-site WebSocket hijacking. With `PUBLIC_ORIGIN` set, exactly those origins, in every
//! mode. Without it only the page's own host may connect: the Origin's host and port must
//! equal the request's Host (either scheme: behind a TLS proxy the server cannot see which).

use axum::http::{HeaderMap, header};

#[derive(Clone, Debug, Default)]
pub struct OriginPolicy {
    /// Empty: the request's own host decides.
    allowed: Vec<String>,
}

/// `scheme://host[:port]` in lower case, without the scheme's default port; `None` if not an origin.
pub fn normalise_origin(origin: &str) -> Option<String> {
    let origin = origin.trim().to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    if !matches!(scheme, "http" | "https")
        || authority.is_empty()
        || authority.contains(['/', '?', '#', '@', ' '])
    {
        return None;
    }
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let authority = authority.strip_suffix(default_port).unwrap_or(authority);
    Some(format!("{scheme}://{authority}"))
}

impl OriginPolicy {
    /// `public_origins` is `PUBLIC_ORIGIN` split on commas.
    pub fn new(public_origins: &[String]) -> Result<Self, String> {
        let allowed = public_origins
            .iter()
            .map(|o| {
                normalise_origin(o).ok_or_else(|| {
                    format!("PUBLIC_ORIGIN: {o:?} is not an origin like https://example.com")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { allowed })
    }

    /// Whether every public origin is https: then the session cookie is `Secure`.
    pub fn is_https_only(&self) -> bool {
        !self.allowed.is_empty() && self.allowed.iter().all(|o| o.starts_with("https://"))
    }

    /// Whether the list is unset, so that the Host header decides (start-up warns).
    pub fn is_open_to_own_host(&self) -> bool {
        self.allowed.is_empty()
    }

    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .and_then(normalise_origin)
        else {
            return false;
        };
        if self.allowed.contains(&origin) {
            return true;
        }
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        self.is_open_to_own_host()
            && host.is_some_and(|host| {
                let authority = origin.split_once("://").map_or("", |(_, a)| a);
                authority == host
                    || normalise_origin(&format!("http://{host}")).as_deref()
                        == Some(origin.as_str())
                    || normalise_origin(&format!("https://{host}")).as_deref()
                        == Some(origin.as_str())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        h
    }

    #[test]
    fn the_allow_list_matches_scheme_host_and_port_exactly() {
        let p = OriginPolicy::new(&[
            "https://example.com".into(),
            "https://shop.example.com:8443".into(),
        ])
        .unwrap();
        assert!(p.allows(&headers(Some("https://example.com"), "example.com")));
        assert!(p.allows(&headers(Some("https://EXAMPLE.com:443"), "example.com")));
        assert!(p.allows(&headers(Some("https://shop.example.com:8443"), "x")));
        assert!(p.is_https_only());
        for bad in [
            "http://example.com",
            "https://example.com.evil.test",
            "https://evil.test",
            "https://example.com:444",
            "null",
            "https://shop.example.com",
            "",
        ] {
            assert!(!p.allows(&headers(Some(bad), "example.com")), "{bad}");
        }
        assert!(!p.allows(&headers(None, "example.com")));
    }

    #[test]
    fn with_a_list_the_pages_own_host_is_not_enough() {
        let p = OriginPolicy::new(&["http://127.0.0.1:3000".into()]).unwrap();
        assert!(p.allows(&headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000")));
        assert!(!p.allows(&headers(Some("https://127.0.0.1:3000"), "127.0.0.1:3000")));
        assert!(!p.is_https_only());
    }

    #[test]
    fn without_a_list_only_the_pages_own_origin_may_connect() {
        let p = OriginPolicy::new(&[]).unwrap();
        assert!(!p.is_https_only());
        assert!(p.allows(&headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000")));
        assert!(p.allows(&headers(Some("https://promo.test"), "promo.test")));
        assert!(!p.allows(&headers(Some("http://127.0.0.1:3001"), "127.0.0.1:3000")));
        assert!(!p.allows(&headers(Some("http://evil.test"), "127.0.0.1:3000")));
        assert!(!p.allows(&headers(Some("null"), "127.0.0.1:3000")));
    }

    #[test]
    fn malformed_configuration_is_refused() {
        assert!(OriginPolicy::new(&["example.com".into()]).is_err());
        assert!(OriginPolicy::new(&["https://example.com/path".into()]).is_err());
    }
}
