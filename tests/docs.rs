//! The docs name only what the code has: every file the README and docs/architecture.md name
//! in backticks exists, and every type, function, constant or setting they name in backticks
//! is written somewhere in the sources (a setting's environment name as clap derives it from
//! its field, an error code as serde writes its variant). Names from outside the house (the
//! browser's, the kernel's, the compiler's) are listed below with where they come from.

use std::path::{Path, PathBuf};

const DOCS: [&str; 2] = ["README.md", "docs/architecture.md"];

/// Named in the docs, defined elsewhere.
const OUTSIDE: [&str; 7] = [
    "CAP_SYS_RESOURCE", // Linux: the capability that raises a hard open-file limit
    "AnyAttribute",     // tachys: the erased attribute `vendor/tachys` patches
    "ERR_ABORTED",      // Chromium: an aborted fetch in the network log
    // The Rust standard library's build options and the variable that unlocks them on a
    // stable compiler (measured for the WASM, not used).
    "panic_immediate_abort",
    "panic_abort",
    "optimize_for_size",
    "RUSTC_BOOTSTRAP",
];

/// Directories never read: build output, dependencies (the vendored crate's code too, not
/// `vendor/README.md`), test artefacts.
const SKIP: [&str; 6] = [
    "target",
    "node_modules",
    "tachys",
    ".git",
    "test-results",
    "playwright-report",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, as paths relative to the root.
fn files(dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !SKIP.contains(&name.as_str()) {
                files(&path, found);
            }
        } else if let Ok(relative) = path.strip_prefix(root()) {
            found.push(relative.to_string_lossy().into_owned());
        }
    }
}

/// The text of the sources: code, scripts and configuration, not the docs themselves.
fn sources(files: &[String]) -> String {
    let code = [
        ".rs", ".ts", ".mjs", ".toml", ".sql", ".conf", ".css", ".py",
    ];
    files
        .iter()
        .filter(|f| {
            code.iter().any(|ext| f.ends_with(ext))
                || f.starts_with("scripts/")
                || f.starts_with(".ci/")
        })
        .filter_map(|f| std::fs::read_to_string(root().join(f)).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a text puts in backticks.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.contains('\n'))
        .collect()
}

/// A quote that reads as a path in the repository (`src/state.rs`, `driver.rs`).
fn is_path(quote: &str) -> bool {
    let exts = [
        ".rs", ".ts", ".mjs", ".css", ".toml", ".sql", ".conf", ".md",
    ];
    let shaped = quote
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c));
    shaped && !quote.starts_with('/') && exts.iter().any(|e| quote.ends_with(e))
}

/// The paths a text names that no file has: a name counts when a file is at it from the root
/// or ends with it (tables name files within their directory).
fn missing_files<'a>(text: &'a str, files: &[String]) -> Vec<&'a str> {
    quoted(text)
        .into_iter()
        .filter(|q| is_path(q))
        .filter(|q| {
            !files
                .iter()
                .any(|f| f == q || f.ends_with(&format!("/{q}")))
        })
        .collect()
}

/// The identifiers in a quote: CamelCase with two humps or more, snake_case and SCREAMING_CASE
/// with an underscore (plain words are prose, not names).
fn identifiers(quote: &str) -> Vec<&str> {
    quote
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter(|w| {
            let humps = w.chars().filter(char::is_ascii_uppercase).count();
            let camel = w.starts_with(|c: char| c.is_ascii_uppercase())
                && humps >= 2
                && w.chars().any(|c| c.is_ascii_lowercase())
                && !w.contains('_');
            camel || w.contains('_')
        })
        .collect()
}

/// Whether the sources write `name` as such or in the form it is derived from.
fn written(name: &str, sources: &str) -> bool {
    let camel: String = name
        .split('_')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    sources.contains(name)
        // A setting's environment name, derived by clap from its field.
        || (name == name.to_ascii_uppercase() && sources.contains(&name.to_ascii_lowercase()))
        // An error code on the wire, derived by serde from its variant.
        || (name == name.to_ascii_lowercase() && sources.contains(&camel))
}

fn unknown_names<'a>(text: &'a str, sources: &str) -> Vec<&'a str> {
    quoted(text)
        .into_iter()
        .flat_map(identifiers)
        .filter(|n| !OUTSIDE.contains(n) && !written(n, sources))
        .collect()
}

fn docs() -> Vec<(&'static str, String)> {
    DOCS.iter()
        .map(|d| (*d, std::fs::read_to_string(root().join(d)).unwrap()))
        .collect()
}

#[test]
fn every_file_the_docs_name_exists() {
    let mut all = Vec::new();
    files(&root(), &mut all);
    for (doc, text) in docs() {
        let named = quoted(&text).into_iter().filter(|q| is_path(q)).count();
        assert!(named > 30, "{doc}: only {named} files named");
        assert_eq!(missing_files(&text, &all), Vec::<&str>::new(), "{doc}");
    }
}

#[test]
fn every_name_the_docs_give_is_in_the_code() {
    let mut all = Vec::new();
    files(&root(), &mut all);
    let sources = sources(&all);
    for (doc, text) in docs() {
        let named = quoted(&text).into_iter().flat_map(identifiers).count();
        assert!(named > 50, "{doc}: only {named} names");
        assert_eq!(unknown_names(&text, &sources), Vec::<&str>::new(), "{doc}");
    }
}

#[test]
fn a_name_or_a_file_the_code_lacks_is_found() {
    let files = vec!["src/search/socket.rs".to_owned()];
    let text = "`socket.rs`, `src/search/socket.rs`, `src/nowhere.rs` and `search/gone.rs`";
    assert_eq!(
        missing_files(text, &files),
        vec!["src/nowhere.rs", "search/gone.rs"]
    );
    let sources = "enum ErrorCode { ShuttingDown } struct SocketNeeds; max_rps: u32";
    let text = "`SocketNeeds`, `shutting_down`, `MAX_RPS`, `GoneType`, `gone_fn`, a `plain` word";
    assert_eq!(unknown_names(text, sources), vec!["GoneType", "gone_fn"]);
}
