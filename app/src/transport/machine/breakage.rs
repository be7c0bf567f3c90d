//! Breakage: the socket given up on, the fallback it causes, and what its report carries.

use super::*;
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
    pub ms_since_open: Option<Ms>,
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

impl Machine {
    pub(super) fn broken(
        &mut self,
        now: Ms,
        trigger: Trigger,
        close: Option<(u16, String, bool)>,
        out: &mut Vec<Command>,
    ) {
        let ms_since_open = match self.socket {
            SocketState::Open { since } | SocketState::Verified { since } => Some(now - since),
            _ => None,
        };
        let products_outstanding = self
            .search
            .as_ref()
            .filter(|s| !s.finished)
            .map_or(0, OnScreen::outstanding);
        let (close_code, close_reason, was_clean) = match close {
            Some((code, reason, clean)) => (Some(code), reason, Some(clean)),
            None => (None, String::new(), None),
        };
        if std::mem::take(&mut self.reopening) {
            // No server to reopen onto yet (a single instance restarting): HTTP, quietly.
            self.socket = SocketState::Broken {
                retry_at: now + RETRY_RESTART_AFTER,
            };
            self.ping = None;
            out.push(Command::CloseSocket);
            out.push(Command::Tier(Tier::Http));
            if self.search.as_ref().is_some_and(|s| !s.finished) {
                self.start_http(now, Join::ForGood, out);
            }
            return;
        }
        self.socket = SocketState::Broken {
            retry_at: now + RETRY_SOCKET_AFTER,
        };
        self.ping = None;
        out.push(Command::Tier(Tier::Http));
        let breakage = Breakage {
            trigger,
            close_code,
            close_reason,
            was_clean,
            ms_since_open,
            messages_received: self.messages_received,
            products_outstanding,
        };
        if trigger == Trigger::Error {
            // The socket stays open to hear its `close`; HTTP starts now all the same.
            self.unreported = Some((breakage, now + CLOSE_WAIT));
        } else {
            out.push(Command::CloseSocket);
            out.push(Command::Broken(breakage));
        }
        if self.search.as_ref().is_some_and(|s| !s.finished) {
            self.start_http(now, Join::ForGood, out);
        }
    }

    /// Reports the fallback that waited for its `close`, with what the close said.
    pub(super) fn report(&mut self, close: Option<(u16, String, bool)>, out: &mut Vec<Command>) {
        let Some((mut breakage, _)) = self.unreported.take() else {
            return;
        };
        if let Some((code, reason, clean)) = close {
            breakage.close_code = Some(code);
            breakage.close_reason = reason;
            breakage.was_clean = Some(clean);
        }
        out.push(Command::CloseSocket);
        out.push(Command::Broken(breakage));
    }
}
