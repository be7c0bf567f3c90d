//! The part of Sentry's wire format this product speaks (https://develop.sentry.dev/sdk/envelopes/):
//! DSNs, envelope headers and events. The browser builds events with it (the `sentry` crate does
//! not run in a browser), and the server's tunnel reads envelope headers with it.

use serde::{Deserialize, Serialize};

/// Where the browser posts its envelopes; the server forwards them to Sentry.
pub const TUNNEL_PATH: &str = "/api/sentry-tunnel";

/// Names and values sent as one JSON object (tags, extra, headers, breadcrumb data). A list,
/// not a map: each holds a few entries, and a `BTreeMap`'s code alone cost the browser's
/// WASM about 7 kB br. Writers name each key once.
pub type Pairs = Vec<(String, String)>;

/// An event's tags or extra fields as its writers name them, each name once.
pub type Fields<'a> = Vec<(&'a str, String)>;

/// [`Pairs`] as a JSON object.
mod pairs {
    use super::Pairs;
    use serde::de::{Deserializer, MapAccess, Visitor};
    use serde::ser::Serializer;

    pub fn serialize<S: Serializer>(pairs: &Pairs, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Pairs::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(pairs)
            }
        }
        d.deserialize_map(Object)
    }
}

/// `{scheme}://{public_key}@{host}/{project_id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dsn {
    pub scheme: String,
    pub public_key: String,
    /// Host with port, if any.
    pub host: String,
    pub project_id: String,
}

impl Dsn {
    pub fn parse(dsn: &str) -> Option<Dsn> {
        let (scheme, rest) = dsn.trim().split_once("://")?;
        let (public_key, rest) = rest.split_once('@')?;
        let public_key = public_key.split(':').next()?;
        let (host, path) = rest.split_once('/')?;
        let project_id = path.trim_end_matches('/').rsplit('/').next()?;
        let valid = matches!(scheme, "http" | "https")
            && !public_key.is_empty()
            && !host.is_empty()
            && !project_id.is_empty()
            && project_id.chars().all(|c| c.is_ascii_digit());
        valid.then(|| Dsn {
            scheme: scheme.to_owned(),
            public_key: public_key.to_owned(),
            host: host.to_ascii_lowercase(),
            project_id: project_id.to_owned(),
        })
    }

    /// Where envelopes for this DSN are posted.
    pub fn envelope_url(&self) -> String {
        format!(
            "{}://{}/api/{}/envelope/",
            self.scheme, self.host, self.project_id
        )
    }

    /// The DSN without a secret part, as browsers may see it.
    pub fn public(&self) -> String {
        format!(
            "{}://{}@{}/{}",
            self.scheme, self.public_key, self.host, self.project_id
        )
    }

    /// Same ingest host and project: the tunnel forwards only these.
    pub fn same_target(&self, other: &Dsn) -> bool {
        self.scheme == other.scheme
            && self.host == other.host
            && self.project_id == other.project_id
    }
}

/// What the page needs to report its own errors; the server puts it in the page's `<head>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientTelemetry {
    /// The public DSN; `None` when reporting is off.
    pub dsn: Option<String>,
    pub release: String,
    pub environment: String,
    pub debug_panic: bool,
}

/// The first line of an envelope.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvelopeHeader {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsn: Option<String>,
}

/// Reads an envelope's header line; `None` when it is not an envelope.
pub fn envelope_header(body: &[u8]) -> Option<EnvelopeHeader> {
    let line = body.split(|b| *b == b'\n').next()?;
    serde_json::from_slice(line).ok()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Breadcrumb {
    pub timestamp: f64,
    pub category: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "pairs")]
    pub data: Pairs,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exception {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// A Sentry event: the fields the browser fills in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub event_id: String,
    /// Seconds since the epoch.
    pub timestamp: f64,
    pub platform: String,
    pub level: String,
    pub logger: String,
    pub release: String,
    pub environment: String,
    pub exception: Values<Exception>,
    #[serde(with = "pairs")]
    pub tags: Pairs,
    /// Strings only: `serde_json::Value` would cost the WASM bundle more than it is worth.
    #[serde(with = "pairs")]
    pub extra: Pairs,
    pub request: Request,
    pub breadcrumbs: Values<Breadcrumb>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Values<T> {
    pub values: Vec<T>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The page URL without its query string: the query holds postal codes.
    pub url: String,
    #[serde(with = "pairs")]
    pub headers: Pairs,
}

/// One event as an envelope: header line, item header line, event line.
pub fn envelope(dsn: &str, event: &Event) -> String {
    let header = EnvelopeHeader {
        event_id: Some(event.event_id.clone()),
        dsn: Some(dsn.to_owned()),
    };
    let body = serde_json::to_string(event).unwrap_or_default();
    format!(
        "{}\n{{\"type\":\"event\",\"length\":{}}}\n{body}\n",
        serde_json::to_string(&header).unwrap_or_default(),
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsns_parse_and_name_their_ingest_url() {
        let dsn = Dsn::parse("https://abc123@o1.ingest.sentry.io/4506").unwrap();
        assert_eq!(
            dsn.envelope_url(),
            "https://o1.ingest.sentry.io/api/4506/envelope/"
        );
        assert_eq!(dsn.public(), "https://abc123@o1.ingest.sentry.io/4506");
        let kent = Dsn::parse("http://public@127.0.0.1:5000/1").unwrap();
        assert_eq!(kent.envelope_url(), "http://127.0.0.1:5000/api/1/envelope/");
        let secret = Dsn::parse("https://key:secret@sentry.example.com/7").unwrap();
        assert_eq!(secret.public(), "https://key@sentry.example.com/7");
        for bad in [
            "",
            "sentry.io/1",
            "https://sentry.io/1",
            "ftp://k@h/1",
            "https://k@h/",
            "https://k@h/abc",
        ] {
            assert_eq!(Dsn::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_tunnel_matches_host_and_project_not_key() {
        let ours = Dsn::parse("https://abc@o1.ingest.sentry.io/4506").unwrap();
        assert!(ours.same_target(&Dsn::parse("https://other@o1.ingest.sentry.io/4506").unwrap()));
        assert!(!ours.same_target(&Dsn::parse("https://abc@evil.test/4506").unwrap()));
        assert!(!ours.same_target(&Dsn::parse("https://abc@o1.ingest.sentry.io/4507").unwrap()));
        assert!(!ours.same_target(&Dsn::parse("http://abc@o1.ingest.sentry.io/4506").unwrap()));
    }

    #[test]
    fn an_envelope_carries_its_dsn_and_one_event() {
        let event = Event {
            event_id: "0123456789abcdef0123456789abcdef".into(),
            platform: "javascript".into(),
            ..Default::default()
        };
        let text = envelope("http://public@127.0.0.1:5000/1", &event);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let header = envelope_header(text.as_bytes()).unwrap();
        assert_eq!(
            header.dsn.as_deref(),
            Some("http://public@127.0.0.1:5000/1")
        );
        assert_eq!(header.event_id.as_deref(), Some(event.event_id.as_str()));
        let item: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(item["type"], "event");
        assert_eq!(item["length"], lines[2].len());
        assert_eq!(serde_json::from_str::<Event>(lines[2]).unwrap(), event);
        assert_eq!(envelope_header(b"not an envelope"), None);
    }
}
