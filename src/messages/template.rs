//! The one renderer for email and SMS: `{{name}}`, `{{#if name}}…{{else}}…{{/if}}`,
//! `{{#each items}}…{{/each}}`, `{{> part}}` and `{{plural count one="# item" other="# items"}}`.
//!
//! Why our own and not a template engine: a template here is data from a merchant's policy,
//! so it must be safe by construction, with no expressions, filters, calls or loops beyond a
//! list: nothing to execute. HTML output escapes every value, always (there is no "raw").
//! minijinja was measured at +561 KB of wasm for the same job; this file is a few KB.

use super::context::Value;
use crate::locale;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    Var(String),
    If { name: String, negate: bool, then: Vec<Node>, otherwise: Vec<Node> },
    Each { name: String, body: Vec<Node> },
    Partial(String),
    Plural { name: String, forms: Vec<(locale::Plural, String)> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub nodes: Vec<Node>,
}

/// A template that does not parse: what is wrong and where (a character offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// How values are written: escaped for HTML, as they are for plain text and SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Html,
    Text,
}

/// A name the template uses, and whether inside an `each` (where item fields resolve first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub name: String,
    pub in_each: bool,
    pub partial: bool,
}

enum Tag<'a> {
    Var(&'a str),
    If(&'a str),
    Else,
    EndIf,
    Each(&'a str),
    EndEach,
    Partial(&'a str),
    Plural(&'a str),
}

pub fn parse(source: &str) -> Result<Template, ParseError> {
    let mut tokens = Vec::new();
    let mut rest = source;
    let mut at = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            tokens.push((at, None, &rest[..open]));
        }
        let inner_start = open + 2;
        let Some(close) = rest[inner_start..].find("}}") else {
            return Err(ParseError { offset: at + open, message: "'{{' without its '}}'".into() });
        };
        let inner = rest[inner_start..inner_start + close].trim();
        tokens.push((at + open, Some(tag(inner).ok_or_else(|| bad(at + open, inner))?), ""));
        let consumed = inner_start + close + 2;
        at += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        tokens.push((at, None, rest));
    }
    let mut position = 0;
    let nodes = block(&tokens, &mut position, None)?;
    Ok(Template { nodes })
}

fn bad(offset: usize, inner: &str) -> ParseError {
    ParseError { offset, message: format!("'{{{{{inner}}}}}' is not a tag this renderer knows") }
}

fn tag(inner: &str) -> Option<Tag<'_>> {
    fn word(s: &str) -> &str {
        s.trim()
    }
    Some(if let Some(name) = inner.strip_prefix("#if ") {
        Tag::If(word(name))
    } else if let Some(name) = inner.strip_prefix("#each ") {
        Tag::Each(word(name))
    } else if let Some(name) = inner.strip_prefix('>') {
        Tag::Partial(word(name))
    } else if let Some(args) = inner.strip_prefix("plural ") {
        Tag::Plural(args)
    } else {
        match inner {
            "else" => Tag::Else,
            "/if" => Tag::EndIf,
            "/each" => Tag::EndEach,
            name if is_name(name) => Tag::Var(name),
            _ => return None,
        }
    })
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') && !s.starts_with('.')
}

type Token<'a> = (usize, Option<Tag<'a>>, &'a str);

/// Nodes up to the end of the enclosing block (`closer`), which it consumes.
fn block(tokens: &[Token<'_>], i: &mut usize, closer: Option<&str>) -> Result<Vec<Node>, ParseError> {
    let mut nodes = Vec::new();
    while *i < tokens.len() {
        let (offset, tag, text) = &tokens[*i];
        *i += 1;
        let Some(tag) = tag else {
            nodes.push(Node::Text(text.to_string()));
            continue;
        };
        match tag {
            Tag::Var(name) => nodes.push(Node::Var(name.to_string())),
            Tag::Partial(name) if is_name(name) => nodes.push(Node::Partial(name.to_string())),
            Tag::Partial(name) => return Err(bad(*offset, name)),
            Tag::If(cond) => {
                let (negate, name) = match cond.strip_prefix('!') {
                    Some(n) => (true, n.trim()),
                    None => (false, *cond),
                };
                if !is_name(name) {
                    return Err(bad(*offset, cond));
                }
                let then = block(tokens, i, Some("if"))?;
                let otherwise = if matches!(tokens.get(*i - 1), Some((_, Some(Tag::Else), _))) {
                    block(tokens, i, Some("endif"))?
                } else {
                    Vec::new()
                };
                nodes.push(Node::If { name: name.to_string(), negate, then, otherwise });
            }
            Tag::Each(name) if is_name(name) => {
                let body = block(tokens, i, Some("each"))?;
                nodes.push(Node::Each { name: name.to_string(), body });
            }
            Tag::Each(name) => return Err(bad(*offset, name)),
            Tag::Plural(args) => nodes.push(plural(*offset, args)?),
            Tag::Else if closer == Some("if") => return Ok(nodes),
            Tag::EndIf if matches!(closer, Some("if" | "endif")) => return Ok(nodes),
            Tag::EndEach if closer == Some("each") => return Ok(nodes),
            Tag::Else | Tag::EndIf | Tag::EndEach => {
                return Err(ParseError { offset: *offset, message: "a closing tag with no block open".into() })
            }
        }
    }
    match closer {
        None => Ok(nodes),
        Some(block) => Err(ParseError {
            offset: tokens.last().map_or(0, |t| t.0),
            message: format!("the '{block}' block is never closed"),
        }),
    }
}

/// `count one="# item" other="# items"`: `other` is required (every locale has it).
fn plural(offset: usize, args: &str) -> Result<Node, ParseError> {
    let err = |m: &str| ParseError { offset, message: format!("plural: {m}") };
    let args = args.trim();
    let (name, mut rest) = args.split_once(' ').ok_or_else(|| err("needs a number and its forms"))?;
    if !is_name(name) {
        return Err(err("the first word must be a variable"));
    }
    let mut forms = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let (key, after) = rest.split_once("=\"").ok_or_else(|| err("forms are written one=\"…\""))?;
        let category = locale::Plural::from_name(key.trim()).ok_or_else(|| err("unknown plural category"))?;
        let (text, after) = after.split_once('"').ok_or_else(|| err("a form's closing quote is missing"))?;
        forms.push((category, text.to_string()));
        rest = after;
    }
    if !forms.iter().any(|(c, _)| *c == locale::Plural::Other) {
        return Err(err("an 'other' form is required"));
    }
    Ok(Node::Plural { name: name.to_string(), forms })
}

impl Template {
    /// Every name the template reads, for validation against the variables a message has.
    pub fn uses(&self) -> Vec<Use> {
        fn walk(nodes: &[Node], in_each: bool, out: &mut Vec<Use>) {
            for node in nodes {
                match node {
                    Node::Text(_) => {}
                    Node::Var(name) | Node::Plural { name, .. } => {
                        out.push(Use { name: name.clone(), in_each, partial: false })
                    }
                    Node::Partial(name) => out.push(Use { name: name.clone(), in_each, partial: true }),
                    Node::If { name, then, otherwise, .. } => {
                        out.push(Use { name: name.clone(), in_each, partial: false });
                        walk(then, in_each, out);
                        walk(otherwise, in_each, out);
                    }
                    Node::Each { name, body } => {
                        out.push(Use { name: name.clone(), in_each, partial: false });
                        walk(body, true, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.nodes, false, &mut out);
        out
    }

    /// The literal text, without tags (what the audit reads for shouting or shorteners).
    pub fn literal_text(&self) -> String {
        fn walk(nodes: &[Node], out: &mut String) {
            for node in nodes {
                match node {
                    Node::Text(t) => out.push_str(t),
                    Node::If { then, otherwise, .. } => {
                        walk(then, out);
                        walk(otherwise, out);
                    }
                    Node::Each { body, .. } => walk(body, out),
                    Node::Plural { forms, .. } => forms.iter().for_each(|(_, f)| {
                        out.push(' ');
                        out.push_str(f)
                    }),
                    Node::Var(_) | Node::Partial(_) => out.push(' '),
                }
            }
        }
        let mut out = String::new();
        walk(&self.nodes, &mut out);
        out
    }
}

/// What a render reads: the values, the named parts (`{{> name}}`), and the locale for numbers.
pub struct Scope<'a> {
    pub values: &'a Value,
    pub partials: &'a dyn Fn(&str) -> Option<&'a Template>,
    pub locale: &'a str,
    pub mode: Mode,
}

const MAX_DEPTH: u8 = 4;

pub fn render(template: &Template, scope: &Scope<'_>) -> String {
    // About the size of the pack's HTML layout with a cart: one allocation, not a dozen regrowths.
    let mut out = String::with_capacity(match scope.mode {
        Mode::Html => 8 * 1024,
        Mode::Text => 256,
    });
    nodes(&template.nodes, scope, &[], 0, &mut out);
    out
}

fn lookup<'v>(scope: &Scope<'v>, items: &[&'v Value], name: &str) -> Option<&'v Value> {
    items.iter().rev().find_map(|item| item.get(name)).or_else(|| scope.values.get(name))
}

fn nodes<'v>(list: &[Node], scope: &Scope<'v>, items: &[&'v Value], depth: u8, out: &mut String) {
    for node in list {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Var(name) => {
                match lookup(scope, items, name) {
                    // Text as it is, without a copy: most values are.
                    Some(Value::Text(text)) => write(text, scope.mode, out),
                    Some(value) => write(&value.display(scope.locale), scope.mode, out),
                    None => {}
                }
            }
            Node::If { name, negate, then, otherwise } => {
                let truthy = lookup(scope, items, name).is_some_and(Value::truthy);
                nodes(if truthy != *negate { then } else { otherwise }, scope, items, depth, out);
            }
            Node::Each { name, body } => {
                if let Some(Value::List(list)) = lookup(scope, items, name) {
                    let mut inner = items.to_vec();
                    for item in list {
                        inner.push(item);
                        nodes(body, scope, &inner, depth, out);
                        inner.pop();
                    }
                }
            }
            // Parts may include parts, to a fixed depth: a cycle renders nothing more.
            Node::Partial(name) if depth < MAX_DEPTH => {
                if let Some(part) = (scope.partials)(name) {
                    nodes(&part.nodes, scope, items, depth + 1, out);
                }
            }
            Node::Partial(_) => {}
            Node::Plural { name, forms } => {
                let n = lookup(scope, items, name).and_then(Value::as_int).unwrap_or(0);
                let category = locale::plural(scope.locale, n);
                let form = forms
                    .iter()
                    .find(|(c, _)| *c == category)
                    .or_else(|| forms.iter().find(|(c, _)| *c == locale::Plural::Other))
                    .map_or("", |(_, f)| f.as_str());
                let number = locale::number(scope.locale, n);
                for (i, piece) in form.split('#').enumerate() {
                    if i > 0 {
                        write(&number, scope.mode, out);
                    }
                    write(piece, scope.mode, out);
                }
            }
        }
    }
}

fn write(text: &str, mode: Mode, out: &mut String) {
    match mode {
        Mode::Text => out.push_str(text),
        Mode::Html => escape_html_into(text, out),
    }
}

pub fn escape_html_into(s: &str, out: &mut String) {
    // Most values have nothing to escape: copied whole.
    if !s.bytes().any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::context::Value;

    fn run(source: &str, values: &Value, mode: Mode) -> String {
        let template = parse(source).unwrap();
        let none = |_: &str| None;
        render(&template, &Scope { values, partials: &none, locale: "en", mode })
    }

    #[test]
    fn values_are_escaped_in_html_and_not_in_text() {
        let values = Value::map([("name", Value::text("<b>Ada & \"co\"</b>"))]);
        assert_eq!(run("Hi {{name}}", &values, Mode::Html), "Hi &lt;b&gt;Ada &amp; &quot;co&quot;&lt;/b&gt;");
        assert_eq!(run("Hi {{name}}", &values, Mode::Text), "Hi <b>Ada & \"co\"</b>");
    }

    #[test]
    fn if_else_each_and_plural() {
        let item = |t: &str| Value::map([("title", Value::text(t))]);
        let values = Value::map([
            ("items", Value::List(vec![item("Socks"), item("Hat")])),
            ("count", Value::Int(2)),
            ("code", Value::text("")),
        ]);
        let out = run(
            "{{#each items}}[{{title}}]{{/each}} {{plural count one=\"# item\" other=\"# items\"}}{{#if code}} code{{else}} none{{/if}}{{#if !code}}!{{/if}}",
            &values,
            Mode::Text,
        );
        assert_eq!(out, "[Socks][Hat] 2 items none!");
    }

    #[test]
    fn unclosed_blocks_and_unknown_tags_are_errors() {
        assert!(parse("{{#if a}}x").is_err());
        assert!(parse("{{a b}}").is_err());
        assert!(parse("{{/each}}").is_err());
        assert!(parse("{{plural n one=\"x\"}}").is_err());
        assert!(parse("{{ a").is_err());
    }
}
