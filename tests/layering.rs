//! The tree shows the architecture (src/lib.rs, "The tree"): every folder of src/ is a layer
//! that imports only from the layers below it, and no two modules import each other. This
//! test reads every `crate::` path in src/ (comments aside) and fails, naming the file and
//! the path, when one points where its layer may not look.
//!
//! Sources are read from disk, so natively only.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// What each layer may import besides itself: the table in src/lib.rs. `lib` is the crate
/// root (its `VERSION`); its re-exports are followed to the module they come from.
const LAYERS: &[(&str, &[&str])] = &[
    ("wasm", &["*"]),
    // The command line is its own crate: it reaches the library through `rekindle::`.
    ("bin", &["*"]),
    ("ingest", &["model", "compliance", "hygiene", "common", "error"]),
    ("simulate", &["engine", "model", "policy", "compliance", "common", "error"]),
    ("metrics", &["model", "common", "error"]),
    ("measurement", &["model", "policy", "common", "error"]),
    ("recent_states", &["model", "common", "error"]),
    ("engine", &["model", "policy", "compliance", "hygiene", "time_zone", "common", "error"]),
    ("model", &["policy", "messages", "compliance", "common", "error"]),
    ("policy", &["messages", "compliance", "time_zone", "common", "error"]),
    ("messages", &["locale", "compliance", "common", "error"]),
    ("locale", &["common", "error"]),
    ("storefront", &["compliance", "common", "error"]),
    ("compliance", &["time_zone", "common", "error"]),
    ("hygiene", &["error"]),
    ("time_zone", &["error"]),
    ("common", &["error"]),
    ("error", &[]),
    ("lib", &["*"]),
];

/// A source file: its path under src/ ("storefront/capture.rs") and its text.
struct Source {
    path: String,
    text: String,
}

fn read_tree(root: &Path) -> Vec<Source> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<Source>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push(Source { path: relative, text: fs::read_to_string(&path).unwrap() });
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The code without its comments (doc links are not imports). Good enough for this crate:
/// no string literal in it holds `crate::`.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with("/*") {
            rest = rest.find("*/").map_or("", |end| &rest[end + 2..]);
        } else if rest.starts_with("//") {
            rest = rest.find('\n').map_or("", |end| &rest[end..]);
        } else if rest.starts_with('"') {
            // Skip string literals whole, so "https://..." is not a comment.
            let bytes = rest.as_bytes();
            let mut i = 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            rest = &rest[(i + 1).min(rest.len())..];
            out.push_str("\"\"");
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path that starts with `prefix` (`crate::` or `super::`), as its segments:
/// `crate::a::{b, c::d}` gives `[a, b]` and `[a, c, d]`.
fn paths(code: &str, prefix: &str) -> Vec<Vec<String>> {
    fn parse(text: &str, base: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut segments = base;
        let mut rest = text.trim_start();
        loop {
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' | ',' if depth == 1 => {
                            parse(&group[start..i], segments.clone(), out);
                            start = i + 1;
                            if c == '}' {
                                return;
                            }
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                return;
            }
            let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            segments.push(rest[..end].to_string());
            rest = &rest[end..];
            match rest.strip_prefix("::") {
                Some(next) => rest = next,
                None => break,
            }
        }
        if !segments.is_empty() {
            out.push(segments);
        }
    }
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c)) {
            continue; // `mycrate::`, not `crate::`
        }
        parse(&code[at + prefix.len()..], Vec::new(), &mut out);
    }
    out
}

/// The layer a file belongs to: its folder, or its own name at the top of src/.
fn layer_of(path: &str) -> String {
    let first = path.split('/').next().unwrap();
    first.trim_end_matches(".rs").to_string()
}

/// Module name → file, for resolving `crate::a::b` to "a/b.rs" when that file exists.
fn module_file(files: &BTreeSet<&str>, segments: &[String]) -> Option<String> {
    let mut found = None;
    for n in 1..=segments.len() {
        let stem = segments[..n].join("/");
        for candidate in [format!("{stem}.rs"), format!("{stem}/mod.rs")] {
            if files.contains(candidate.as_str()) {
                found = Some(candidate);
            }
        }
    }
    found
}

/// Items the crate root re-exports (`pub use error::{Code, Error, Result}`) → their layer.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in code(lib).lines() {
        if let Some(used) = line.trim().strip_prefix("pub use ") {
            let mut found = Vec::new();
            // Reuse the path parser: `error::{Code, Error}` as if it followed `crate::`.
            let wrapped = format!("crate::{}", used.trim_end_matches(';'));
            found.extend(paths(&wrapped, "crate::"));
            for segments in found {
                out.insert(segments.last().unwrap().clone(), segments[0].clone());
            }
        }
    }
    out
}

/// Everything wrong with the tree: imports a layer may not make, layers in a circle, and
/// modules that import each other.
fn problems(sources: &[Source]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let files: BTreeSet<&str> = sources.iter().map(|s| s.path.as_str()).collect();
    let reexports = sources.iter().find(|s| s.path == "lib.rs").map_or_else(BTreeMap::new, |s| root_reexports(&s.text));
    let mut problems = Vec::new();
    // File → files it imports, for circles between modules. A folder's mod.rs is its facade:
    // its children reach it through `super::`, which is no circle.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        let layer = layer_of(&source.path);
        let Some(may) = allowed.get(layer.as_str()) else {
            problems.push(format!("{}: layer `{layer}` is not in the table (tests/layering.rs, src/lib.rs)", source.path));
            continue;
        };
        let code = code(&source.text);
        for segments in paths(&code, "crate::") {
            let first = segments[0].as_str();
            let target = if files.contains(format!("{first}.rs").as_str()) || files.contains(format!("{first}/mod.rs").as_str()) {
                first.to_string()
            } else if let Some(module) = reexports.get(first) {
                module.clone()
            } else {
                "lib".to_string()
            };
            if target != layer && target != "lib" && !may.contains(&"*") && !may.contains(&target.as_str()) {
                problems.push(format!("{}: `crate::{}` — {layer} may not import {target}", source.path, segments.join("::")));
            }
            if let Some(file) = module_file(&files, &segments) {
                edges.entry(source.path.clone()).or_default().insert(file);
            }
        }
        // `super::sibling` from a file inside a folder.
        if let Some((folder, _)) = source.path.rsplit_once('/') {
            if !source.path.ends_with("/mod.rs") {
                for segments in paths(&code, "super::") {
                    let sibling = format!("{folder}/{}.rs", segments[0]);
                    if files.contains(sibling.as_str()) {
                        edges.entry(source.path.clone()).or_default().insert(sibling);
                    }
                }
            }
        }
    }
    for (from, to) in &mut edges {
        to.remove(from);
        to.retain(|file| !file.ends_with("mod.rs") && file != "lib.rs");
    }
    if let Some(circle) = find_circle(&edges) {
        problems.push(format!("modules import each other: {}", circle.join(" → ")));
    }
    problems
}

/// The layers' own table has no circle (else "below" would mean nothing).
fn table_circle() -> Option<Vec<String>> {
    let edges = LAYERS
        .iter()
        .map(|(layer, may)| (layer.to_string(), may.iter().filter(|m| **m != "*").map(|m| m.to_string()).collect()))
        .collect();
    find_circle(&edges)
}

/// A circle in a directed graph, as the nodes along it, if there is one.
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn every_import_points_down_the_layers_and_no_modules_import_each_other() {
    let sources = read_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // Not vacuous: the tree is there and its known imports are seen.
    assert!(sources.iter().any(|s| s.path == "engine/mod.rs"));
    let engine = code(&sources.iter().find(|s| s.path == "engine/mod.rs").unwrap().text);
    assert!(paths(&engine, "crate::").iter().any(|p| p[0] == "model"));
    let problems = problems(&sources);
    assert!(problems.is_empty(), "the tree breaks its layering (src/lib.rs):\n  {}", problems.join("\n  "));
}

#[test]
fn the_layer_table_itself_has_no_circle() {
    assert_eq!(table_circle(), None);
}

#[test]
fn the_check_catches_a_forbidden_import_a_circle_and_an_unplaced_layer() {
    let source = |path: &str, text: &str| Source { path: path.into(), text: text.into() };
    let tree = [
        source("lib.rs", "pub mod engine;\npub use error::{Code, Error};\n"),
        source("error.rs", "pub struct Error;\n"),
        source("storefront/mod.rs", "pub mod capture;\npub mod beacon;\n"),
        source("storefront/capture.rs", "use super::beacon::Beacon;\n"),
        source("storefront/beacon.rs", "use crate::storefront::capture::{Session, Settings};\n"),
        // An engine that reaches into the storefront, once plainly and once in a group.
        source("engine/mod.rs", "use crate::{error::Error, storefront::capture};\n// crate::storefront in a comment is fine\n"),
        source("model/state.rs", "fn f() -> crate::Error { todo!() }\nconst URL: &str = \"https://x\"; use crate::engine::decide;\n"),
        source("gadgets.rs", "use crate::error::Error;\n"),
    ];
    let found = problems(&tree);
    let has = |needle: &str| found.iter().any(|p| p.contains(needle));
    assert!(has("engine/mod.rs: `crate::storefront::capture` — engine may not import storefront"), "{found:#?}");
    assert!(has("model/state.rs: `crate::engine::decide` — model may not import engine"), "{found:#?}");
    assert!(!has("crate::Error"), "a root re-export of error is allowed: {found:#?}");
    assert!(has("layer `gadgets` is not in the table"), "{found:#?}");
    assert!(
        has("modules import each other: storefront/capture.rs → storefront/beacon.rs → storefront/capture.rs"),
        "{found:#?}"
    );
    assert_eq!(found.len(), 4, "{found:#?}");
}
