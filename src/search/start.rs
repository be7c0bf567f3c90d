//! A search's start, the same on the socket and over HTTP (`/api/search`): counted against
//! the caller's budgets, validated, logged, then fanned out as the protocol's messages.

use crate::limits::{Caller, ClientLimits, RetryAfter, Tier};
use crate::search::{Messages, SearchService, messages};
use app::error::{ErrorCode, FieldError};
use app::i18n::Texts;
use app::model::SearchRequest;
use app::protocol::{SearchId, ServerMessage};
use tracing::{info, info_span};

/// A search under way: its `accepted`, then its outcomes and `done`.
pub struct Started {
    pub accepted: ServerMessage,
    pub messages: Messages,
}

/// Why a search did not start.
pub enum NotStarted {
    /// Over a budget: try again after this long.
    Limited(RetryAfter),
    /// A field is wrong (a postal code that does not exist, …).
    Invalid(FieldError),
}

impl NotStarted {
    /// The refusal as the socket says it, in the page's words (`t`).
    pub fn message(self, search_id: SearchId, t: Texts) -> ServerMessage {
        let (code, message, field) = match self {
            NotStarted::Limited(retry) => (ErrorCode::RateLimited, retry.message(t), None),
            NotStarted::Invalid(e) => (e.code, e.message, Some(e.field)),
        };
        ServerMessage::Error {
            search_id: Some(search_id),
            code,
            message,
            field,
        }
    }
}

/// Starts `request` for `caller` on `tier` if its budgets admit it; what the server writes
/// reads in `t`.
pub async fn begin(
    (limits, search): (&ClientLimits, &SearchService),
    caller: Caller,
    tier: Tier,
    search_id: SearchId,
    request: &SearchRequest,
    t: Texts,
) -> Result<Started, NotStarted> {
    limits
        .search(caller, tier, request)
        .await
        .map_err(NotStarted::Limited)?;
    let (request, products) = search.plan(request).map_err(NotStarted::Invalid)?;
    let route = crate::route::route_class(&request);
    let tier = match tier {
        Tier::Socket => "socket",
        Tier::Http => "http",
    };
    let span = info_span!("search", tier, search_id, %route, products = products.len());
    info!(parent: &span, "search started");
    let fanout = search.start(&request, &products, t, caller.address);
    Ok(Started {
        accepted: ServerMessage::Accepted {
            search_id,
            places: app::places::places(&request),
            products,
        },
        messages: messages(search_id, fanout, span),
    })
}
