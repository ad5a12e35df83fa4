//! libphonenumber's numbering plans, read straight from the protobuf bytes of
//! `phone_plans.bin` (`PhoneMetadataCollection` of libphonenumber's
//! `resources/phonemetadata.proto`). Every pattern stays a slice of the compiled-in bytes and
//! is compiled on its first use, so reading the plans allocates little and a number only pays
//! for the patterns of its own country.

use super::pattern::Pattern;
use std::sync::OnceLock;

/// A pattern from the plans, compiled on first use.
pub struct Source {
    text: &'static str,
    full: OnceLock<Pattern>,
    prefix: OnceLock<Pattern>,
}

impl Source {
    fn new(text: &'static str) -> Source {
        Source { text, full: OnceLock::new(), prefix: OnceLock::new() }
    }

    /// The pattern as written (the plans anchor it: `^(?:...)$`). The plans are compiled in
    /// and every pattern is tested (tests/phone_plans.rs), so a failure is a broken build.
    pub fn full(&self) -> &Pattern {
        self.full.get_or_init(|| Pattern::new(self.text).expect("a phone plan pattern compiles"))
    }

    /// The pattern without its final `$`: a match at the start of a number, as libphonenumber
    /// uses the international and national prefixes and the leading digits.
    pub fn prefix(&self) -> &Pattern {
        self.prefix.get_or_init(|| {
            let text = self.text.strip_suffix('$').unwrap_or(self.text);
            Pattern::new(text).expect("a phone plan pattern compiles")
        })
    }
}

/// One kind of number in a plan (`PhoneNumberDesc`): its pattern and possible lengths.
#[derive(Default)]
pub struct Desc {
    pub pattern: Option<Source>,
    pub lengths: Vec<i32>,
    pub local_only_lengths: Vec<i32>,
}

/// One region's or non-geographic entity's plan (`PhoneMetadata`), the fields Rekindle reads.
#[derive(Default)]
pub struct Plan {
    pub id: &'static str,
    pub country_code: u32,
    pub international_prefix: Option<Source>,
    pub national_prefix_for_parsing: Option<Source>,
    pub national_prefix_transform_rule: &'static str,
    pub same_mobile_and_fixed_line_pattern: bool,
    pub main_country_for_code: bool,
    pub leading_digits: Option<Source>,
    pub general: Desc,
    pub fixed_line: Desc,
    pub mobile: Desc,
    pub toll_free: Desc,
    pub premium_rate: Desc,
    pub shared_cost: Desc,
    pub personal_number: Desc,
    pub voip: Desc,
    pub pager: Desc,
    pub uan: Desc,
    pub voicemail: Desc,
}

/// Every plan, and which plans share a calling code.
pub struct Plans {
    pub plans: Vec<Plan>,
    /// (calling code, indices into `plans`), sorted by code; the code's main country first,
    /// then the others in the file's order, as libphonenumber orders them.
    by_code: Vec<(u32, Vec<usize>)>,
}

impl Plans {
    pub fn read(bytes: &'static [u8]) -> Plans {
        let mut plans = Vec::new();
        for (number, value) in fields(bytes) {
            if let (1, Value::Bytes(body)) = (number, value) {
                plans.push(plan(body));
            }
        }
        let mut by_code: Vec<(u32, Vec<usize>)> = Vec::new();
        for (i, plan) in plans.iter().enumerate() {
            let at = match by_code.iter().position(|(code, _)| *code == plan.country_code) {
                Some(at) => at,
                None => {
                    by_code.push((plan.country_code, Vec::new()));
                    by_code.len() - 1
                }
            };
            if plan.main_country_for_code {
                by_code[at].1.insert(0, i);
            } else {
                by_code[at].1.push(i);
            }
        }
        by_code.sort_unstable_by_key(|(code, _)| *code);
        Plans { plans, by_code }
    }

    /// The plans of a calling code, main country first; empty for an unknown code.
    pub fn for_code(&self, code: u32) -> impl Iterator<Item = &Plan> {
        let found = self.by_code.binary_search_by_key(&code, |(c, _)| *c).ok();
        found.into_iter().flat_map(move |at| self.by_code[at].1.iter().map(move |&i| &self.plans[i]))
    }

    /// A region's plan by its ISO 3166-1 code ("US"); never a non-geographic entity's ("001").
    pub fn for_region(&self, region: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == region && p.id != WORLD)
    }
}

/// The id libphonenumber gives non-geographic entities (+800, +882...).
pub const WORLD: &str = "001";

enum Value {
    Varint(u64),
    Bytes(&'static [u8]),
}

/// The fields of one protobuf message. The bytes are compiled in and tested, so malformed
/// ones are a broken build: reading stops there.
fn fields(bytes: &'static [u8]) -> impl Iterator<Item = (u32, Value)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let key = varint(bytes, &mut at)?;
        let value = match key & 7 {
            0 => Value::Varint(varint(bytes, &mut at)?),
            2 => {
                let length = varint(bytes, &mut at)? as usize;
                let body = bytes.get(at..at + length)?;
                at += length;
                Value::Bytes(body)
            }
            1 => {
                at += 8;
                Value::Varint(0)
            }
            5 => {
                at += 4;
                Value::Varint(0)
            }
            _ => return None,
        };
        Some(((key >> 3) as u32, value))
    })
}

fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn text(body: &'static [u8]) -> &'static str {
    std::str::from_utf8(body).expect("phone plan text is UTF-8")
}

/// Field numbers of `PhoneMetadata` in libphonenumber's `phonemetadata.proto`.
fn plan(bytes: &'static [u8]) -> Plan {
    let mut plan = Plan::default();
    for (number, value) in fields(bytes) {
        match (number, value) {
            (1, Value::Bytes(b)) => plan.general = desc(b),
            (2, Value::Bytes(b)) => plan.fixed_line = desc(b),
            (3, Value::Bytes(b)) => plan.mobile = desc(b),
            (4, Value::Bytes(b)) => plan.toll_free = desc(b),
            (5, Value::Bytes(b)) => plan.premium_rate = desc(b),
            (6, Value::Bytes(b)) => plan.shared_cost = desc(b),
            (7, Value::Bytes(b)) => plan.personal_number = desc(b),
            (8, Value::Bytes(b)) => plan.voip = desc(b),
            (9, Value::Bytes(b)) => plan.id = text(b),
            (10, Value::Varint(v)) => plan.country_code = v as u32,
            (11, Value::Bytes(b)) => plan.international_prefix = Some(Source::new(text(b))),
            (15, Value::Bytes(b)) => plan.national_prefix_for_parsing = Some(Source::new(text(b))),
            (16, Value::Bytes(b)) => plan.national_prefix_transform_rule = text(b),
            (18, Value::Varint(v)) => plan.same_mobile_and_fixed_line_pattern = v != 0,
            (21, Value::Bytes(b)) => plan.pager = desc(b),
            (22, Value::Varint(v)) => plan.main_country_for_code = v != 0,
            (23, Value::Bytes(b)) => plan.leading_digits = Some(Source::new(text(b))),
            (25, Value::Bytes(b)) => plan.uan = desc(b),
            (28, Value::Bytes(b)) => plan.voicemail = desc(b),
            _ => {}
        }
    }
    plan
}

/// Field numbers of `PhoneNumberDesc`: 2 the pattern, 9 and 10 the lengths (repeated int32,
/// packed or not).
fn desc(bytes: &'static [u8]) -> Desc {
    let mut desc = Desc::default();
    for (number, value) in fields(bytes) {
        let lengths = match number {
            2 => {
                if let Value::Bytes(b) = value {
                    desc.pattern = Some(Source::new(text(b)));
                }
                continue;
            }
            9 => &mut desc.lengths,
            10 => &mut desc.local_only_lengths,
            _ => continue,
        };
        match value {
            Value::Varint(v) => lengths.push(v as i32),
            Value::Bytes(packed) => {
                let mut at = 0;
                while let Some(v) = varint(packed, &mut at) {
                    lengths.push(v as i32);
                }
            }
        }
    }
    desc
}
