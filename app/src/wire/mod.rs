//! Reading what the server sends: every JSON text the page decodes goes through [`decode`]
//! (socket frames, stream lines, HTTP answers, and the values the server puts in the page for
//! hydration). Tagged enums are decoded from flat frames: see `protocol::ServerFrame` for why.

mod json;

/// The field's value, or serde's own error for a missing field.
pub(crate) fn need<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

/// One JSON text from the server, decoded by the page's own reader ([`json`]: a fraction of
/// serde_json's size in the WASM); `None` when it is not what `T` reads. The server writes
/// with serde_json, and reads its clients' messages with it too, for its error messages.
pub fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    json::from_str(text).ok()
}

/// Leptos' codec for what the server serialises into the page (resources, shared values):
/// written with serde_json, read with [`decode`].
pub struct WireCodec;

impl<T: serde::Serialize> codee::Encoder<T> for WireCodec {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: serde::de::DeserializeOwned> codee::Decoder<T> for WireCodec {
    type Error = ();
    type Encoded = str;

    fn decode(val: &str) -> Result<T, ()> {
        decode(val).ok_or(())
    }
}

/// A value the server works out while rendering and the browser reads from the page instead
/// of working it out again (Leptos' `SharedValue`, through [`WireCodec`]).
pub fn shared<T>(initial: impl FnOnce() -> T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    leptos::prelude::SharedValue::<T, WireCodec>::new_with_encoding(initial).into_inner()
}
