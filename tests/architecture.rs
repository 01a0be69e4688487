//! The layering of the three crates and of their test crates, read from their `use` lines and
//! from the paths written inline in code (`crate::x::y(...)`, `super::z::W`): no circle among
//! the modules of `src/`, `sandbox/src/`, `plugin-server/src/`, `tests/acceptance/` or
//! `sandbox/tests/api/`, counting each file as a module (folder by folder too). A module may use
//! its ancestors (a child reaching its parent's re-exports is the module tree itself, not a layer
//! above), and unit-test code (`tests.rs`, `#[cfg(test)] mod tests`) is left out. And no Rust
//! file over 700 production lines anywhere in the tree (`src/`, `sandbox/src/`,
//! `plugin-server/src/`, `tests/`, `sandbox/tests/`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every Rust file under `root` (relative path) and its text without its unit-test module.
fn rust_files(root: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("readable source folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).expect("below the root");
            let name = relative.to_string_lossy().to_string();
            if !name.ends_with(".rs") {
                continue;
            }
            let text = fs::read_to_string(&path).expect("readable source file");
            let production = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default()
                .to_string();
            found.push((name, production));
        }
    }
    found
}

/// Module path (`api::client`, `""` for the crate root `root_file`) of every source file of the
/// crate in `root`, and its text without its test module.
fn modules(root: &Path, root_file: &str) -> BTreeMap<String, String> {
    rust_files(root)
        .into_iter()
        .filter(|(name, _)| {
            let other_root = name != root_file && ["lib.rs", "main.rs"].contains(&name.as_str());
            !name.ends_with("tests.rs") && !other_root
        })
        .map(|(name, text)| {
            let module = if name == root_file {
                String::new()
            } else {
                name.trim_end_matches(".rs")
                    .trim_end_matches("/mod")
                    .replace('/', "::")
            };
            (module, text)
        })
        .collect()
}

/// The bodies of the `use` declarations of `text` (`crate::a::{b, c::d}`): each starts a line,
/// after `pub` or `pub(...)` if any, and may run over several lines to its `;`.
fn use_declarations(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        let line = match line.strip_prefix("pub") {
            Some(rest) if rest.starts_with('(') => rest.split_once(')').map_or("", |(_, r)| r),
            Some(rest) => rest,
            None => line,
        };
        let Some(body) = line.trim_start().strip_prefix("use ") else {
            continue;
        };
        let mut body = body.to_string();
        while !body.contains(';') {
            match lines.next() {
                Some(more) => body.push_str(more.split("//").next().unwrap_or_default()),
                None => break,
            }
        }
        let body = body.split(';').next().unwrap_or_default();
        found.push(body.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    found
}

/// The paths written inline in code (`crate::api::ApiClient::new`, `super::wait::until`),
/// outside comments: a path used in an expression is a dependency a `use` line does not show.
fn inline_paths(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        for start in ["crate::", "super::"] {
            for (at, _) in code.match_indices(start) {
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                    continue;
                }
                let path: String = code[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                found.push(path.trim_end_matches(':').to_string());
            }
        }
    }
    found
}

/// Every full path a `use` body names: `a::{b, c::{d, self}}` is `a::b`, `a::c::d` and `a::c`.
fn expand(body: &str) -> Vec<String> {
    let Some(open) = body.find('{') else {
        let path = body.split(" as ").next().unwrap_or(body);
        return vec![path.trim_end_matches("::self").to_string()];
    };
    let prefix = &body[..open];
    let inner = &body[open + 1..body.rfind('}').expect("balanced braces")];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .flat_map(|part| expand(&format!("{prefix}{}", part.trim())))
        .collect()
}

/// The module of `modules` that `path`, used in `module`, reaches: the longest module prefix.
fn resolve(module: &str, path: &str, modules: &BTreeMap<String, String>) -> Option<String> {
    let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let mut segments: Vec<&str> = path.split("::").collect();
    match segments.first() {
        Some(&"crate") => base.clear(),
        Some(&"super") => {
            while segments.first() == Some(&"super") {
                base.pop();
                segments.remove(0);
            }
            segments.insert(0, "super");
        }
        Some(&"self") => {}
        _ => return None,
    }
    segments.remove(0);
    (0..=segments.len()).rev().find_map(|take| {
        let candidate = base
            .iter()
            .chain(&segments[..take])
            .copied()
            .collect::<Vec<_>>()
            .join("::");
        modules.contains_key(&candidate).then_some(candidate)
    })
}

/// `module` uses `target`, and `target` is not one of its ancestors.
fn edges(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    modules
        .iter()
        .map(|(module, text)| {
            let targets = use_declarations(text)
                .iter()
                .flat_map(|body| expand(body))
                .chain(inline_paths(text))
                .filter_map(|path| resolve(module, &path, modules))
                .filter(|target| {
                    target != module
                        && !(target.is_empty() || module.starts_with(&format!("{target}::")))
                })
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

/// The module graph with each module replaced by its top-level folder (`api::client` → `api`).
fn folders(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |module: &str| module.split("::").next().unwrap_or_default().to_string();
    let mut folded: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, targets) in graph {
        let entry = folded.entry(top(module)).or_default();
        entry.extend(targets.iter().map(|t| top(t)).filter(|t| *t != top(module)));
    }
    folded
}

/// One circle of `graph`, as the modules along it, if there is any.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if !done.insert(node.to_string()) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// No circle among the modules of the crate in `root` (whose root file is `root_file`), which
/// has at least `at_least` modules.
fn assert_layered(root: &str, root_file: &str, at_least: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let modules = modules(&root, root_file);
    assert!(modules.len() >= at_least, "read {} modules", modules.len());
    let graph = edges(&modules);
    assert!(
        graph.values().map(BTreeSet::len).sum::<usize>() >= modules.len() / 2,
        "too few dependencies read: the path reader is broken"
    );
    for (what, graph) in [("file", graph.clone()), ("folder", folders(&graph))] {
        if let Some(found) = circle(&graph) {
            panic!(
                "{}: a circle among the {what} modules: {}",
                root.display(),
                found.join(" -> ")
            );
        }
    }
}

/// Most production lines one source file may hold (test modules aside): a larger file holds
/// more than one job.
const MAX_FILE_LINES: usize = 700;

/// Files over [`MAX_FILE_LINES`] for now, each with why; the test fails when one is no longer
/// over, so that the list cannot go stale.
const KNOWN_LARGE: [(&str, &str); 1] = [(
    "tests/docs/render.rs",
    "the docs generator, being rewritten with the plugin-protocol layer",
)];

/// Files under `root` over [`MAX_FILE_LINES`] production lines: `path: lines`.
fn large_files(root: &str) -> Vec<(String, usize)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    rust_files(&dir)
        .into_iter()
        .map(|(name, text)| (format!("{root}/{name}"), text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_FILE_LINES)
        .collect()
}

#[test]
fn no_rust_file_holds_more_than_700_production_lines() {
    let large: Vec<(String, usize)> = [
        "src",
        "sandbox/src",
        "plugin-server/src",
        "tests",
        "sandbox/tests",
    ]
    .into_iter()
    .flat_map(large_files)
    .collect();
    let unexpected: Vec<_> = large
        .iter()
        .filter(|(path, _)| !KNOWN_LARGE.iter().any(|(known, _)| known == path))
        .collect();
    assert!(
        unexpected.is_empty(),
        "production lines over {MAX_FILE_LINES}: {unexpected:?}"
    );
    for (known, why) in KNOWN_LARGE {
        assert!(
            large.iter().any(|(path, _)| path == known),
            "{known} ({why}) is no longer over {MAX_FILE_LINES} lines: take it off KNOWN_LARGE"
        );
    }
}

#[test]
fn the_provider_has_no_circle_among_its_modules() {
    assert_layered("src", "lib.rs", 20);
}

#[test]
fn the_sandbox_has_no_circle_among_its_modules() {
    assert_layered("sandbox/src", "lib.rs", 20);
}

#[test]
fn the_plugin_server_has_no_circle_among_its_modules() {
    assert_layered("plugin-server/src", "lib.rs", 12);
}

#[test]
fn the_test_crates_have_no_circle_among_their_modules() {
    assert_layered("tests/acceptance", "main.rs", 20);
    assert_layered("sandbox/tests/api", "main.rs", 10);
    // tests/docs is its root and one child, which can form no circle; the other test crates
    // are single files.
}

#[test]
fn the_reader_finds_a_planted_circle() {
    let modules: BTreeMap<String, String> = [
        (String::new(), "mod a;\nmod b;\n".to_string()),
        (
            "a".to_string(),
            "use crate::b::{self, Thing as Other};\n".to_string(),
        ),
        (
            "b".to_string(),
            "pub(crate) use super::a::inner::{X, Y};\n".to_string(),
        ),
        ("a::inner".to_string(), "use super::Z;\n".to_string()),
    ]
    .into();
    let graph = edges(&modules);
    assert_eq!(graph["a"], BTreeSet::from(["b".to_string()]));
    assert_eq!(graph["b"], BTreeSet::from(["a::inner".to_string()]));
    // A child using its parent is the module tree, not a circle.
    assert!(graph["a::inner"].is_empty());
    assert_eq!(circle(&graph), None);
    assert_eq!(
        circle(&folders(&graph)),
        Some(vec!["a".to_string(), "b".to_string(), "a".to_string()])
    );
}

#[test]
fn the_reader_finds_a_circle_through_an_inline_path() {
    let modules: BTreeMap<String, String> = [
        (String::new(), "mod a;\nmod b;\n".to_string()),
        (
            "a".to_string(),
            "fn f() -> u8 {\n    crate::b::g() // not crate::c in a comment\n}\n".to_string(),
        ),
        (
            "b".to_string(),
            "fn g() -> u8 { let x = $crate::a::h(); super::a::CONST }\n".to_string(),
        ),
    ]
    .into();
    let graph = edges(&modules);
    assert_eq!(graph["a"], BTreeSet::from(["b".to_string()]));
    assert_eq!(graph["b"], BTreeSet::from(["a".to_string()]));
    assert_eq!(
        circle(&graph),
        Some(vec!["a".to_string(), "b".to_string(), "a".to_string()])
    );
}
