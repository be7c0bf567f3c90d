//! A budget's refusal: which budget, and when to try again.

use std::time::Duration;

/// Which budget refused: the message tells a customer whether it is them or their network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Session,
    Network,
}

/// Refused: try again after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter {
    pub wait: Duration,
    pub scope: Scope,
}

impl RetryAfter {
    /// Whole seconds, at least one: what `Retry-After` and the message say.
    pub fn secs(self) -> u64 {
        self.wait.as_secs_f64().ceil().max(1.0) as u64
    }

    /// The refusal as the server functions and `/api/search` answer it (429 with
    /// `Retry-After: secs()`), in the page's words.
    pub fn api_error(self, t: app::i18n::Texts) -> app::error::ApiError {
        app::error::ApiError::Refused {
            code: app::error::ErrorCode::RateLimited,
            message: self.message(t),
        }
    }

    /// What the page shows, in its words.
    pub fn message(self, t: app::i18n::Texts) -> String {
        let word = match self.scope {
            Scope::Session => app::i18n::W::RefusedSession,
            Scope::Network => app::i18n::W::RefusedNetwork,
        };
        t.fill(word, &[("secs", &self.secs().to_string())])
    }
}
