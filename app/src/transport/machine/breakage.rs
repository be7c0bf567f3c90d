//! What showed the socket to be broken, and what the fallback's report carries.

use crate::sentry::Fields;

/// What showed the socket to be broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    ConstructFailed,
    Error,
    Closed,
    OpenTimeout,
    PongTimeout,
    AcceptedTimeout,
    Silence,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::ConstructFailed => "construct_failed",
            Trigger::Error => "error_event",
            Trigger::Closed => "closed_before_done",
            Trigger::OpenTimeout => "open_timeout",
            Trigger::PongTimeout => "pong_timeout",
            Trigger::AcceptedTimeout => "accepted_timeout",
            Trigger::Silence => "silence",
        }
    }
}

/// Everything the error report of a fallback carries (docs/architecture.md §4).
#[derive(Clone, Debug, PartialEq)]
pub struct Breakage {
    pub trigger: Trigger,
    pub close_code: Option<u16>,
    pub close_reason: String,
    pub was_clean: Option<bool>,
    /// Milliseconds the socket had been open, if it had opened.
    pub ms_since_open: Option<f64>,
    pub messages_received: u32,
    pub products_outstanding: usize,
}

impl Breakage {
    /// The event's message, tags and extra fields: plain data for the error reporter.
    pub fn report(&self) -> (String, Fields<'static>, Fields<'static>) {
        let trigger = self.trigger.as_str();
        let mut tags = vec![
            ("trigger", trigger.to_owned()),
            ("transport", "http".into()),
        ];
        if let Some(code) = self.close_code {
            tags.push(("close_code", code.to_string()));
        }
        if let Some(clean) = self.was_clean {
            tags.push(("was_clean", clean.to_string()));
        }
        let ms_since_open = self
            .ms_since_open
            .map_or_else(String::new, |ms| (ms.round() as u64).to_string());
        let extra = vec![
            ("close_reason", self.close_reason.clone()),
            ("ms_since_open", ms_since_open),
            ("messages_received", self.messages_received.to_string()),
            (
                "products_outstanding",
                self.products_outstanding.to_string(),
            ),
        ];
        (
            format!("live updates blocked, using HTTP ({trigger})"),
            tags,
            extra,
        )
    }
}
