//! What the server saw of a request: the headers a proxy on the way adds or changes, and the
//! hints they give that one is there.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeenRequest {
    /// The headers that tell about the way the request came, as received.
    pub headers: Vec<(String, String)>,
    /// Plain sentences, one per sign of a proxy between the browser and us.
    pub hints: Vec<String>,
}

/// The server's `CLIENT_IP_HEADER`, provided as Leptos context for `api::connection_check`.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct FrontProxy {
    pub client_ip_header: Option<String>,
}

/// Headers shown to the customer and support. `X-Tls-Protocol` is set by our own TLS front
/// (see `scripts/cluster`): the TLS version of the connection that reached us.
#[cfg(feature = "ssr")]
const SHOWN: [(&str, &str); 7] = [
    ("user-agent", "User-Agent"),
    ("via", "Via"),
    ("forwarded", "Forwarded"),
    ("x-forwarded-for", "X-Forwarded-For"),
    ("x-forwarded-proto", "X-Forwarded-Proto"),
    ("x-tls-protocol", "X-TLS-Protocol"),
    ("accept-language", "Accept-Language"),
];

/// Reads a request's headers. `client_ip_header` is the header our own reverse proxy puts
/// the client's address in (`CLIENT_IP_HEADER`): its right-most address is ours to add, any
/// before it came from a proxy on the customer's side.
#[cfg(feature = "ssr")]
pub fn from_headers(
    t: crate::i18n::Texts,
    headers: &http::HeaderMap,
    client_ip_header: Option<&str>,
) -> SeenRequest {
    use crate::i18n::W;
    let value = |name: &str| {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    let shown = SHOWN
        .iter()
        .filter_map(|(name, shown)| Some(((*shown).to_owned(), value(name)?)))
        .collect();
    let mut hints = Vec::new();
    if let Some(via) = value("via") {
        hints.push(t.fill(W::HintVia, &[("via", &via)]));
    }
    if let Some(forwarded) = value("forwarded") {
        hints.push(t.fill(W::HintForwarded, &[("forwarded", &forwarded)]));
    }
    if let Some(xff) = value("x-forwarded-for") {
        let ours = usize::from(
            client_ip_header.is_some_and(|h| h.eq_ignore_ascii_case("x-forwarded-for")),
        );
        let addresses: Vec<&str> = xff.split(',').map(str::trim).collect();
        if addresses.len() > ours {
            let theirs = addresses[..addresses.len() - ours].join(", ");
            hints.push(t.fill(W::HintForwardedFor, &[("theirs", &theirs)]));
        }
    }
    SeenRequest {
        headers: shown,
        hints,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Texts};

    fn en() -> Texts {
        Texts::new(Lang::En, false)
    }

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn a_plain_request_has_no_hints() {
        let seen = from_headers(
            en(),
            &headers(&[("user-agent", "Chrome"), ("cookie", "s=1")]),
            None,
        );
        assert_eq!(
            seen.headers,
            vec![("User-Agent".to_owned(), "Chrome".to_owned())]
        );
        assert!(seen.hints.is_empty());
    }

    #[test]
    fn via_and_forwarded_are_hints() {
        let seen = from_headers(
            en(),
            &headers(&[("via", "1.1 hostile-proxy"), ("forwarded", "for=10.0.0.7")]),
            None,
        );
        assert_eq!(
            seen.hints,
            [
                "A proxy names itself in Via: 1.1 hostile-proxy",
                "A proxy forwarded the request: Forwarded: for=10.0.0.7"
            ]
        );
        assert!(
            seen.headers
                .contains(&("Via".into(), "1.1 hostile-proxy".into()))
        );
    }

    #[test]
    fn our_own_front_proxys_address_is_no_hint_earlier_ones_are() {
        let ours = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-tls-protocol", "TLSv1.3"),
        ]);
        let seen = from_headers(en(), &ours, Some("X-Forwarded-For"));
        assert!(seen.hints.is_empty(), "{:?}", seen.hints);
        assert!(
            seen.headers
                .contains(&("X-TLS-Protocol".into(), "TLSv1.3".into()))
        );
        // Without a front proxy of ours, any X-Forwarded-For came from theirs.
        assert_eq!(from_headers(en(), &ours, None).hints.len(), 1);
        let theirs = headers(&[("x-forwarded-for", "10.0.0.7, 203.0.113.9")]);
        assert_eq!(
            from_headers(en(), &theirs, Some("x-forwarded-for")).hints,
            ["A proxy on your side forwarded the request for 10.0.0.7"]
        );
    }
}
