//! The content hashes cargo-leptos writes for the built assets (`hash-files`), which name them
//! `/pkg/<name>.<hash>.<ext>`.

use leptos::prelude::LeptosOptions;

/// Where cargo-leptos writes the assets' content hashes: next to the server binary.
pub fn file(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    Some(
        std::env::current_exe()
            .ok()?
            .parent()?
            .join(options.hash_file.as_ref()),
    )
}

/// The content hash cargo-leptos wrote for one kind of asset (`css`, `js`, `split`, …).
pub(crate) fn of(options: &LeptosOptions, kind: &str) -> Option<String> {
    let hashes = std::fs::read_to_string(file(options)?).ok()?;
    hashes.lines().find_map(|line| {
        let (k, hash) = line.split_once(':')?;
        (k.trim() == kind).then(|| hash.trim().to_owned())
    })
}
