//! Email addresses as real mailbox providers accept them, not everything RFC 5322 allows.
//!
//! Accepted: a dot-atom local part (`ada.lovelace+shop@`, `o'brien@`) and a host name of
//! two or more labels, internationalised labels included (`müller.de`). Rejected, although
//! the RFCs allow them: quoted local parts (`"a b"@`), comments (`(x)a@`), folding white
//! space inside the address, IP-address literals (`a@[192.0.2.1]`), dotless domains
//! (`a@localhost`: ICANN forbids them on the public internet, and `ada@gmail` is a typo)
//! and all-numeric top-level labels (`a@1.2.3.4`). Mailbox providers do not hand out such
//! addresses, and ESPs such as SendGrid refuse most of them.
//!
//! Normalisation trims surrounding white space (a pasted address often carries a newline)
//! and lowercases the domain, which DNS treats case-insensitively. The local part is kept
//! byte for byte: only the receiving provider knows whether `Ada.Lovelace+shop` and
//! `adalovelace` are one mailbox (Gmail ignores dots and `+tags`; most providers do not), so
//! rewriting it could send a message to someone else.

use crate::error::{Code, Error, Result};

/// RFC 5321 4.5.3.1: 64 octets for the local part, 255 for the domain (253 without the
/// root dot, as DNS stores it), and 254 for the whole path without its angle brackets.
const MAX_LOCAL: usize = 64;
const MAX_DOMAIN: usize = 253;
const MAX_LABEL: usize = 63;
const MAX_ADDRESS: usize = 254;

/// The normalised address, or `INVALID_EMAIL` with a reason. The address itself is not in
/// the error message: errors end up in logs, addresses are personal data.
pub fn normalize(raw: &str) -> Result<String> {
    normalize_at(raw, "$.email")
}

/// As [`normalize`], reporting `path` as the location of the bad field.
pub fn normalize_at(raw: &str, path: &str) -> Result<String> {
    check(raw).map_err(|reason| {
        Error::new(
            Code::InvalidEmail,
            path,
            format!("not a deliverable email address: {reason}"),
        )
    })
}

/// True if [`normalize`] would accept `raw`.
pub fn is_valid(raw: &str) -> bool {
    check(raw).is_ok()
}

fn check(raw: &str) -> std::result::Result<String, &'static str> {
    let address = raw.trim();
    if address.is_empty() {
        return Err("empty");
    }
    let (local, domain) = address.rsplit_once('@').ok_or("no @")?;
    if local.contains('@') {
        return Err("more than one @");
    }
    check_local(local)?;
    let domain = normalize_domain(domain)?;
    if local.len() + 1 + domain.len() > MAX_ADDRESS {
        return Err("longer than 254 octets");
    }
    Ok(format!("{local}@{domain}"))
}

/// RFC 5322 dot-atom: atext runs separated by single dots.
fn check_local(local: &str) -> std::result::Result<(), &'static str> {
    if local.is_empty() {
        return Err("nothing before the @");
    }
    if local.len() > MAX_LOCAL {
        return Err("local part longer than 64 octets");
    }
    if local.starts_with('"') {
        return Err("quoted local part");
    }
    if local.contains('(') || local.contains(')') {
        return Err("comment in the local part");
    }
    for atom in local.split('.') {
        if atom.is_empty() {
            return Err("local part starts or ends with a dot, or has two in a row");
        }
        if !atom.bytes().all(is_atext) {
            return Err("character not allowed in a local part");
        }
    }
    Ok(())
}

/// RFC 5322 atext (ASCII). Non-ASCII local parts (RFC 6531) need SMTPUTF8 at every hop,
/// which most ESPs do not offer.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// Lowercased, with the ideographic full stops that UTS 46 maps to "." mapped.
fn normalize_domain(domain: &str) -> std::result::Result<String, &'static str> {
    if domain.is_empty() {
        return Err("nothing after the @");
    }
    if domain.starts_with('[') {
        return Err("IP-address literal instead of a domain");
    }
    if domain.contains('(') || domain.contains(')') {
        return Err("comment in the domain");
    }
    let domain: String = domain
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => '.',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    if domain.len() > MAX_DOMAIN {
        return Err("domain longer than 253 octets");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Err("domain starts or ends with a dot, or has two in a row");
        }
        if label.len() > MAX_LABEL {
            return Err("domain label longer than 63 octets");
        }
        if !label.chars().all(is_label_char) {
            return Err("character not allowed in a domain");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("domain label starts or ends with a hyphen");
        }
    }
    if labels.len() < 2 {
        return Err("domain without a dot");
    }
    let tld = labels[labels.len() - 1];
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err("all-numeric top-level domain");
    }
    Ok(domain)
}

/// LDH (letters, digits, hyphen) for ASCII labels; any printable non-ASCII character for
/// internationalised ones, which the provider converts to punycode (full IDNA validation
/// would need Unicode tables that cost more than they catch here).
fn is_label_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '-'
    } else {
        !c.is_whitespace() && !c.is_control() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_is_lowercased_and_the_local_part_kept() {
        assert_eq!(
            normalize("  Ada.Lovelace+Shop@Example.COM\n").unwrap(),
            "Ada.Lovelace+Shop@example.com"
        );
    }

    #[test]
    fn an_invalid_address_is_a_typed_error_without_the_address_in_it() {
        let err = normalize("ada@@example.com").unwrap_err();
        assert_eq!(err.code(), Code::InvalidEmail);
        assert_eq!(err.path(), "$.email");
        assert!(!err.to_string().contains("ada"), "{err}");
    }
}
