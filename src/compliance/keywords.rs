//! Inbound SMS keywords (CTIA; Twilio's defaults; FACTS.md): matched on the whole trimmed
//! message, case-insensitive. "stop please" is free text, not STOP.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
}

const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "REVOKE",
];
const OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
const HELP: &[&str] = &["HELP", "INFO"];

pub fn classify(body: &str) -> Option<Keyword> {
    let word = body.trim();
    let is = |list: &[&str]| list.iter().any(|k| k.eq_ignore_ascii_case(word));
    if is(OPT_OUT) {
        Some(Keyword::OptOut)
    } else if is(OPT_IN) {
        Some(Keyword::OptIn)
    } else if is(HELP) {
        Some(Keyword::Help)
    } else {
        None
    }
}
