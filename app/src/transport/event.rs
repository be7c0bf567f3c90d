//! What the transport tells the page: the events of the search on screen, and the notice
//! when the socket is broken.

use crate::error::FieldError;
use crate::model::{Outcome, Places, ProductId};

/// An event of one search, whatever transport carried it.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchEvent {
    Planned(Vec<ProductId>),
    /// The places of the search's two ends, as the server's register names them.
    Places(Places),
    Outcome(Outcome),
    Done,
    /// The server refused a field (e.g. a postal code that does not exist): the form shows it.
    Invalid(FieldError),
    Failed(String),
}

/// Shown when the socket is broken: what is wrong and what to ask IT for. `host` is the
/// page's host, for the `wss://` address IT should allow.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub host: String,
}
