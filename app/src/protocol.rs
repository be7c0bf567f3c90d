//! WebSocket messages of `/ws/promotions` (docs/architecture.md §3): JSON text frames tagged by `type`.

use crate::error::ErrorCode;
use crate::model::{Offer, Outcome, Places, ProductId, SearchRequest, UnavailableReason};
use serde::{Deserialize, Serialize};

pub type SearchId = u64;

/// Where the socket is served.
pub const SOCKET_PATH: &str = "/ws/promotions";

/// Largest text frame the server accepts; bigger frames are closed with 1009.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Searches one socket may have in flight at once.
pub const MAX_SEARCHES_PER_SOCKET: usize = 4;
/// The socket's close codes and reasons, for both sides (docs/architecture.md §3).
pub mod close {
    /// The server goes away (shutdown, idle socket).
    pub const GOING_AWAY: u16 = 1001;
    /// A binary frame: the protocol is text.
    pub const UNSUPPORTED: u16 = 1003;
    /// A frame over [`super::MAX_FRAME_BYTES`].
    pub const TOO_BIG: u16 = 1009;
    /// Too many sockets from this client ("Try Again Later"): the page then uses HTTP quietly.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The reason of a server shutting down, so the page can tell a restart (another
    /// instance or the same one back in a moment) from a proxy that kills the socket.
    pub const REASON_SHUTDOWN: &str = "server shutting down";
}
/// Frames of a connection-test stream (`probe`), one every [`PROBE_EVERY_MS`]: a proxy that
/// buffers a stream or cuts it after its first frames shows up in the diagnostics.
pub const PROBE_FRAMES: u32 = 12;
pub const PROBE_EVERY_MS: u64 = 250;

/// The `type` tags are the variant names in snake_case, for serde and strum alike.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ClientMessage {
    Search {
        search_id: SearchId,
        request: SearchRequest,
    },
    Cancel {
        search_id: SearchId,
    },
    Ping {
        nonce: u64,
    },
    /// Asks for a probe stream: [`PROBE_FRAMES`] `probe_frame`s spread over a few seconds.
    /// One at a time per socket.
    Probe,
}

/// `<&str>::from(&message)` is its `type` tag (breadcrumbs name messages by it). Decoded
/// through [`ServerFrame`] (see there why).
#[derive(Clone, Debug, PartialEq, Serialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(name(ServerMessageType), derive(Deserialize))]
#[strum_discriminants(serde(rename_all = "snake_case"))]
pub enum ServerMessage {
    /// The plan: every product that will get exactly one `offer` or `unavailable`.
    Accepted {
        search_id: SearchId,
        products: Vec<ProductId>,
        #[serde(default, skip_serializing_if = "Places::is_empty")]
        places: Places,
    },
    Offer {
        search_id: SearchId,
        offer: Offer,
    },
    Unavailable {
        search_id: SearchId,
        product_id: ProductId,
        reason: UnavailableReason,
        message: String,
    },
    Done {
        search_id: SearchId,
    },
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        search_id: Option<SearchId>,
        code: ErrorCode,
        message: String,
        /// The form field at fault, for validation errors (e.g. `"to_postal"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    Pong {
        nonce: u64,
    },
    /// Frame `seq` (from 0) of the `of` frames of a probe stream.
    ProbeFrame {
        seq: u32,
        of: u32,
    },
}

/// Every field of every server message, flat. Deserializing a tagged enum directly makes
/// serde buffer the whole message in its generic `Content` tree first and decode every
/// nested type from there a second time: in the browser that machinery cost more WASM than
/// this decoder (`wire::need` names a missing field as serde would).
#[derive(Deserialize)]
struct ServerFrame {
    #[serde(rename = "type")]
    kind: ServerMessageType,
    search_id: Option<SearchId>,
    products: Option<Vec<ProductId>>,
    #[serde(default)]
    places: Places,
    offer: Option<Offer>,
    product_id: Option<ProductId>,
    reason: Option<UnavailableReason>,
    message: Option<String>,
    code: Option<ErrorCode>,
    field: Option<String>,
    nonce: Option<u64>,
    seq: Option<u32>,
    of: Option<u32>,
}

impl<'de> Deserialize<'de> for ServerMessage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::wire::need;
        use ServerMessageType as T;
        let f = ServerFrame::deserialize(d)?;
        Ok(match f.kind {
            T::Accepted => ServerMessage::Accepted {
                search_id: need(f.search_id, "search_id")?,
                products: need(f.products, "products")?,
                places: f.places,
            },
            T::Offer => ServerMessage::Offer {
                search_id: need(f.search_id, "search_id")?,
                offer: need(f.offer, "offer")?,
            },
            T::Unavailable => ServerMessage::Unavailable {
                search_id: need(f.search_id, "search_id")?,
                product_id: need(f.product_id, "product_id")?,
                reason: need(f.reason, "reason")?,
                message: need(f.message, "message")?,
            },
            T::Done => ServerMessage::Done {
                search_id: need(f.search_id, "search_id")?,
            },
            T::Error => ServerMessage::Error {
                search_id: f.search_id,
                code: need(f.code, "code")?,
                message: need(f.message, "message")?,
                field: f.field,
            },
            T::Pong => ServerMessage::Pong {
                nonce: need(f.nonce, "nonce")?,
            },
            T::ProbeFrame => ServerMessage::ProbeFrame {
                seq: need(f.seq, "seq")?,
                of: need(f.of, "of")?,
            },
        })
    }
}

impl ServerMessage {
    pub fn outcome(search_id: SearchId, outcome: Outcome) -> Self {
        match outcome {
            Outcome::Offer { offer } => ServerMessage::Offer { search_id, offer },
            Outcome::Unavailable {
                product_id,
                reason,
                message,
            } => ServerMessage::Unavailable {
                search_id,
                product_id,
                reason,
                message,
            },
        }
    }
}

/// A server frame or stream line, `None` when it is not one of ours.
pub fn decode_server_message(text: &str) -> Option<ServerMessage> {
    crate::wire::decode(text)
}

/// Why a client frame could not be understood: a typed error for every input.
pub fn decode_client_message(text: &str) -> Result<ClientMessage, (ErrorCode, String)> {
    serde_json::from_str(text).map_err(|e| {
        use strum::VariantNames;
        let known = ClientMessage::VARIANTS;
        let unknown_type = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
            .filter(|t| !known.contains(&t.as_str()));
        match unknown_type {
            Some(t) => (
                ErrorCode::UnknownMessageType,
                format!("unknown message type {t:?}"),
            ),
            None => (ErrorCode::BadMessage, format!("malformed message: {e}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    #[test]
    fn client_messages_round_trip_with_type_tags() {
        let search = ClientMessage::Search {
            search_id: 7,
            request: sample_request(),
        };
        let text = serde_json::to_string(&search).unwrap();
        assert!(text.starts_with(r#"{"type":"search","search_id":7,"request":"#));
        assert_eq!(decode_client_message(&text).unwrap(), search);
        assert_eq!(
            decode_client_message(r#"{"type":"cancel","search_id":7}"#).unwrap(),
            ClientMessage::Cancel { search_id: 7 }
        );
        assert_eq!(
            decode_client_message(r#"{"type":"ping","nonce":3}"#).unwrap(),
            ClientMessage::Ping { nonce: 3 }
        );
        assert_eq!(
            serde_json::to_string(&ClientMessage::Probe).unwrap(),
            r#"{"type":"probe"}"#
        );
        assert_eq!(
            decode_client_message(r#"{"type":"probe"}"#).unwrap(),
            ClientMessage::Probe
        );
        use strum::VariantNames;
        assert_eq!(
            ClientMessage::VARIANTS,
            ["search", "cancel", "ping", "probe"]
        );
    }

    #[test]
    fn server_messages_have_the_documented_tags() {
        let cases = [
            (
                ServerMessage::Pong { nonce: 3 },
                r#"{"type":"pong","nonce":3}"#,
            ),
            (
                ServerMessage::ProbeFrame { seq: 2, of: 12 },
                r#"{"type":"probe_frame","seq":2,"of":12}"#,
            ),
            (
                ServerMessage::Done { search_id: 7 },
                r#"{"type":"done","search_id":7}"#,
            ),
            (
                ServerMessage::Accepted {
                    search_id: 7,
                    products: vec![ProductId::new("5800"), ProductId::new("3584")],
                    places: Places::default(),
                },
                r#"{"type":"accepted","search_id":7,"products":["5800","3584"]}"#,
            ),
            (
                ServerMessage::Accepted {
                    search_id: 7,
                    products: vec![],
                    places: Places {
                        from: Some("OSLO".into()),
                        to: None,
                    },
                },
                r#"{"type":"accepted","search_id":7,"products":[],"places":{"from":"OSLO"}}"#,
            ),
            (
                ServerMessage::Unavailable {
                    search_id: 7,
                    product_id: ProductId::new("3584"),
                    reason: UnavailableReason::NotEligible,
                    message: "Over 5 kg".into(),
                },
                r#"{"type":"unavailable","search_id":7,"product_id":"3584","reason":"not_eligible","message":"Over 5 kg"}"#,
            ),
            (
                ServerMessage::Error {
                    search_id: None,
                    code: ErrorCode::TooManySearches,
                    message: "m".into(),
                    field: None,
                },
                r#"{"type":"error","code":"too_many_searches","message":"m"}"#,
            ),
        ];
        for (msg, json) in cases {
            assert_eq!(serde_json::to_string(&msg).unwrap(), json);
            assert_eq!(serde_json::from_str::<ServerMessage>(json).unwrap(), msg);
            let tag: &str = (&msg).into();
            assert!(json.starts_with(&format!(r#"{{"type":"{tag}""#)), "{tag}");
        }
    }

    #[test]
    fn server_messages_decode_flat_in_any_field_order_and_name_what_is_missing() {
        let late_tag = r#"{"search_id":7,"extra":[1,{"x":2}],"type":"done"}"#;
        assert_eq!(
            serde_json::from_str::<ServerMessage>(late_tag).unwrap(),
            ServerMessage::Done { search_id: 7 }
        );
        let missing = serde_json::from_str::<ServerMessage>(r#"{"type":"offer","search_id":7}"#);
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("missing field `offer`")
        );
        let unknown = serde_json::from_str::<ServerMessage>(r#"{"type":"hello"}"#);
        assert!(
            unknown
                .unwrap_err()
                .to_string()
                .contains("unknown variant `hello`")
        );
        assert_eq!(decode_server_message(r#"{"nonce":1}"#), None);
    }

    #[test]
    fn undecodable_frames_get_typed_errors() {
        assert_eq!(
            decode_client_message(r#"{"type":"subscribe"}"#)
                .unwrap_err()
                .0,
            ErrorCode::UnknownMessageType
        );
        for bad in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"type":"search","search_id":-1}"#,
            r#"{"type":"ping","nonce":"x"}"#,
            r#"{"type":7}"#,
        ] {
            assert_eq!(
                decode_client_message(bad).unwrap_err().0,
                ErrorCode::BadMessage,
                "{bad}"
            );
        }
    }
}
