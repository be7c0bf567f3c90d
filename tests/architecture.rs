//! The house's rules: no module of `src/` or `app/src/` imports a module that imports it back,
//! directly or through others, and no file holds more than 600 lines of logic
//! (docs/architecture.md §13). Read from the sources: every
//! `crate::…` and `super::…` path a file names outside its tests, and a parent's use of a
//! child it declares, resolved to the file of the deepest module the path names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files by module path (`["guide", "bring"]` for `guide/bring/mod.rs`).
fn modules(root: &Path) -> BTreeMap<Vec<String>, String> {
    let mut found = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let skip = rel.starts_with("bin/") || rel == "main.rs" || rel.ends_with("/tests.rs");
            if !rel.ends_with(".rs") || skip {
                continue;
            }
            let mut parts: Vec<String> =
                rel[..rel.len() - 3].split('/').map(String::from).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            found.insert(parts, std::fs::read_to_string(&path).unwrap());
        }
    }
    found
}

/// The source without comments and without its unit tests (which may use anything).
fn code(source: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = source.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let line = line.split("//").next().unwrap_or("");
        let next = lines.get(n + 1).map_or("", |l| l.trim_start());
        if line.trim_start().starts_with("#[cfg(") && next.starts_with("mod tests") {
            // `#[cfg(test)] mod tests { … }` runs to the end of the file here.
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Each `crate::`/`super::` path in `code` as its segments, `super` resolved against `me`.
/// Inside an inline `mod x { … }` or a `macro_rules!`, `super` is this file's own module or
/// the macro's caller: those are left out.
fn paths(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let text = |i: usize, s: &str| chars[i..].iter().take(s.len()).copied().eq(s.chars());
    let mut found = Vec::new();
    let mut blocks: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !(ident_char(chars[i - 1]) || chars[i - 1] == ':');
        if boundary && (text(i, "mod ") || text(i, "macro_rules!")) {
            let open = chars[i..].iter().position(|&c| c == '{' || c == ';');
            if let Some(at) = open.filter(|&at| chars[i + at] == '{') {
                blocks.push(0);
                i += at;
            }
        }
        match chars[i] {
            '{' => {
                if let Some(depth) = blocks.last_mut() {
                    *depth += 1;
                }
            }
            '}' => {
                if let Some(depth) = blocks.last_mut() {
                    *depth -= 1;
                    if *depth == 0 {
                        blocks.pop();
                    }
                }
            }
            _ => {}
        }
        let start = if boundary && text(i, "crate::") {
            Some((Vec::new(), i + 7))
        } else if boundary && text(i, "super::") && blocks.is_empty() {
            Some((me[..me.len().saturating_sub(1)].to_vec(), i + 7))
        } else {
            None
        };
        if let Some((base, j)) = start {
            i = use_tree(&chars, j, base, &mut found);
            continue;
        }
        i += 1;
    }
    found
}

/// Reads `a::b::{c, d::e}` from `j` on, below `base`; pushes each path; returns where it ended.
fn use_tree(
    chars: &[char],
    mut j: usize,
    mut base: Vec<String>,
    found: &mut Vec<Vec<String>>,
) -> usize {
    let text = |i: usize, s: &str| chars[i..].iter().take(s.len()).copied().eq(s.chars());
    loop {
        if text(j, "{") {
            // A group: each item is a tree of its own below `base`.
            j += 1;
            loop {
                while j < chars.len() && (chars[j].is_whitespace() || chars[j] == ',') {
                    j += 1;
                }
                if j >= chars.len() || chars[j] == '}' {
                    return j + 1;
                }
                let before = j;
                j = use_tree(chars, j, base.clone(), found);
                if j == before {
                    j += 1;
                }
            }
        }
        let seg: String = chars[j..].iter().take_while(|&&c| ident_char(c)).collect();
        if seg.is_empty() {
            break;
        }
        j += seg.len();
        match seg.as_str() {
            "super" => {
                base.pop();
            }
            "self" => {}
            _ => base.push(seg),
        }
        if !text(j, "::") {
            break;
        }
        j += 2;
    }
    found.push(base);
    j
}

/// Module → the modules it uses.
fn graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = modules(root);
    let resolve = |path: &[String]| {
        (0..=path.len())
            .rev()
            .find_map(|n| files.get(&path[..n]).map(|_| path[..n].join("/")))
    };
    let mut edges = BTreeMap::new();
    for (me, source) in &files {
        let code = code(source);
        let name = me.join("/");
        let mut uses = BTreeSet::new();
        for path in paths(&code, me) {
            uses.extend(resolve(&path));
        }
        // A parent that uses a child it declares (`mod x;` … `x::f()` or `pub use x::T`).
        for line in code.lines() {
            let decl = line
                .trim()
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            if let Some(child) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';')) {
                let used = code
                    .match_indices(&format!("{child}::"))
                    .any(|(at, _)| !code[..at].ends_with(|c: char| ident_char(c) || c == ':'));
                let mut path = me.clone();
                path.push(child.to_owned());
                if used {
                    uses.extend(resolve(&path));
                }
            }
        }
        uses.remove(&name);
        edges.insert(name, uses);
    }
    edges
}

/// The groups of modules that import each other (Tarjan's strongly connected components).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in &self.edges[v] {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let at = self.stack.iter().rposition(|&x| x == v).unwrap();
                let group: Vec<String> = self.stack.drain(at..).map(String::from).collect();
                if group.len() > 1 {
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

fn root(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
}

#[test]
fn no_module_of_the_server_or_the_shared_crate_imports_one_that_imports_it_back() {
    for dir in ["src", "app/src"] {
        let edges = graph(&root(dir));
        assert!(edges.len() > 30, "{dir}: only {} modules read", edges.len());
        assert_eq!(circles(&edges), Vec::<Vec<String>>::new(), "{dir}");
    }
}

#[test]
fn no_file_has_more_than_600_lines_of_logic() {
    for dir in ["src", "app/src"] {
        for (module, source) in modules(&root(dir)) {
            // Its code before its unit tests, comments and blank lines included.
            let lines = code(source.as_str()).lines().count();
            assert!(lines <= 600, "{dir}/{}: {lines} lines", module.join("/"));
        }
    }
}

#[test]
fn the_reader_finds_a_circle_when_there_is_one() {
    // Two modules of the real tree that would form a circle if the stats named the guide.
    let mut edges = graph(&root("src"));
    assert!(edges["guide"].contains("stats"), "{:?}", edges["guide"]);
    edges.get_mut("stats").unwrap().insert("guide".into());
    let found = circles(&edges);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains(&"stats".to_owned()) && found[0].contains(&"guide".to_owned()));
    // And paths resolve as the compiler does: `super::` from a child, `crate::` to a file.
    let me = ["guide".to_owned(), "bring".to_owned()];
    assert_eq!(
        paths(
            "use super::super::stats::X; let x = crate::guide::cache::Y;",
            &me
        ),
        vec![
            vec!["stats".to_owned(), "X".to_owned()],
            vec!["guide".into(), "cache".into(), "Y".into()]
        ]
    );
    assert_eq!(
        paths("mod inner { use super::Z; }", &me),
        Vec::<Vec<String>>::new()
    );
}
