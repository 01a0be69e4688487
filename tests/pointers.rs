//! Every pointer a reader is given leads somewhere: a README section named in quotes after
//! "README" (in scripts, the Makefile, CI, docs, examples, and the `--help` and error texts of
//! both crates) is a heading of that README, and every page named by path (`docs/....md`,
//! `dev/....md`, `sandbox/README.md`) or linked from a markdown page exists.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (relative to the root) whose name ends with one of `endings`.
fn files(dir: &str, endings: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root().join(dir)];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                if !path.ends_with(".terraform") {
                    pending.push(path);
                }
            } else if endings.iter().any(|e| path.to_string_lossy().ends_with(e)) {
                found.push(path);
            }
        }
    }
    found
}

/// The files whose texts point readers elsewhere.
fn pointing_files() -> Vec<PathBuf> {
    let mut all = vec![
        root().join("README.md"),
        root().join("sandbox/README.md"),
        root().join("GNUmakefile"),
        root().join(".ci/run"),
        root().join("CHANGELOG.md"),
    ];
    all.extend(files("scripts", &[".sh", ".py"]));
    all.extend(files("docs", &[".md"]));
    all.extend(files("dev", &[".md"]));
    all.extend(files("examples", &[".tf", ".md", ".sh"]));
    all.extend(files("src", &[".rs"]));
    all.extend(files("sandbox/src", &[".rs"]));
    all
}

/// `text` with each line's leading whitespace, comment markers and `echo` taken off, lines
/// joined by spaces: a pointer wrapped over two comment or `echo` lines reads as one.
fn flattened(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.trim_start();
            let line = line.trim_start_matches(['#', '/', '!']).trim_start();
            let line = match line.strip_prefix("echo ") {
                // The argument of `echo "..."` without its own quotes.
                Some(arg) if arg.len() > 1 && arg.starts_with('"') && arg.ends_with('"') => {
                    &arg[1..arg.len() - 1]
                }
                Some(arg) => arg,
                None => line,
            };
            line.replace("\\\"", "\"")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The section names quoted right after a mention of a README: `README.md, "Try it by hand"`,
/// `README.md's "Try it by hand" section`, `README, 'Using it'`.
fn quoted_sections(text: &str) -> Vec<String> {
    let text = flattened(text);
    let mut found = Vec::new();
    for (at, _) in text.match_indices("README") {
        let rest = &text[at + "README".len()..];
        let rest = rest.strip_prefix(".md").unwrap_or(rest);
        let rest = rest.strip_prefix("'s").unwrap_or(rest);
        let separated = rest.trim_start_matches([',', ':', ' ']);
        // A quote right after the name closes a string the name is in (`"$dir/README.md"`).
        if separated.len() == rest.len() {
            continue;
        }
        let rest = separated;
        let Some(open) = rest.chars().next().filter(|c| ['"', '\'', '“'].contains(c)) else {
            continue;
        };
        let close = if open == '“' { '”' } else { open };
        let inner = &rest[open.len_utf8()..];
        if let Some(end) = inner.find(close) {
            found.push(inner[..end].to_string());
        }
    }
    found
}

/// The headings of a markdown file, without their `#`s.
fn headings(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).expect("readable README");
    text.lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| line.trim_start_matches('#').trim().to_string())
        .collect()
}

/// Repository paths of pages named in `text`: `docs/....md`, `dev/....md`, `sandbox/README.md`.
fn named_pages(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in ["docs/", "dev/", "sandbox/README.md"] {
        for (at, _) in text.match_indices(start) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.' || c == '-') {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || ['/', '.', '-', '_'].contains(c))
                .collect();
            if path.ends_with(".md") {
                found.push(path);
            }
        }
    }
    found
}

/// Targets of the relative markdown links of `text` to `.md` pages: `[x](guides/y.md#z)`.
fn linked_pages(text: &str) -> Vec<String> {
    text.match_indices("](")
        .filter_map(|(at, _)| {
            let target = &text[at + 2..];
            let target = &target[..target.find(')')?];
            let page = target.split('#').next()?;
            (page.ends_with(".md") && !page.contains("://")).then(|| page.to_string())
        })
        .collect()
}

#[test]
fn every_quoted_readme_section_is_a_heading_of_the_readme() {
    let readme = headings(&root().join("README.md"));
    let mut checked = 0;
    let mut missing = Vec::new();
    for path in pointing_files() {
        let text = fs::read_to_string(&path).expect("readable file");
        for section in quoted_sections(&text) {
            checked += 1;
            if !readme.iter().any(|h| h.starts_with(&section)) {
                missing.push(format!("{}: {section:?}", path.display()));
            }
        }
    }
    assert!(checked >= 3, "only {checked} quoted sections read");
    assert!(
        missing.is_empty(),
        "README.md has no such section: {missing:#?}\nits headings: {readme:#?}"
    );
}

#[test]
fn every_page_named_or_linked_exists() {
    let mut checked = 0;
    let mut missing = Vec::new();
    for path in pointing_files() {
        let text = fs::read_to_string(&path).expect("readable file");
        for page in named_pages(&text) {
            checked += 1;
            if !root().join(&page).is_file() {
                missing.push(format!("{}: {page}", path.display()));
            }
        }
        if path.extension().is_some_and(|e| e == "md") {
            let dir = path.parent().expect("a folder");
            for page in linked_pages(&text) {
                checked += 1;
                if !dir.join(&page).is_file() {
                    missing.push(format!("{}: ({page})", path.display()));
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} page names read");
    assert!(missing.is_empty(), "no such page: {missing:#?}");
}

#[test]
fn the_readers_find_what_they_look_for() {
    let script = "echo \"see README.md,\"\necho \"\\\"Try it by hand\\\".\"\n# (see README, \"Using\n# it\")";
    assert_eq!(quoted_sections(script), ["Try it by hand", "Using it"]);
    assert_eq!(
        quoted_sections("README.md's \"Two commands\" section, a README with no quote"),
        ["Two commands"]
    );
    assert_eq!(
        named_pages(
            "see docs/guides/a.md, dev/performance.md and sandbox/README.md; not x/docs/b.md"
        ),
        [
            "docs/guides/a.md",
            "dev/performance.md",
            "sandbox/README.md"
        ]
    );
    assert_eq!(
        linked_pages("[a](guides/a.md#x) [b](https://e.com/c.md) [c](d.tf)"),
        ["guides/a.md"]
    );
}
