//! The page's one WebSocket: many searches over it, one at a time from the page's view.

use super::mark_body;
use crate::model::SearchRequest;
use crate::protocol::{ClientMessage, SearchId, ServerMessage};
use crate::results::SearchEvent;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

type Sink = Rc<dyn Fn(SearchEvent)>;

#[derive(Clone)]
pub struct Transport(Rc<RefCell<Inner>>);

struct Inner {
    socket: Option<WebSocket>,
    open: bool,
    /// Frames written before the socket opened.
    queue: Vec<String>,
    next_search_id: SearchId,
    /// The search the page shows; events of older searches are dropped.
    current: Option<(SearchId, Sink)>,
    next_nonce: u64,
    /// Keeps the socket's event handlers alive as long as the socket.
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

fn socket_url() -> String {
    let location = leptos::prelude::window().location();
    let scheme = if location.protocol().as_deref() == Ok("https:") { "wss" } else { "ws" };
    format!("{scheme}://{}/ws/promotions", location.host().unwrap_or_default())
}

impl Transport {
    /// Opens the socket and pings it, so a broken path shows before the first search.
    pub fn connect() -> Self {
        let transport = Transport(Rc::new(RefCell::new(Inner {
            socket: None,
            open: false,
            queue: Vec::new(),
            next_search_id: 1,
            current: None,
            next_nonce: 1,
            handlers: Vec::new(),
        })));
        transport.open_socket();
        transport.ping();
        transport
    }

    fn open_socket(&self) {
        let Ok(socket) = WebSocket::new(&socket_url()) else {
            self.fail("Your browser could not open a connection for live prices.");
            return;
        };
        let on = |this: &Transport, f: fn(&Transport, web_sys::Event)| {
            let this = this.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e| f(&this, e))
        };
        let handlers = vec![
            on(self, |t, _| t.on_open()),
            on(self, |t, e| {
                if let Some(text) = e.unchecked_into::<MessageEvent>().data().as_string() {
                    t.on_text(&text);
                }
            }),
            on(self, |t, e| {
                let close = e.unchecked_into::<CloseEvent>();
                t.on_close(close.code());
            }),
        ];
        socket.set_onopen(Some(handlers[0].as_ref().unchecked_ref()));
        socket.set_onmessage(Some(handlers[1].as_ref().unchecked_ref()));
        socket.set_onclose(Some(handlers[2].as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.socket = Some(socket);
        inner.handlers = handlers;
    }

    fn on_open(&self) {
        let mut inner = self.0.borrow_mut();
        inner.open = true;
        let queued = std::mem::take(&mut inner.queue);
        if let Some(socket) = &inner.socket {
            for frame in queued {
                let _ = socket.send_with_str(&frame);
            }
        }
    }

    fn on_text(&self, text: &str) {
        let Ok(msg) = serde_json::from_str::<ServerMessage>(text) else {
            return;
        };
        let (search_id, event) = match msg {
            ServerMessage::Pong { .. } => {
                mark_body("ws");
                return;
            }
            ServerMessage::Accepted { search_id, products } => (search_id, SearchEvent::Planned(products)),
            ServerMessage::Offer { search_id, offer } => {
                (search_id, SearchEvent::Outcome(crate::model::Outcome::Offer { offer }))
            }
            ServerMessage::Unavailable { search_id, product_id, reason, message } => (
                search_id,
                SearchEvent::Outcome(crate::model::Outcome::Unavailable { product_id, reason, message }),
            ),
            ServerMessage::Done { search_id } => (search_id, SearchEvent::Done),
            ServerMessage::Error { search_id, message, .. } => {
                (search_id.unwrap_or_default(), SearchEvent::Failed(message))
            }
        };
        self.emit(search_id, event);
    }

    fn on_close(&self, code: u16) {
        let current = {
            let mut inner = self.0.borrow_mut();
            inner.open = false;
            inner.socket = None;
            inner.current.take()
        };
        mark_body("none");
        if let Some((_, sink)) = current {
            sink(SearchEvent::Failed(format!(
                "The connection for live prices closed (code {code}). Please search again."
            )));
        }
    }

    /// Hands an event to the page if it belongs to the search on screen.
    fn emit(&self, search_id: SearchId, event: SearchEvent) {
        let sink = {
            let inner = self.0.borrow();
            match &inner.current {
                Some((id, sink)) if *id == search_id => Some(sink.clone()),
                _ => None,
            }
        };
        let finished = matches!(event, SearchEvent::Done | SearchEvent::Failed(_));
        if let Some(sink) = sink {
            sink(event);
            if finished {
                self.0.borrow_mut().current = None;
            }
        }
    }

    fn fail(&self, message: &str) {
        if let Some((_, sink)) = self.0.borrow_mut().current.take() {
            sink(SearchEvent::Failed(message.to_owned()));
        }
    }

    fn send(&self, msg: &ClientMessage) {
        let Ok(frame) = serde_json::to_string(msg) else { return };
        let needs_socket = self.0.borrow().socket.is_none();
        if needs_socket {
            self.open_socket();
        }
        let mut inner = self.0.borrow_mut();
        match (&inner.socket, inner.open) {
            (Some(socket), true) => {
                let _ = socket.send_with_str(&frame);
            }
            _ => inner.queue.push(frame),
        }
    }

    fn ping(&self) {
        let nonce = {
            let mut inner = self.0.borrow_mut();
            inner.next_nonce += 1;
            inner.next_nonce
        };
        self.send(&ClientMessage::Ping { nonce });
    }

    /// Starts a search, cancelling the one on screen; `sink` gets its events in order.
    pub fn search(&self, request: SearchRequest, sink: impl Fn(SearchEvent) + 'static) {
        self.cancel();
        let search_id = {
            let mut inner = self.0.borrow_mut();
            let id = inner.next_search_id;
            inner.next_search_id += 1;
            inner.current = Some((id, Rc::new(sink)));
            id
        };
        self.send(&ClientMessage::Search { search_id, request });
    }

    /// Cancels the search on screen, if it is still running.
    pub fn cancel(&self) {
        let current = self.0.borrow_mut().current.take();
        if let Some((search_id, _)) = current {
            self.send(&ClientMessage::Cancel { search_id });
        }
    }
}
