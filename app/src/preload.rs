//! The shell's preloads: the loader of split WASM, which the page's script imports, and the
//! WASM chunk a page loads before it hydrates ([`ChunkName::of_page`]). Each downloads beside
//! the page's own script and WASM instead of one round trip after them, so a search link, the
//! connection test and the booking pages hydrate no later for having their code apart.

use crate::components::ChunkName;
use leptos::prelude::*;
use std::collections::HashMap;

/// `/pkg/__wasm_split.<hash>.js`, written by `cargo leptos build --split`, as a module preload.
#[component]
pub fn SplitLoaderPreload(options: LeptosOptions) -> impl IntoView {
    static HREF: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let href = HREF.get_or_init(|| {
        let hash = crate::asset_hashes::of(&options, "split")?;
        Some(format!("/{}/__wasm_split.{hash}.js", options.site_pkg_dir))
    });
    href.clone()
        .map(|href| view! { <link rel="modulepreload" href=href/> })
}

/// A `<link rel="preload">` for every file the chunk `name` loads (its own and those it shares
/// with another chunk), as the split loader fetches them.
#[component]
pub fn ChunkPreload(options: LeptosOptions, name: Option<ChunkName>) -> impl IntoView {
    let files = name.map(|name| files(&options, name)).unwrap_or_default();
    files
        .into_iter()
        .map(|href| {
            view! {
                <link rel="preload" href=href r#as="fetch" r#type="application/wasm" crossorigin="anonymous"/>
            }
        })
        .collect_view()
}

/// The URLs of the chunk's files, from cargo-leptos' split manifest; none without one (a build
/// without `--split`, or under `cargo leptos watch`).
fn files(options: &LeptosOptions, name: ChunkName) -> Vec<String> {
    static MANIFEST: std::sync::OnceLock<HashMap<String, Vec<String>>> = std::sync::OnceLock::new();
    let manifest = MANIFEST.get_or_init(|| read_manifest(options).unwrap_or_default());
    let pkg = &options.site_pkg_dir;
    split_files(manifest, name.name())
        .iter()
        .map(|file| format!("/{pkg}/{file}.wasm"))
        .collect()
}

/// The files of the split named `name` in a manifest: its key is the name, `_` and a hash of
/// where its `#[lazy]` stands.
fn split_files<'a>(manifest: &'a HashMap<String, Vec<String>>, name: &str) -> &'a [String] {
    manifest
        .iter()
        .find(|(split, _)| {
            let hash = split
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('_'));
            hash.is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit()))
        })
        .map_or(&[], |(_, files)| files)
}

/// `__wasm_split_manifest.<hash>.json`: each split's name with the files it loads.
fn read_manifest(options: &LeptosOptions) -> Option<HashMap<String, Vec<String>>> {
    let hash = crate::asset_hashes::of(options, "manifest")?;
    let path = std::path::Path::new(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .join(format!("__wasm_split_manifest.{hash}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_is_found_by_the_name_its_loader_gives_it() {
        let manifest: HashMap<String, Vec<String>> = serde_json::from_str(
            r#"{"results_17788078991239643579":["chunk_4.A","split_results_17788078991239643579.B"],
                "booking_2208255658378305953":["chunk_4.A","split_booking_2208255658378305953.C"],
                "results_extra_1":["wrong"]}"#,
        )
        .unwrap();
        assert_eq!(
            split_files(&manifest, "results"),
            ["chunk_4.A", "split_results_17788078991239643579.B"]
        );
        assert_eq!(split_files(&manifest, "booking").len(), 2);
        assert!(split_files(&manifest, "diagnostics").is_empty());
    }
}
