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
