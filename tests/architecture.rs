//! The layering of the three crates, read from their `use` lines alone: no circle among the
//! modules of `src/`, `sandbox/src/` or `plugin-server/src/`, counting each file as a module (folder by folder too). A
//! module may use its ancestors (a child reaching its parent's re-exports is the module tree
//! itself, not a layer above), and test code (`tests.rs`, `#[cfg(test)] mod tests`) is left out.
//! And no source file over 700 production lines.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Module path (`api::client`, `""` for the crate root) of every source file, and its text
/// without its test module.
fn modules(root: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("readable source folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).expect("below the root");
            let name = relative.to_string_lossy();
            if !name.ends_with(".rs") || name.ends_with("tests.rs") || name == "main.rs" {
                continue;
            }
            let module = name
                .trim_end_matches(".rs")
                .trim_end_matches("/mod")
                .replace('/', "::");
            let module = if module == "lib" {
                String::new()
            } else {
                module
            };
            let text = fs::read_to_string(&path).expect("readable source file");
            let production = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default()
                .to_string();
            found.insert(module, production);
        }
    }
    found
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

/// Asserts that the modules under `root` (at least `at_least` of them, so that a broken reader
/// cannot pass by reading nothing) use each other without a circle.
fn assert_layered(root: &str, at_least: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let modules = modules(&root);
    assert!(modules.len() >= at_least, "read {} modules", modules.len());
    let graph = edges(&modules);
    assert!(
        graph.values().map(BTreeSet::len).sum::<usize>() > modules.len(),
        "too few dependencies read: the use-line reader is broken"
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

fn assert_small_files(root: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
    let large: Vec<String> = modules(&root)
        .iter()
        .map(|(module, text)| (module, text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_FILE_LINES)
        .map(|(module, lines)| format!("{module}: {lines}"))
        .collect();
    assert!(
        large.is_empty(),
        "{}: production lines over {MAX_FILE_LINES}: {large:?}",
        root.display()
    );
}

#[test]
fn no_source_file_holds_more_than_700_production_lines() {
    assert_small_files("src");
    assert_small_files("sandbox/src");
    assert_small_files("plugin-server/src");
}

#[test]
fn the_provider_has_no_circle_among_its_modules() {
    assert_layered("src", 20);
}

#[test]
fn the_sandbox_has_no_circle_among_its_modules() {
    assert_layered("sandbox/src", 20);
}

#[test]
fn the_plugin_server_has_no_circle_among_its_modules() {
    assert_layered("plugin-server/src", 12);
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
