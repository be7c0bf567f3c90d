//! The page's static files (`/pkg/`) as production serves them. cargo-leptos names them with a
//! content hash (`hash-files`) and, for `build --release --precompress`, writes brotli (quality
//! 11) and gzip copies next to each: those are sent as they are, never compressed again, and
//! kept by browsers for a year, so a returning visitor downloads nothing but the HTML.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use leptos::config::LeptosOptions;
use std::path::{Path, PathBuf};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// Where the files are served; the session cookie is never set on them.
pub const PKG_PATH: &str = "/pkg/";

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Names without a hash (development) may change under the same name: ask every time.
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

fn pkg_dir(options: &LeptosOptions) -> PathBuf {
    Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref())
}

/// `/pkg/*`: precompressed files when the client takes them; compressed on the fly only when
/// a build left no precompressed copy (a response with `Content-Encoding` is left alone).
pub fn routes<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let cache_control = if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let files = ServeDir::new(pkg_dir(options))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service(PKG_PATH.trim_end_matches('/'), files)
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(cache_control, cache))
}

/// Only found files may be cached: a 404 must not stick for a year.
async fn cache(State(cache_control): State<HeaderValue>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, cache_control);
    }
    response
}

/// What start-up says about the files, so a deployment that forgot a step hears it at once.
#[derive(Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Hashed names, every file with a brotli and a gzip copy.
    Production,
    /// Served, but without `--precompress` or without hashed names: slower for visitors.
    Unoptimised(String),
    /// The page would reference files that are not there.
    Missing(String),
}

pub fn readiness(options: &LeptosOptions) -> Readiness {
    let dir = pkg_dir(options);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Readiness::Missing(format!(
            "{} does not exist: build with `cargo leptos build --release --precompress` and start the server from the workspace root",
            dir.display()
        ));
    };
    let names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let assets: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with(".js") || n.ends_with(".wasm") || n.ends_with(".css"))
        .collect();
    let wasm = options.output_name.to_string();
    if !assets
        .iter()
        .any(|n| n.starts_with(&wasm) && n.ends_with(".wasm"))
    {
        return Readiness::Missing(format!("no {wasm}*.wasm in {}", dir.display()));
    }
    if options.hash_files && !app::asset_hashes::file(options).is_some_and(|f| f.exists()) {
        return Readiness::Missing(format!(
            "the asset names' hash file ({}) is not next to the server binary: copy it with the binary",
            options.hash_file
        ));
    }
    let bare: Vec<&&String> = assets
        .iter()
        .filter(|n| !names.contains(&format!("{n}.br")) || !names.contains(&format!("{n}.gz")))
        .collect();
    match (options.hash_files, bare.is_empty()) {
        (true, true) => Readiness::Production,
        (false, _) => Readiness::Unoptimised(
            "asset names carry no content hash: browsers revalidate them on every visit".into(),
        ),
        (true, false) => Readiness::Unoptimised(format!(
            "no precompressed copies of {bare:?}: compressed on every request (build with --precompress)"
        )),
    }
}
