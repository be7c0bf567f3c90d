/// `load_now` of a page whose code is a WASM chunk of its own (`#[lazy] fn load`): its view
/// where it is at hand at once, on the server (whose `load` has nothing to wait for) and in
/// Trunk's build (which cannot split WASM, so `load` is ordinary code there). The hydrated page
/// loads the chunk before it hydrates (`frontend`): `None` there.
macro_rules! lazy_page_now {
    ($load:ident) => {
        /// The view where it is at hand at once (see `components::lazy_page_now`).
        pub fn load_now() -> Option<View> {
            #[cfg(feature = "ssr")]
            {
                super::ready_now($load())
            }
            #[cfg(all(feature = "csr", not(feature = "ssr")))]
            {
                Some($load())
            }
            #[cfg(not(any(feature = "ssr", feature = "csr")))]
            {
                None
            }
        }
    };
}

use leptos::prelude::*;

pub mod booking_page;
pub mod diagnostics_page;
pub mod page;
pub mod product_card;
pub mod results_area;
pub mod search_form;
pub mod site;
pub mod transport_notice;

/// A lazily loaded page's view, on the server: there its loader has nothing to wait for.
#[cfg(feature = "ssr")]
pub(crate) fn ready_now<T>(load: impl std::future::Future<Output = T>) -> Option<T> {
    use std::task::{Context, Poll, Waker};
    let mut loading = std::pin::pin!(load);
    match loading
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(view) => Some(view),
        Poll::Pending => None,
    }
}

/// The WASM chunks of their own (`#[lazy(<name>)]`), one of which a page may load before it
/// hydrates. The server preloads it with the page (`preload::ChunkPreload`), the browser loads it
/// (`frontend/src/lib.rs`): both ask [`ChunkName::of_page`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkName {
    Diagnostics,
    Booking,
    Results,
}

impl ChunkName {
    /// The chunk a page at `path`, with `query` (without `?`), needs before it hydrates.
    pub fn of_page(path: &str, query: &str) -> Option<Self> {
        use crate::location::{Page, Url};
        match Page::of_path(path) {
            Page::Diagnostics => Some(Self::Diagnostics),
            Page::Book | Page::Booking => Some(Self::Booking),
            Page::Search => {
                let search = crate::validate::SearchQuery::from_params(|k| Url::param(query, k));
                page::initial_request(&search).map(|_| Self::Results)
            }
            Page::NotFound => None,
        }
    }

    /// The name its loader gives it (`#[lazy(<name>)]`), which starts its split's name in
    /// cargo-leptos' manifest.
    pub fn name(self) -> &'static str {
        match self {
            Self::Diagnostics => "diagnostics",
            Self::Booking => "booking",
            Self::Results => "results",
        }
    }
}

/// Code the browser loads as a WASM chunk of its own before it hydrates what needs it (so
/// hydration stays synchronous); the server has it at hand.
#[derive(Clone, Copy)]
pub enum Chunk {
    /// The connection test's or the booking pages' view.
    Page(fn() -> AnyView),
    /// The server-rendered results of the search in the page's URL (`results_area::load`).
    Results(results_area::View),
}
