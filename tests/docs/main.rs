//! `docs/` is generated from the provider's schemas and `examples/` by the `render` module.
//!
//! With `UPDATE_DOCS=1` (`make docs`) the pages are written. Otherwise the checked-in pages must
//! equal what the generator renders, and, independently of the generator, the attribute bullets
//! of every page must name exactly the attributes of the schema the provider serves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use terraform_provider_coreweave::provider::{CoreWeaveProvider, ProviderData};
use tf_plugin_server::schema::{AttributeType, Block, FunctionSchema, NestedBlock};
use tf_plugin_server::Diagnostics;

mod render;

use render::render_all;

/// Directories under `docs/` whose every page is generated.
const GENERATED_DIRS: [&str; 5] = [
    "docs/resources",
    "docs/data-sources",
    "docs/ephemeral-resources",
    "docs/list-resources",
    "docs/functions",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var("UPDATE_DOCS").as_deref() == Ok("1")
}

fn rendered() -> BTreeMap<PathBuf, String> {
    render_all(&root().join("examples")).into_iter().collect()
}

#[test]
fn checked_in_docs_match_the_generator() {
    let pages = rendered();
    if updating() {
        write_pages(&pages);
        return;
    }
    let mut problems: Vec<String> = pages
        .iter()
        .filter_map(|(path, text)| page_problem(path, text))
        .collect();
    problems.extend(
        unexpected_pages(&pages)
            .iter()
            .map(|p| format!("{} documents nothing the provider has", p.display())),
    );
    assert!(
        problems.is_empty(),
        "docs/ is out of date, run `make docs`:\n{}",
        problems.join("\n")
    );
}

/// Writes every page and removes generated pages that no longer have a schema.
fn write_pages(pages: &BTreeMap<PathBuf, String>) {
    for path in unexpected_pages(pages) {
        std::fs::remove_file(root().join(&path)).expect("removing a stale page");
    }
    for (path, text) in pages {
        let full = root().join(path);
        std::fs::create_dir_all(full.parent().expect("page directory")).expect("creating docs/");
        std::fs::write(&full, text).unwrap_or_else(|e| panic!("writing {}: {e}", full.display()));
    }
}

/// Why the checked-in `path` differs from `expected`, if it does.
fn page_problem(path: &Path, expected: &str) -> Option<String> {
    let Ok(actual) = std::fs::read_to_string(root().join(path)) else {
        return Some(format!("{} is missing", path.display()));
    };
    let first_difference = actual
        .lines()
        .zip(expected.lines())
        .position(|(a, e)| a != e)
        .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
    (actual != expected).then(|| {
        format!(
            "{} differs from the generated page from line {}",
            path.display(),
            first_difference + 1
        )
    })
}

/// Pages in the generated directories that the generator does not produce.
fn unexpected_pages(pages: &BTreeMap<PathBuf, String>) -> Vec<PathBuf> {
    GENERATED_DIRS
        .iter()
        .filter_map(|dir| std::fs::read_dir(root().join(dir)).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            entry
                .path()
                .strip_prefix(root())
                .ok()
                .map(Path::to_path_buf)
        })
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .filter(|path| !pages.contains_key(path))
        .collect()
}

#[test]
fn every_page_documents_exactly_the_schema_attributes() {
    let pages = rendered();
    let mut problems = Vec::new();
    for (path, expected) in schema_names() {
        let text = if updating() {
            pages.get(Path::new(&path)).cloned()
        } else {
            std::fs::read_to_string(root().join(&path)).ok()
        };
        match text {
            Some(text) => problems.extend(compare(&path, &expected, &documented_names(&text))),
            None => problems.push(format!("{path} is missing: run `make docs`")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each page and the attribute names its schema has, nested ones as `parent.child`.
fn schema_names() -> Vec<(String, BTreeSet<String>)> {
    let data = Arc::new(ProviderData::default());
    let mut pages = vec![(
        "docs/index.md".to_string(),
        block_names(&CoreWeaveProvider::provider_schema().block, ""),
    )];
    for (name, resource) in terraform_provider_coreweave::registry::resources(&data) {
        let schema = resource.schema(&mut Diagnostics::default()).expect(&name);
        pages.push((
            format!("docs/resources/{name}.md"),
            block_names(&schema.block, ""),
        ));
    }
    for (name, source) in terraform_provider_coreweave::registry::data_sources(&data) {
        let schema = source.schema(&mut Diagnostics::default()).expect(&name);
        pages.push((
            format!("docs/data-sources/{name}.md"),
            block_names(&schema.block, ""),
        ));
    }
    for (name, ephemeral) in terraform_provider_coreweave::registry::ephemeral_resources(&data) {
        let schema = ephemeral.schema(&mut Diagnostics::default()).expect(&name);
        pages.push((
            format!("docs/ephemeral-resources/{name}.md"),
            block_names(&schema.block, ""),
        ));
    }
    for (name, list) in terraform_provider_coreweave::registry::list_resources(&data) {
        let schema = list.schema(&mut Diagnostics::default()).expect(&name);
        pages.push((
            format!("docs/list-resources/{name}.md"),
            block_names(&schema.block, ""),
        ));
    }
    for (name, function) in terraform_provider_coreweave::registry::functions() {
        let schema = function.schema(&mut Diagnostics::default()).expect(&name);
        pages.push((
            format!("docs/functions/{name}.md"),
            parameter_names(&schema),
        ));
    }
    pages
}

fn block_names(block: &Block, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (name, attribute) in &block.attributes {
        let path = format!("{prefix}{name}");
        names.extend(type_names(&attribute.attr_type, &format!("{path}.")));
        names.insert(path);
    }
    for (name, nested) in &block.blocks {
        let path = format!("{prefix}{name}");
        let inner = match nested {
            NestedBlock::Single(b)
            | NestedBlock::List(b)
            | NestedBlock::Set(b)
            | NestedBlock::Map(b)
            | NestedBlock::Group(b)
            | NestedBlock::Optional(b) => b,
        };
        names.extend(block_names(inner, &format!("{path}.")));
        names.insert(path);
    }
    names
}

/// Names inside an object type or nested attributes.
fn type_names(attr_type: &AttributeType, prefix: &str) -> BTreeSet<String> {
    match attr_type {
        AttributeType::Object(fields) => fields
            .iter()
            .flat_map(|(name, t)| {
                let path = format!("{prefix}{name}");
                let mut names = type_names(t, &format!("{path}."));
                names.insert(path);
                names
            })
            .collect(),
        AttributeType::List(e) | AttributeType::Set(e) | AttributeType::Map(e) => {
            type_names(e, prefix)
        }
        AttributeType::AttributeSingle(attributes)
        | AttributeType::AttributeList(attributes)
        | AttributeType::AttributeSet(attributes)
        | AttributeType::AttributeMap(attributes) => block_names(
            &Block {
                attributes: attributes.clone(),
                ..Block::default()
            },
            prefix,
        ),
        _ => BTreeSet::new(),
    }
}

fn parameter_names(function: &FunctionSchema) -> BTreeSet<String> {
    function
        .parameters
        .iter()
        .chain(&function.variadic)
        .map(|p| p.name.clone())
        .collect()
}

/// The names a page's argument reference lists: the bullets (`- \`name\` (`) and numbered items
/// (`1. \`name\` (`) under "## Schema" or "## Arguments", qualified by their "Nested Schema for"
/// section. Fenced code is skipped.
fn documented_names(markdown: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_fence = false;
    let mut in_reference = false;
    let mut prefix = String::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if in_fence {
            continue;
        } else if let Some(heading) = line.strip_prefix("## ") {
            in_reference = heading == "Schema" || heading == "Arguments";
            prefix.clear();
        } else if let Some(heading) = line.strip_prefix("### ") {
            prefix = nested_prefix(heading);
        } else if let Some(name) = in_reference.then(|| item_name(line)).flatten() {
            names.push(format!("{prefix}{name}"));
        }
    }
    names
}

/// `parent.` for "Nested Schema for `parent`", else empty.
fn nested_prefix(heading: &str) -> String {
    heading
        .strip_prefix("Nested Schema for `")
        .and_then(|rest| rest.strip_suffix('`'))
        .map_or_else(String::new, |path| format!("{path}."))
}

/// The name of a "- `name` (Type) ..." or "1. `name` (Type) ..." line.
fn item_name(line: &str) -> Option<&str> {
    let rest = match line.strip_prefix("- ") {
        Some(rest) => rest,
        None => {
            let digits = line
                .find(|c: char| !c.is_ascii_digit())
                .filter(|&n| n > 0)?;
            line[digits..].strip_prefix(". ")?
        }
    };
    let (name, after) = rest.strip_prefix('`')?.split_once('`')?;
    after.starts_with(" (").then_some(name)
}

/// Precise messages for names missing from, invented by, or repeated on a page.
fn compare(page: &str, expected: &BTreeSet<String>, documented: &[String]) -> Vec<String> {
    let listed: BTreeSet<String> = documented.iter().cloned().collect();
    let missing = expected
        .difference(&listed)
        .map(|n| format!("{page}: schema attribute `{n}` is not documented (run `make docs`)"));
    let invented = listed
        .difference(expected)
        .map(|n| format!("{page}: documents `{n}`, which the schema does not have"));
    let repeated = listed
        .iter()
        .filter(|n| documented.iter().filter(|d| d == n).count() > 1)
        .map(|n| format!("{page}: documents `{n}` more than once"));
    missing.chain(invented).chain(repeated).collect()
}

/// The bullets of `markdown` that give an attribute or field no description.
fn undescribed(markdown: &str) -> Vec<&str> {
    markdown
        .lines()
        .filter(|line| line.starts_with("- `"))
        .filter(|line| {
            let after_type = line
                .split_once("` (")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map_or("", |(_, rest)| rest.trim());
            after_type.is_empty() || after_type.starts_with("(see [below")
        })
        .collect()
}

#[test]
fn every_attribute_and_object_field_has_a_description() {
    let problems: Vec<String> = rendered()
        .iter()
        .flat_map(|(path, text)| {
            undescribed(text)
                .into_iter()
                .map(move |line| format!("{}: {line}", path.display()))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "described nowhere (object fields get theirs from the provider's field_docs):\n{}",
        problems.join("\n")
    );
    assert_eq!(
        undescribed("- `a` (String)\n- `b` (Set of Object) (see [below for nested schema](#x))\n- `c` (String) C.\n- [`d`](d.md)\n"),
        ["- `a` (String)", "- `b` (Set of Object) (see [below for nested schema](#x))"]
    );
}

#[test]
fn field_docs_describe_fields_that_exist() {
    let all = terraform_provider_coreweave::registry::field_docs();
    let pages = [("docs/index.md".to_string(), CoreWeaveProvider::field_docs())]
        .into_iter()
        .chain(
            all.resources
                .into_iter()
                .map(|(name, docs)| (format!("docs/resources/{name}.md"), docs)),
        )
        .chain(
            all.data_sources
                .into_iter()
                .map(|(name, docs)| (format!("docs/data-sources/{name}.md"), docs)),
        )
        .chain(
            all.ephemeral_resources
                .into_iter()
                .map(|(name, docs)| (format!("docs/ephemeral-resources/{name}.md"), docs)),
        );
    let names: BTreeMap<String, BTreeSet<String>> = schema_names().into_iter().collect();
    let stale: Vec<String> = pages
        .flat_map(|(page, docs)| {
            let known = names.get(&page).cloned().unwrap_or_default();
            docs.into_iter()
                .filter(move |(path, _)| !known.contains(path))
                .map(move |(path, _)| format!("{page}: `{path}` is not in the schema"))
        })
        .collect();
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

#[test]
fn hand_edits_that_drop_or_invent_attributes_are_caught() {
    let pages = rendered();
    let page = "docs/resources/object_storage_org_policy.md";
    let text = &pages[Path::new(page)];
    let expected = schema_names()
        .into_iter()
        .find(|(path, _)| path == page)
        .expect("org policy page")
        .1;
    assert!(compare(page, &expected, &documented_names(text)).is_empty());
    let edited: String = text
        .lines()
        .filter(|l| !l.starts_with("- `effect` ("))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace(
            "### Read-Only\n",
            "### Read-Only\n\n- `etag` (String) Invented.",
        );
    assert_eq!(
        compare(page, &expected, &documented_names(&edited)),
        [
            format!(
                "{page}: schema attribute `statements.effect` is not documented (run `make docs`)"
            ),
            format!("{page}: documents `etag`, which the schema does not have"),
        ]
    );
}

#[test]
fn parser_reads_bullets_numbered_items_and_nested_sections_only() {
    let markdown = "## Example Usage\n\n```terraform\n- `fenced` (String)\n```\n\n\
                    ## Schema\n\n### Optional\n\n- `a` (String) x\n- [`link`](x.md)\n\n\
                    <a id=\"nestedblock--b\"></a>\n### Nested Schema for `b`\n\nOptional:\n\n- `c` (String)\n\n\
                    ## Arguments\n\n1. `d` (String) y\n12. `e` (Number)\n\n## Import\n\n- `f` (String)\n";
    assert_eq!(documented_names(markdown), ["a", "b.c", "d", "e"]);
}

/// Guides are written by hand: each has the registry's front matter (`page_title`, subcategory
/// `Guides`, a description) and a title matching its `page_title`.
#[test]
fn every_guide_has_registry_front_matter_and_its_title() {
    let dir = root().join("docs/guides");
    let mut guides = 0;
    for entry in std::fs::read_dir(&dir).expect("docs/guides") {
        let path = entry.expect("a guide").path();
        let text = std::fs::read_to_string(&path).expect("reading a guide");
        let name = path.display();
        let front = text
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(front, _)| front)
            .unwrap_or_else(|| panic!("{name} has no front matter"));
        let title = front
            .lines()
            .find_map(|l| l.strip_prefix("page_title: "))
            .map(|t| t.trim_matches('"'))
            .unwrap_or_else(|| panic!("{name} has no page_title"));
        assert!(
            front.contains("\nsubcategory: \"Guides\""),
            "{name}: subcategory"
        );
        assert!(front.contains("\ndescription: "), "{name}: description");
        assert!(
            text.contains(&format!("\n# {title}\n")),
            "{name}: no `# {title}`"
        );
        guides += 1;
    }
    assert!(guides >= 1, "no guide in docs/guides");
}
