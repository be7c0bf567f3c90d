//! The socket's life: opening and probing it, what it says, how it closes, and giving up on
//! it (the fallback and its report).

use super::*;

impl Machine {
    pub(super) fn open(&mut self, now: Ms, out: &mut Vec<Command>) {
        self.report(None, out);
        self.socket = SocketState::Connecting { since: now };
        self.messages_received = 0;
        out.push(Command::OpenSocket);
        self.send_ping(now, out);
    }

    pub(super) fn send_ping(&mut self, now: Ms, out: &mut Vec<Command>) {
        let nonce = self.next_nonce;
        self.next_nonce += 1;
        self.ping = Some((nonce, now));
        self.last_ping = now;
        out.push(Command::Send(ClientMessage::Ping { nonce }));
    }

    pub(super) fn socket_live(&self) -> bool {
        matches!(
            self.socket,
            SocketState::Connecting { .. }
                | SocketState::Open { .. }
                | SocketState::Verified { .. }
        )
    }

    pub(super) fn message(&mut self, now: Ms, msg: ServerMessage, out: &mut Vec<Command>) {
        if !self.socket_live() {
            return;
        }
        self.messages_received += 1;
        match msg {
            ServerMessage::Pong { nonce } => {
                if self.ping.is_some_and(|(n, _)| n == nonce) {
                    self.ping = None;
                    self.verify(now, out);
                }
            }
            ServerMessage::Accepted {
                search_id,
                products,
                places,
            } => {
                self.verify(now, out);
                if let Some(s) = self.current(search_id) {
                    s.on_socket = Sent::Accepted;
                    s.last_heard = now;
                    if let Some(http) = &mut s.http {
                        http.paused = true;
                    }
                }
                self.planned(search_id, products, out);
                self.places(search_id, places, out);
            }
            ServerMessage::Offer { search_id, offer } => {
                self.heard(now, search_id);
                self.outcome(search_id, Outcome::Offer { offer }, out);
            }
            ServerMessage::Unavailable {
                search_id,
                product_id,
                reason,
                message,
            } => {
                self.heard(now, search_id);
                self.outcome(
                    search_id,
                    Outcome::Unavailable {
                        product_id,
                        reason,
                        message,
                    },
                    out,
                );
            }
            ServerMessage::Done { search_id } => self.heard(now, search_id),
            ServerMessage::Error {
                search_id: Some(search_id),
                code,
                message,
                field,
            } => {
                if let Some(s) = self.current(search_id) {
                    s.finished = true;
                    let event = match field {
                        Some(field) => SearchEvent::Invalid(FieldError {
                            field,
                            code,
                            message,
                        }),
                        None => SearchEvent::Failed(message),
                    };
                    out.push(Command::Emit(event));
                }
            }
            // The search page never asks for a probe stream.
            ServerMessage::Error {
                search_id: None, ..
            }
            | ServerMessage::ProbeFrame { .. } => {}
        }
    }

    pub(super) fn verify(&mut self, now: Ms, out: &mut Vec<Command>) {
        let since = match self.socket {
            SocketState::Open { since } | SocketState::Verified { since } => since,
            _ => now,
        };
        if !self.verified() {
            self.socket = SocketState::Verified { since };
            self.reopening = false;
            out.push(Command::Tier(Tier::Socket));
        }
    }

    pub(super) fn closed(
        &mut self,
        now: Ms,
        code: u16,
        reason: String,
        was_clean: bool,
        out: &mut Vec<Command>,
    ) {
        let server_says = match code {
            close::TRY_AGAIN_LATER => Some(RETRY_BUSY_AFTER),
            close::GOING_AWAY if reason == close::REASON_SHUTDOWN => Some(RETRY_RESTART_AFTER),
            _ => None,
        };
        if self.unreported.is_some() {
            if let Some(retry_after) = server_says {
                // The `error` before it was the server refusing (busy, restarting), not the
                // network: HTTP carries on as it already does, quietly, and the socket is
                // tried again when the server said.
                self.unreported = None;
                self.socket = SocketState::Broken {
                    retry_at: now + retry_after,
                };
                out.push(Command::CloseSocket);
                return;
            }
            return self.report(Some((code, reason, was_clean)), out);
        }
        if !self.socket_live() {
            return;
        }
        let search_running = self
            .search
            .as_ref()
            .is_some_and(|s| s.on_socket != Sent::No && !s.finished);
        let unverified = !self.verified();
        if let Some(retry_after) = server_says {
            // The network is fine, the server is busy or restarting: HTTP carries on quietly,
            // no notice and no report (the server logs these), and the socket is tried again.
            self.ping = None;
            out.push(Command::CloseSocket);
            out.push(Command::Tier(Tier::Http));
            if let Some(s) = self.search.as_mut() {
                s.on_socket = Sent::No;
            }
            if code == close::GOING_AWAY && !self.reopening {
                // Behind a load balancer another instance serves already: reopen at once.
                self.reopening = true;
                self.open(now, out);
            } else {
                self.reopening = false;
                self.socket = SocketState::Broken {
                    retry_at: now + retry_after,
                };
            }
            if search_running {
                self.start_http(now, Join::ForGood, out);
            }
        } else if search_running || self.ping.is_some() || unverified {
            self.broken(now, Trigger::Closed, Some((code, reason, was_clean)), out);
        } else {
            // A close after `done` is normal; the next search opens a new socket.
            self.socket = SocketState::Closed;
            self.ping = None;
        }
    }

    /// The socket is not verified and should have been by now: its probe's `pong` (or its
    /// opening) has waited longer than the hedge delay.
    pub(super) fn overdue(&self, now: Ms) -> bool {
        let waiting_since = match (self.socket, self.ping) {
            (SocketState::Connecting { since }, _) => since,
            (SocketState::Open { .. }, Some((_, sent))) => sent,
            _ => return false,
        };
        now - waiting_since >= self.hedge_delay
    }

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
