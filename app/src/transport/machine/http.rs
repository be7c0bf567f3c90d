//! The HTTP tier: one streamed search, or product by product behind a proxy that holds the
//! stream back; the first answer per product wins.

use super::*;

impl Machine {
    /// Brings in the HTTP tier for the search on screen. Unplanned: beside a socket that may
    /// answer any moment, the server's plan first; otherwise one stream for the whole search,
    /// with the page's own plan on screen at once. Planned: only the products still missing.
    pub(super) fn start_http(&mut self, now: Ms, join: Join, out: &mut Vec<Command>) {
        let Some(s) = self.search.as_mut().filter(|s| !s.finished) else {
            return;
        };
        let http = s.http.get_or_insert_with(|| Http {
            stream: Stream::Off,
            plan_requested: false,
            requested: HashSet::new(),
            in_flight: 0,
            paused: false,
        });
        if join == Join::ForGood {
            http.paused = false;
        }
        if s.plan.is_none() && !http.plan_requested {
            http.plan_requested = true;
            if join == Join::Hedge {
                // The server's plan call admits the search (its budget, its refusals) and
                // tells the plan; a socket that answers meanwhile costs no duplicate quotes.
                out.push(Command::HttpPlan {
                    search_id: s.id,
                    request: s.request.clone(),
                });
                return;
            }
            // One request instead of one per product: the browser queues each request it
            // starts behind the one before, so the fastest product's own request would wait
            // for its place in the queue. The stream admits the search like the plan call.
            http.stream = Stream::Waiting { since: now };
            out.push(Command::HttpSearch {
                search_id: s.id,
                request: s.request.clone(),
            });
            // The plan is the same code as the server's (`app::plan`): the cards show now, in
            // the click's own frame. Drawn a round trip later, with the stream's `accepted`,
            // they push what is below them outside the click's grace (a phone's CLS 0.135).
            // The places come with its `accepted` and move the summary's text a little.
            let (id, products) = (s.id, crate::plan::plan(&s.request));
            self.planned(id, products, out);
            return;
        }
        self.pump_http(out);
    }

    /// A line of the search's HTTP stream: the socket's messages, handled alike.
    pub(super) fn http_line(
        &mut self,
        search_id: SearchId,
        msg: ServerMessage,
        out: &mut Vec<Command>,
    ) {
        match msg {
            ServerMessage::Accepted {
                products, places, ..
            } => {
                if let Some(http) = self.current(search_id).and_then(|s| s.http.as_mut())
                    && matches!(http.stream, Stream::Waiting { .. })
                {
                    http.stream = Stream::Flowing;
                }
                self.planned(search_id, products, out);
                self.places(search_id, places, out);
            }
            ServerMessage::Offer { offer, .. } => {
                self.outcome(search_id, Outcome::Offer { offer }, out);
            }
            ServerMessage::Unavailable {
                product_id,
                reason,
                message,
                ..
            } => {
                let outcome = Outcome::Unavailable {
                    product_id,
                    reason,
                    message,
                };
                self.outcome(search_id, outcome, out);
            }
            ServerMessage::Error {
                code,
                message,
                field,
                ..
            } => {
                let error = match field {
                    Some(field) => ApiError::Invalid(FieldError {
                        field,
                        code,
                        message,
                    }),
                    None => ApiError::Refused { code, message },
                };
                self.http_failed(search_id, error, out);
            }
            ServerMessage::Done { .. }
            | ServerMessage::Pong { .. }
            | ServerMessage::ProbeFrame { .. } => {}
        }
    }

    pub(super) fn http_stream_ended(
        &mut self,
        search_id: SearchId,
        result: Result<(), ApiError>,
        out: &mut Vec<Command>,
    ) {
        match result {
            Err(error @ (ApiError::Invalid(_) | ApiError::Refused { .. })) => {
                self.http_failed(search_id, error, out);
            }
            // Complete (then nothing is missing), cut, or not answered properly: whatever is
            // missing goes product by product.
            _ => {
                if self.search.as_ref().is_some_and(|s| s.id == search_id) {
                    self.give_up_stream(out);
                }
            }
        }
    }

    /// The search's stream is held back or gone: ask for what is missing product by product.
    pub(super) fn give_up_stream(&mut self, out: &mut Vec<Command>) {
        if let Some(http) = self
            .search
            .as_mut()
            .filter(|s| !s.finished)
            .and_then(|s| s.http.as_mut())
        {
            http.stream = Stream::GaveUp;
        }
        self.pump_http(out);
    }

    /// Asks for the outstanding products not yet asked for, keeping six calls in flight.
    pub(super) fn pump_http(&mut self, out: &mut Vec<Command>) {
        let Some(s) = self.search.as_mut().filter(|s| !s.finished) else {
            return;
        };
        let (Some(plan), Some(http)) = (&s.plan, &mut s.http) else {
            return;
        };
        if http.paused || matches!(http.stream, Stream::Waiting { .. } | Stream::Flowing) {
            return;
        }
        for product_id in plan {
            if http.in_flight >= HTTP_PARALLEL {
                break;
            }
            if s.resolved.contains(product_id) || !http.requested.insert(product_id.clone()) {
                continue;
            }
            http.in_flight += 1;
            out.push(Command::HttpQuote {
                search_id: s.id,
                request: s.request.clone(),
                product_id: product_id.clone(),
            });
        }
    }

    pub(super) fn http_plan(
        &mut self,
        search_id: SearchId,
        result: Result<Plan, ApiError>,
        out: &mut Vec<Command>,
    ) {
        match result {
            Ok(Plan { products, places }) => {
                self.planned(search_id, products, out);
                self.places(search_id, places, out);
            }
            Err(error) => self.http_failed(search_id, error, out),
        }
    }

    /// An HTTP call of the search failed: the server refused it, or could not be reached.
    pub(super) fn http_failed(
        &mut self,
        search_id: SearchId,
        error: ApiError,
        out: &mut Vec<Command>,
    ) {
        let socket_ok = self.tier() == Tier::Socket;
        let Some(s) = self.current(search_id) else {
            return;
        };
        if !socket_ok {
            // The search ends here, with whatever it started.
            s.finished = true;
            out.push(Command::AbortHttp { search_id });
            let event = match error {
                ApiError::Invalid(field) => SearchEvent::Invalid(field),
                other => SearchEvent::Failed(other.to_string()),
            };
            out.push(Command::Emit(event));
        } else if let Some(http) = &mut s.http {
            // Only a hedge failed (the socket hears the same search): nothing more over
            // HTTP unless the socket breaks.
            if s.plan.is_none() {
                http.plan_requested = false;
            }
            if http.stream != Stream::Off {
                http.stream = Stream::GaveUp;
                http.paused = true;
            }
        }
    }

    pub(super) fn http_outcome(
        &mut self,
        search_id: SearchId,
        product_id: ProductId,
        result: Result<Outcome, ApiError>,
        out: &mut Vec<Command>,
    ) {
        if let Some(http) = self.current(search_id).and_then(|s| s.http.as_mut()) {
            http.in_flight = http.in_flight.saturating_sub(1);
        }
        let outcome = match result {
            Ok(outcome) => outcome,
            // The request itself is refused (the quotes may answer before the plan call).
            Err(ApiError::Invalid(field)) => {
                if let Some(s) = self.current(search_id) {
                    s.finished = true;
                    out.push(Command::AbortHttp { search_id });
                    out.push(Command::Emit(SearchEvent::Invalid(field)));
                }
                return;
            }
            Err(error) => Outcome::Unavailable {
                product_id,
                reason: crate::model::UnavailableReason::UpstreamError,
                message: error.to_string(),
            },
        };
        self.outcome(search_id, outcome, out);
        self.pump_http(out);
    }
}
