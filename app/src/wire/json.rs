//! The browser's JSON reader: a serde `Deserializer` for the texts the server sends.
//!
//! serde_json's reader costs the page's WASM far more than this one does (issue 26): its
//! decoders are inlined into every type's code, and its error messages, which the page never
//! shows, keep Rust's float printing alive through serde's `Unexpected::Float`. This reader
//! keeps the per-type code to a dispatch, and its error says only that the text was not what
//! was expected. What it reads is serde_json's output for the page's types; numbers are
//! integers (the page reads no floats: prices are in øre, times in milliseconds); a float in a
//! field the page does not read is passed over. The server writes with serde_json; the tests
//! below hold this reader to what serde_json reads.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

/// A text that is not JSON, or not the JSON of the type asked for.
#[derive(Debug, PartialEq)]
pub struct Error;

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unexpected JSON")
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    // The message is dropped unformatted: formatting it is what costs the bytes.
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Error
    }
}

type Result<T> = std::result::Result<T, Error>;

/// Nesting deeper than this is refused, as serde_json does, so no text can exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// Reads one JSON value of type `T` from the whole of `text`.
pub fn from_str<'de, T: de::Deserialize<'de>>(text: &'de str) -> Result<T> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut reader)?;
    match reader.peek() {
        None => Ok(value),
        Some(_) => Err(Error),
    }
}

struct Reader<'de> {
    text: &'de [u8],
    at: usize,
    depth: u32,
}

/// A number as the text has it: the reader takes integers only.
enum Integer {
    Unsigned(u64),
    Negative(i64),
}

impl<'de> Reader<'de> {
    /// The next byte after white space, not consumed.
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.text.get(self.at) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    fn eat(&mut self, expected: u8) -> Result<()> {
        if self.peek() == Some(expected) {
            self.at += 1;
            Ok(())
        } else {
            Err(Error)
        }
    }

    fn word(&mut self, word: &[u8]) -> Result<()> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Error)
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Error)
        } else {
            Ok(())
        }
    }

    /// A string, borrowed from the text unless it has escapes.
    fn string(&mut self) -> Result<Cow<'de, str>> {
        self.eat(b'"')?;
        let start = self.at;
        let mut owned: Option<Vec<u8>> = None;
        loop {
            let &b = self.text.get(self.at).ok_or(Error)?;
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let buf = owned.get_or_insert_with(|| self.text[start..self.at - 1].to_vec());
                    let &e = self.text.get(self.at).ok_or(Error)?;
                    self.at += 1;
                    let c = match e {
                        b'"' | b'\\' | b'/' => e as char,
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return Err(Error),
                    };
                    buf.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return Err(Error),
                _ => {
                    if let Some(buf) = owned.as_mut() {
                        buf.push(b);
                    }
                }
            }
        }
        match owned {
            None => std::str::from_utf8(&self.text[start..self.at - 1])
                .map(Cow::Borrowed)
                .map_err(|_| Error),
            Some(buf) => String::from_utf8(buf).map(Cow::Owned).map_err(|_| Error),
        }
    }

    /// The character of a `\u` escape (its `\u` read), a surrogate pair as one.
    fn escaped_char(&mut self) -> Result<char> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            self.word(b"\\u")?;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(Error);
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or(Error)
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.text.get(self.at..self.at + 4).ok_or(Error)?;
        let digits = std::str::from_utf8(digits).map_err(|_| Error)?;
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| Error)
    }

    fn integer(&mut self) -> Result<Integer> {
        let negative = self.peek() == Some(b'-');
        let start = self.at;
        self.at += usize::from(negative);
        let digits = self.at;
        while self.text.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        let text = &self.text[start..self.at];
        // JSON has no leading zeros, and a fraction or exponent is a float.
        let leading_zero = self.at - digits > 1 && self.text[digits] == b'0';
        if self.at == digits
            || leading_zero
            || matches!(self.text.get(self.at), Some(b'.' | b'e' | b'E'))
        {
            return Err(Error);
        }
        let text = std::str::from_utf8(text).map_err(|_| Error)?;
        if negative {
            text.parse().map(Integer::Negative).map_err(|_| Error)
        } else {
            text.parse().map(Integer::Unsigned).map_err(|_| Error)
        }
    }

    /// Passes over one value of any shape, floats included (a field the page does not read).
    fn skip(&mut self) -> Result<()> {
        match self.peek().ok_or(Error)? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let close = if self.text[self.at] == b'{' {
                    b'}'
                } else {
                    b']'
                };
                self.at += 1;
                self.enter()?;
                let mut first = true;
                while self.peek() != Some(close) {
                    if !first {
                        self.eat(b',')?;
                    }
                    first = false;
                    if close == b'}' {
                        self.string()?;
                        self.eat(b':')?;
                    }
                    self.skip()?;
                }
                self.at += 1;
                self.depth -= 1;
                Ok(())
            }
            _ => {
                let start = self.at;
                while self
                    .text
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
                {
                    self.at += 1;
                }
                match &self.text[start..self.at] {
                    b"true" | b"false" | b"null" => Ok(()),
                    number if number[0] == b'-' || number[0].is_ascii_digit() => Ok(()),
                    _ => Err(Error),
                }
            }
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek().ok_or(Error)? {
            b'"' => match self.string()? {
                Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
                Cow::Owned(s) => visitor.visit_string(s),
            },
            b'{' => {
                self.at += 1;
                self.enter()?;
                let value = visitor.visit_map(Items::new(self))?;
                self.eat(b'}')?;
                self.depth -= 1;
                Ok(value)
            }
            b'[' => {
                self.at += 1;
                self.enter()?;
                let value = visitor.visit_seq(Items::new(self))?;
                self.eat(b']')?;
                self.depth -= 1;
                Ok(value)
            }
            b't' => self.word(b"true").and_then(|()| visitor.visit_bool(true)),
            b'f' => self.word(b"false").and_then(|()| visitor.visit_bool(false)),
            b'n' => self.word(b"null").and_then(|()| visitor.visit_unit()),
            _ => match self.integer()? {
                Integer::Unsigned(n) => visitor.visit_u64(n),
                Integer::Negative(n) => visitor.visit_i64(n),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek() == Some(b'n') {
            self.word(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    /// `"Variant"` for a unit variant, `{"Variant": value}` for the others (serde's default).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        if self.peek() == Some(b'"') {
            return visitor.visit_enum(self.string()?.into_deserializer());
        }
        self.eat(b'{')?;
        self.enter()?;
        let value = visitor.visit_enum(Variant(&mut *self))?;
        self.eat(b'}')?;
        self.depth -= 1;
        Ok(value)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The members of an object or the elements of an array, each after a comma but the first.
struct Items<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'a, 'de> Items<'a, 'de> {
    fn new(reader: &'a mut Reader<'de>) -> Self {
        Items {
            reader,
            first: true,
        }
    }

    /// Whether another item follows (before `close`), its comma read.
    fn next(&mut self, close: u8) -> Result<bool> {
        if self.reader.peek() == Some(close) {
            return Ok(false);
        }
        if !std::mem::take(&mut self.first) {
            self.reader.eat(b',')?;
        }
        Ok(true)
    }
}

impl<'de> SeqAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.next(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

impl<'de> MapAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.next(b'}')? {
            return Ok(None);
        }
        // Keys are strings; the reader hands them over as such.
        if self.reader.peek() != Some(b'"') {
            return Err(Error);
        }
        let key = seed.deserialize(&mut *self.reader)?;
        self.reader.eat(b':')?;
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.reader)
    }
}

/// `{"Variant": value}`: the variant's name, then its content.
struct Variant<'a, 'de>(&'a mut Reader<'de>);

impl<'de> de::EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let name = seed.deserialize(&mut *self.0)?;
        self.0.eat(b':')?;
        Ok((name, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self.0)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self.0)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_any(self.0, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_any(self.0, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::{BookedPage, Quoted};
    use crate::diagnosis::seen::SeenRequest;
    use crate::error::{ApiError, ErrorCode, FieldError};
    use crate::model::{Outcome, Plan};
    use crate::protocol::ServerMessage;
    use crate::transport::warm_up::{WARM_UP_LINE, WARM_UP_OUTCOME};
    use proptest::prelude::*;
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use std::fmt::Debug;
    use std::result::Result;

    /// Reads `text` as `T` the way serde_json does.
    fn same<T: DeserializeOwned + PartialEq + Debug>(text: &str) {
        let theirs: T = serde_json::from_str(text).expect(text);
        assert_eq!(from_str::<T>(text), Ok(theirs), "{text}");
    }

    /// Reads what serde_json writes of `value` back as `value`.
    fn round_trip<T: serde::Serialize + DeserializeOwned + PartialEq + Debug>(value: T) {
        let text = serde_json::to_string(&value).unwrap();
        assert_eq!(from_str::<T>(&text), Ok(value), "{text}");
    }

    #[test]
    fn reads_every_kind_of_server_message_as_serde_json_does() {
        for text in [
            WARM_UP_LINE,
            r#"{"type":"accepted","search_id":3,"products":["5800","3584"],"places":{"from":"OSLO","to":"KIRKENES"}}"#,
            r#"{"type":"unavailable","search_id":3,"product_id":"3584","reason":"not_eligible","message":"For tung \"pakke\"\n"}"#,
            r#"{"type":"done","search_id":18446744073709551615}"#,
            r#"{"type":"error","code":"invalid_postal_code","message":"m","field":"to_postal"}"#,
            r#"{"type":"error","search_id":null,"code":"too_many_searches","message":"m"}"#,
            r#"{"type":"pong","nonce":9007199254740993}"#,
            r#" { "seq" : 2 , "of" : 12 , "type" : "probe_frame" } "#,
            r#"{"search_id":7,"extra":[1.5e3,{"x":-2.25,"y":[true,false,null]}],"type":"done"}"#,
        ] {
            same::<ServerMessage>(text);
        }
        same::<Outcome>(WARM_UP_OUTCOME);
    }

    #[test]
    fn reads_the_http_answers_and_the_values_the_server_puts_in_the_page() {
        round_trip(ApiError::Invalid(FieldError {
            field: "to_postal".into(),
            code: ErrorCode::InvalidPostalCode,
            message: "Postnummeret må ha fire sifre".into(),
        }));
        round_trip(ApiError::Server {
            message: "tab\t, emoji 📦, nul \u{0}".into(),
        });
        round_trip::<Result<Plan, ApiError>>(Ok(Plan {
            products: vec![crate::model::ProductId::new("5800")],
            places: Default::default(),
        }));
        same::<Option<Result<Outcome, ApiError>>>(&format!(r#"{{"Ok":{WARM_UP_OUTCOME}}}"#));
        same::<Option<Result<Outcome, ApiError>>>("null");
        round_trip(SeenRequest {
            headers: vec![("via".into(), "1.1 proxy".into())],
            hints: vec!["«sitert»".into()],
        });
        round_trip(Quoted::BadSearch);
        round_trip(Quoted::Unavailable {
            message: "ikke tilgjengelig".into(),
        });
        round_trip(BookedPage(None));
        for lang in [crate::i18n::Lang::Nb, crate::i18n::Lang::En] {
            same::<Vec<String>>(crate::i18n::Texts::new(lang, false).json());
        }
    }

    #[test]
    fn refuses_what_is_not_json_of_the_type() {
        for text in [
            "",
            "{",
            r#"{"type":"done","search_id":7"#,
            r#"{"type":"done","search_id":7}x"#,
            r#"{"type":"done","search_id":7,}"#,
            r#"{"type":"done" "search_id":7}"#,
            r#"{type:"done","search_id":7}"#,
            r#"{"type":"done","search_id":7.0}"#,
            r#"{"type":"done","search_id":07}"#,
            r#"{"type":"done","search_id":-7}"#,
            r#"{"type":"done","search_id":"7"}"#,
            r#"{"type":"hello"}"#,
            r#"{"type":"done"}"#,
            r#"{"type":"error","code":"x\ud800","message":"m"}"#,
            r#"{"type":"done","search_id":7,"x":tru}"#,
            "{\"type\":\"pong\",\"nonce\":1,\"x\":\"a\nb\"}",
        ] {
            assert_eq!(from_str::<ServerMessage>(text), Err(Error), "{text}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(from_str::<Value>(&deep), Err(Error));
        let skipped_deep = format!(r#"{{"type":"done","search_id":1,"x":{deep}}}"#);
        assert_eq!(from_str::<ServerMessage>(&skipped_deep), Err(Error));
    }

    /// JSON values without floats (the reader takes integers only).
    fn values() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn reads_what_serde_json_writes(value in values()) {
            let compact = serde_json::to_string(&value).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            prop_assert_eq!(from_str::<Value>(&compact), Ok(value.clone()));
            prop_assert_eq!(from_str::<Value>(&pretty), Ok(value));
        }

        #[test]
        fn any_text_is_read_or_refused_without_a_panic(text in ".{0,64}") {
            let ours = from_str::<Value>(&text).ok();
            let theirs = serde_json::from_str::<Value>(&text).ok();
            // Where serde_json reads a text without floats, ours reads it the same.
            if !text.contains(['.', 'e', 'E']) {
                prop_assert_eq!(ours, theirs);
            }
        }

        #[test]
        fn escapes_read_as_the_characters_they_stand_for(s in any::<String>()) {
            let escaped: String = s.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
            let surrogates: String = s
                .encode_utf16()
                .map(|u| format!("\\u{u:04X}"))
                .collect();
            prop_assert_eq!(from_str::<String>(&format!("\"{surrogates}\"")), Ok(s.clone()));
            if s.chars().all(|c| (c as u32) < 0x10000) {
                prop_assert_eq!(from_str::<String>(&format!("\"{escaped}\"")), Ok(s));
            }
        }
    }
}
