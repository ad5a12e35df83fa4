//! Values to JSON text, for what the storefront hands back (the step, the session state, the
//! beacon, a summary, an error's problems). A serde `Serializer` writing into a `String`:
//! the same text serde_json writes (its escapes, its shortest float form through `zmij`,
//! non-finite floats as `null`), without its `io::Write` layer, whose error text alone was
//! ~1 KB of the storefront wasm (BENCHMARKS.md, issue 20).

use serde::ser::{self, Serialize};
use std::fmt;

/// JSON text of `value`. A storefront type always writes: none of them carries a value JSON
/// cannot hold (`Unwritable` is serde's required error type, reached only through a custom
/// `Serialize` that fails on purpose).
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Unwritable> {
    let mut out = String::new();
    value.serialize(&mut Writer { out: &mut out })?;
    Ok(out)
}

/// A value JSON text cannot hold.
#[derive(Debug)]
pub(crate) struct Unwritable;

impl fmt::Display for Unwritable {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value JSON cannot hold")
    }
}

impl std::error::Error for Unwritable {}

impl ser::Error for Unwritable {
    // The message is dropped: formatting it would bring the formatting code serde's callers
    // pass in, for an error no storefront type raises.
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unwritable
    }
}

struct Writer<'a> {
    out: &'a mut String,
}

fn open<'w, 'a>(writer: &'w mut Writer<'a>, open: &str, close: &'static str) -> Compound<'w, 'a> {
    writer.out.push_str(open);
    Compound { writer, first: true, close }
}

/// An object or array being written: whether a `,` goes before the next member.
pub(crate) struct Compound<'w, 'a> {
    writer: &'w mut Writer<'a>,
    first: bool,
    /// The `}` or `]` (and, for an enum variant written as `{"name": ...}`, a second `}`).
    close: &'static str,
}

type Done = Result<(), Unwritable>;

impl Writer<'_> {
    fn string(&mut self, text: &str) {
        self.out.push('"');
        let mut start = 0;
        for (i, byte) in text.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                8 => "\\b",
                12 => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(&text[start..i]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("\\u00");
                self.out.push(HEX[usize::from(byte >> 4)] as char);
                self.out.push(HEX[usize::from(byte & 15)] as char);
            } else {
                self.out.push_str(escape);
            }
            start = i + 1;
        }
        self.out.push_str(&text[start..]);
        self.out.push('"');
    }

    fn integer(&mut self, n: impl itoa::Integer) -> Done {
        self.out.push_str(itoa::Buffer::new().format(n));
        Ok(())
    }

    fn float(&mut self, f: impl zmij::Float, finite: bool) -> Done {
        let mut buffer = zmij::Buffer::new();
        self.out.push_str(if finite { buffer.format_finite(f) } else { "null" });
        Ok(())
    }

    /// `{"variant":` before a variant's content, closed by an extra `}`.
    fn variant_key(&mut self, variant: &str) {
        self.out.push('{');
        self.string(variant);
        self.out.push(':');
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Unwritable;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Done {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.integer(v)
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.integer(v)
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.integer(v)
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.integer(v)
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.integer(v)
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.integer(v)
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.integer(v)
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.integer(v)
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.float(v, v.is_finite())
    }
    fn serialize_f64(self, v: f64) -> Done {
        self.float(v, v.is_finite())
    }
    fn serialize_char(self, v: char) -> Done {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for byte in v {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Done {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Done {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, variant: &'static str, value: &T) -> Done {
        self.variant_key(variant);
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Unwritable> {
        Ok(open(self, "[", "]"))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>, Unwritable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'w, 'a>, Unwritable> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Compound<'w, 'a>, Unwritable> {
        self.variant_key(variant);
        Ok(open(self, "[", "]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'a>, Unwritable> {
        Ok(open(self, "{", "}"))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'w, 'a>, Unwritable> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Compound<'w, 'a>, Unwritable> {
        self.variant_key(variant);
        Ok(open(self, "{", "}}"))
    }
}

impl Compound<'_, '_> {
    fn next(&mut self) {
        if !self.first {
            self.writer.out.push(',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        self.next();
        value.serialize(&mut *self.writer)
    }

    /// A member's key: text as it is; a number or a bool (a map keyed by them) quoted, as
    /// serde_json writes them.
    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        self.next();
        let mut text = String::new();
        key.serialize(&mut Writer { out: &mut text })?;
        if !text.starts_with('"') {
            self.writer.out.push('"');
            self.writer.out.push_str(&text);
            self.writer.out.push('"');
        } else {
            self.writer.out.push_str(&text);
        }
        self.writer.out.push(':');
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Done {
        self.next();
        self.writer.string(name);
        self.writer.out.push(':');
        value.serialize(&mut *self.writer)
    }

    fn close(self) -> Done {
        self.writer.out.push_str(self.close);
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        self.element(value)
    }
    fn end(self) -> Done {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        self.element(value)
    }
    fn end(self) -> Done {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        self.element(value)
    }
    fn end(self) -> Done {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        self.element(value)
    }
    fn end(self) -> Done {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        self.key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Done {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Done {
        self.field(name, value)
    }
    fn end(self) -> Done {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Unwritable;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Done {
        self.field(name, value)
    }
    fn end(self) -> Done {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::to_string;
    use serde::Serialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Plain {
        text: String,
        at_ms: f64,
        confidence: f32,
        maybe: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u32>,
        list: Vec<i64>,
        pair: (u8, bool),
        keyed: BTreeMap<u32, char>,
        unit: (),
        nan: f64,
    }

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "camelCase")]
    enum Tagged {
        Opened { at: u64 },
        Closed,
    }

    #[derive(Serialize)]
    #[serde(untagged)]
    enum Untagged {
        Flag(bool),
        Text(String),
    }

    #[derive(Serialize)]
    enum External {
        Unit,
        Newtype(u8),
        Tuple(u8, u8),
        Struct { a: u8 },
    }

    /// The text serde_json writes, byte for byte.
    fn same<T: Serialize>(value: &T) {
        assert_eq!(to_string(value).unwrap(), serde_json::to_string(value).unwrap());
    }

    #[test]
    fn writes_what_serde_json_writes() {
        same(&Plain {
            text: "a \"quoted\" \\ line\nbreak\ttab \u{1} \u{8}\u{c}\r \u{7f} é 日本 😀 </script>".to_string(),
            at_ms: 1_715_000_000_123.5,
            confidence: 0.55 + 0.1 * (3.0 - 1.0),
            maybe: None,
            skipped: None,
            list: vec![i64::MIN, -1, 0, i64::MAX],
            pair: (255, false),
            keyed: BTreeMap::from([(1, 'x'), (20, '"')]),
            unit: (),
            nan: f64::NAN,
        });
        same(&[1_715_000_000_123.0, 0.1, -0.0, 1e300, 5e-324, f64::INFINITY]);
        same(&vec![Tagged::Opened { at: 3 }, Tagged::Closed]);
        same(&(Untagged::Flag(true), Untagged::Text("yes".into())));
        same(&[External::Unit, External::Newtype(1), External::Tuple(2, 3), External::Struct { a: 4 }]);
        same(&json!({ "nested": [{}, [], { "k": [null, 1.5, "s"] }] }));
        same(&BTreeMap::<String, u8>::new());
        same(&(b'a', 'c', "", 7u16, -7i8));
    }
}
