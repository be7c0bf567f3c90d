//! The search transport. [`machine`] decides (pure, unit-tested); the driver in
//! `driver.rs` opens the socket (`browser_socket.rs`, shared with the connection test), calls
//! the server functions and keeps the timer.

mod event;
pub mod machine;
#[cfg(any(feature = "client", test))]
pub(crate) mod warm_up;

pub use event::{Notice, SearchEvent};

#[cfg(feature = "client")]
pub(crate) mod browser_socket;
#[cfg(feature = "client")]
pub(crate) mod driver;
#[cfg(feature = "client")]
pub use driver::Transport;
