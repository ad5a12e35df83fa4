//! JSON text to a tree, for the storefront's inputs (settings, the session state, a batch of
//! observations). Why not serde_json's parser: through serde's visitors it and its error text
//! were ~10 KB of the wasm every shop page downloads (BENCHMARKS.md, issue 20), and the
//! storefront needs only a tree, which `reader` then checks field by field. The tree is
//! serde_json's `Value` (the server's reader and the Web Pixel mapping read the same type).
//!
//! Same answers as serde_json for what a page hands over: integers as `u64`/`i64` (beyond
//! those, a float), other numbers as `f64`, a repeated key's last value kept, nesting limited
//! to 128 levels. A syntax error is `MALFORMED_JSON` at the path of the value being read when
//! it stopped (`$.items[2]`), its message naming the line and column.

use crate::error::{Code, Error, Result};
use serde_json::{Map, Number, Value};

pub(crate) mod write;
pub(crate) use write::to_string;

/// serde_json's limit too: deeper input is refused rather than overflowing the stack.
const MAX_DEPTH: usize = 128;

/// Parse `text`, one JSON value with nothing but whitespace after it.
pub(crate) fn parse(text: &str) -> Result<Value> {
    let mut parser = Parser { text: text.as_bytes(), at: 0, path: "$".to_string(), depth: 0 };
    let value = parser.value().map_err(|what| parser.error(what))?;
    parser.blank();
    if parser.at < text.len() {
        return Err(Error::new(Code::InvalidField, "$", "trailing characters after the JSON value"));
    }
    Ok(value)
}

/// What was wrong where the parser stopped; `Parser::error` adds the place.
type Step<T> = std::result::Result<T, &'static str>;

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    /// The JSON path of the value being read (a key or index pushed while reading it).
    path: String,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> Error {
        let read = &self.text[..self.at.min(self.text.len())];
        let line = 1 + read.iter().filter(|&&b| b == b'\n').count();
        let column = read.len() - read.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        Error::new(Code::MalformedJson, self.path.clone(), format!("{what} at line {line} column {column}"))
    }

    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.blank();
        self.text.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Step<()> {
        match self.peek() {
            Some(b) if b == byte => {
                self.at += 1;
                Ok(())
            }
            Some(_) => Err(what),
            None => Err("EOF while parsing"),
        }
    }

    fn value(&mut self) -> Step<Value> {
        match self.peek() {
            None => Err("EOF while parsing a value"),
            Some(b'{') => self.nested(Parser::object),
            Some(b'[') => self.nested(Parser::array),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(_) => {
                let rest = &self.text[self.at..];
                for (word, value) in [(&b"null"[..], Value::Null), (b"true", Value::Bool(true)), (b"false", Value::Bool(false))] {
                    if rest.starts_with(word) {
                        self.at += word.len();
                        return Ok(value);
                    }
                }
                Err("expected value")
            }
        }
    }

    fn nested(&mut self, read: fn(&mut Self) -> Step<Value>) -> Step<Value> {
        if self.depth == MAX_DEPTH {
            return Err("recursion limit exceeded");
        }
        self.depth += 1;
        self.at += 1; // the `{` or `[`
        let value = read(self)?;
        self.depth -= 1;
        Ok(value)
    }

    /// Read the elements or members up to the closing `close`, each with `one`; the path
    /// while reading one is extended by `one` and cut back after it.
    fn members(&mut self, close: u8, mut one: impl FnMut(&mut Self) -> Step<()>) -> Step<()> {
        let separator = if close == b'}' { "expected `,` or `}`" } else { "expected `,` or `]`" };
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            one(self)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b) if b == close => {
                    self.at += 1;
                    return Ok(());
                }
                Some(_) => return Err(separator),
                None => return Err("EOF while parsing"),
            }
            if self.peek() == Some(close) {
                return Err("trailing comma");
            }
        }
    }

    fn object(&mut self) -> Step<Value> {
        let mut fields = Map::new();
        self.members(b'}', |p| {
            if p.peek() != Some(b'"') {
                return Err(if p.peek().is_none() { "EOF while parsing an object" } else { "key must be a string" });
            }
            let key = p.string()?;
            p.expect(b':', "expected `:`")?;
            let base = p.path.len();
            p.path.push('.');
            p.path.push_str(&key);
            let value = p.value()?;
            p.path.truncate(base);
            fields.insert(key, value);
            Ok(())
        })?;
        Ok(Value::Object(fields))
    }

    fn array(&mut self) -> Step<Value> {
        let mut items = Vec::new();
        self.members(b']', |p| {
            let base = p.path.len();
            p.path.push('[');
            p.path.push_str(itoa::Buffer::new().format(items.len()));
            p.path.push(']');
            items.push(p.value()?);
            p.path.truncate(base);
            Ok(())
        })?;
        Ok(Value::Array(items))
    }

    /// A string from its opening quote, escapes decoded.
    fn string(&mut self) -> Step<String> {
        self.at += 1; // the opening `"`
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.text.get(self.at) else { return Err("EOF while parsing a string") };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = self.text.get(self.at) else { return Err("EOF while parsing a string") };
                    self.at += 1;
                    let decoded = match escape {
                        b'"' | b'\\' | b'/' => escape,
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let c = self.unicode_escape()?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return Err("invalid escape"),
                    };
                    out.push(decoded);
                }
                0..=0x1f => return Err("control character (\\u0000-\\u001F) found while parsing a string"),
                _ => out.push(byte),
            }
        }
        // Bytes of a `&str` and whole UTF-8 sequences from escapes: always valid.
        String::from_utf8(out).map_err(|_| "invalid unicode code point")
    }

    /// The code point of a `\uXXXX` escape (after the `u`), a surrogate pair as one.
    fn unicode_escape(&mut self) -> Step<char> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.at..].starts_with(b"\\u") {
                return Err("lone leading surrogate in hex escape");
            }
            self.at += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err("lone leading surrogate in hex escape");
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or("invalid unicode code point")
    }

    fn hex4(&mut self) -> Step<u32> {
        let digits = self.text.get(self.at..self.at + 4).ok_or("unexpected end of hex escape")?;
        let mut code = 0;
        for &d in digits {
            let nibble = (d as char).to_digit(16).ok_or("invalid escape")?;
            code = code * 16 + nibble;
        }
        self.at += 4;
        Ok(code)
    }

    /// A number, by JSON's grammar: integers exactly, others as the nearest `f64` where the
    /// digits and exponent allow an exact computation (anything a page stamps or shows), a
    /// close one beyond.
    fn number(&mut self) -> Step<Number> {
        let negative = self.text[self.at] == b'-';
        if negative {
            self.at += 1;
        }
        let mut mantissa: u64 = 0;
        let mut exponent: i32 = 0;
        let mut exact = true; // the mantissa holds every digit
        let mut integer = true;
        let mut digits = |p: &mut Self, fraction: bool| -> Step<()> {
            let start = p.at;
            while let Some(&d @ b'0'..=b'9') = p.text.get(p.at) {
                p.at += 1;
                match mantissa.checked_mul(10).and_then(|m| m.checked_add(u64::from(d - b'0'))) {
                    Some(m) => {
                        mantissa = m;
                        exponent -= i32::from(fraction);
                    }
                    None => {
                        exact = false;
                        exponent += i32::from(!fraction);
                    }
                }
            }
            if p.at == start { Err("invalid number") } else { Ok(()) }
        };
        if self.text.get(self.at) == Some(&b'0') {
            self.at += 1;
        } else {
            digits(self, false)?;
        }
        if self.text.get(self.at) == Some(&b'.') {
            self.at += 1;
            integer = false;
            digits(self, true)?;
        }
        if let Some(b'e' | b'E') = self.text.get(self.at) {
            self.at += 1;
            integer = false;
            let minus = match self.text.get(self.at) {
                Some(b'-') => true,
                Some(b'+') => false,
                _ => false,
            };
            if let Some(b'-' | b'+') = self.text.get(self.at) {
                self.at += 1;
            }
            let start = self.at;
            let mut written: i32 = 0;
            while let Some(&d @ b'0'..=b'9') = self.text.get(self.at) {
                self.at += 1;
                written = written.saturating_mul(10).saturating_add(i32::from(d - b'0'));
            }
            if self.at == start {
                return Err("invalid number");
            }
            exponent = exponent.saturating_add(if minus { -written } else { written });
        }
        if integer && exact {
            if !negative {
                return Ok(Number::from(mantissa));
            }
            // As serde_json: `-0` and integers below i64::MIN are floats.
            if mantissa != 0 && mantissa <= 1 << 63 {
                return Ok(Number::from((mantissa as i64).wrapping_neg()));
            }
        }
        let magnitude = if (-22..=22).contains(&exponent) {
            // 10^e is exact in an f64 up to 22: with a mantissa below 2^53, one rounding.
            let mut scale = 1.0;
            for _ in 0..exponent.unsigned_abs() {
                scale *= 10.0;
            }
            if exponent < 0 { mantissa as f64 / scale } else { mantissa as f64 * scale }
        } else {
            mantissa as f64 * 10f64.powi(exponent)
        };
        let value = if negative { -magnitude } else { magnitude };
        Number::from_f64(value).ok_or("number out of range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn malformed(text: &str) -> (Code, String) {
        let e = parse(text).unwrap_err();
        (e.code(), e.path().to_string())
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let texts = [
            r#"{"a": [1, -2, 3.5, -0.25, 1e3, 2E-2, 18446744073709551615, -9223372036854775808, 18446744073709551616], "b": {"c": null, "d": true, "e": false}}"#,
            r#"["\"\\\/\b\f\n\r\t", "\u00e9\ud83d\ude00", "日本", "", {}, [], 0, -0, 0.1, 1e22, 123e-20, 9007199254740993]"#,
            r#"{"k": 1, "k": 2}"#,
            " \n\t 12 \r\n",
            r#"[1715000000123, 1715000000123.5, 19.99, 0.55, 1299.5]"#,
        ];
        for text in texts {
            assert_eq!(parse(text).unwrap(), serde_json::from_str::<Value>(text).unwrap(), "{text}");
        }
        // Beyond the exact range, close (no page stamps or shows such numbers).
        for (text, expected) in [("1.7976931348623157e300", 1.7976931348623157e300), ("123456789012345678901234567890", 1.2345678901234568e29), ("2.5e-30", 2.5e-30)] {
            let read = parse(text).unwrap().as_f64().unwrap();
            assert!((read - expected).abs() <= expected * 1e-14, "{text}: {read}");
        }
    }

    #[test]
    fn reports_malformed_input_where_it_stopped() {
        let m = |path: &str| (Code::MalformedJson, path.to_string());
        assert_eq!(malformed(""), m("$"));
        assert_eq!(malformed(r#"{"name": "a", "open": tru}"#), m("$.open"));
        assert_eq!(malformed(r#"{"staff": [{"firstName": "A" "age": 3}]}"#), m("$.staff[0]"));
        assert_eq!(malformed(r#"{"staff": [{"firstName": "A"}, ]}"#), m("$.staff"));
        assert_eq!(malformed(r#"{"staff": [{"firstName": "A"}"#), m("$.staff"));
        assert_eq!(malformed(r#"{"name": "a", "#), m("$"));
        assert_eq!(malformed(r#"{"name": "unterminated"#), m("$.name"));
        assert_eq!(malformed(r#"[[0, {"kind": "\x"}]]"#), m("$[0][1].kind"));
        assert_eq!(malformed(r#"{"a": 01}"#).1, "$");
        assert_eq!(malformed(r#"[1.]"#), m("$[0]"));
        assert_eq!(malformed(r#"["\ud800"]"#), m("$[0]"));
        assert_eq!(malformed("[\"a\u{1}\"]"), m("$[0]"));
        assert_eq!(malformed(r#"{1: 2}"#), m("$"));
        assert_eq!(malformed(&"[".repeat(200)), m(&format!("${}", "[0]".repeat(128))));
        let trailing = parse(r#"{"a": 1} x"#).unwrap_err();
        assert_eq!((trailing.code(), trailing.path()), (Code::InvalidField, "$"));
        let e = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!(e.problems[0].message, "expected value at line 2 column 7");
    }
}
