//! A browser `WebSocket` and its four handlers, as the search page's driver and the connection
//! test both use it: each event decoded once, handed to one callback.

use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What the browser reports of a socket.
pub enum SocketEvent {
    Open,
    /// A text frame (binary frames are not ours and are dropped).
    Text(String),
    Error,
    Closed(Close),
}

/// How a socket closed, as the browser tells it.
pub struct Close {
    pub code: u16,
    pub reason: String,
    pub was_clean: bool,
}

impl Close {
    /// For people: "code 1006, not clean", with the reason when there is one.
    pub fn describe(&self) -> String {
        let clean = if self.was_clean { "clean" } else { "not clean" };
        match self.reason.as_str() {
            "" => format!("code {}, {clean}", self.code),
            reason => format!("code {}, {clean}: {reason}", self.code),
        }
    }
}

/// An open (or opening) socket. Dropping it detaches the handlers and closes it.
pub struct BrowserSocket {
    ws: WebSocket,
    _handlers: [Closure<dyn FnMut(JsValue)>; 4],
}

impl BrowserSocket {
    /// Opens `url`; every event goes to `on_event`. `Err`: the browser refused to construct it.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, JsValue> {
        let ws = WebSocket::new(url)?;
        let on_event: Rc<dyn Fn(SocketEvent)> = Rc::new(on_event);
        let handler = |decode: fn(JsValue) -> Option<SocketEvent>| {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                if let Some(event) = decode(e) {
                    on_event(event);
                }
            })
        };
        let handlers = [
            handler(|_| Some(SocketEvent::Open)),
            handler(|e| {
                let text = e.unchecked_into::<MessageEvent>().data().as_string()?;
                Some(SocketEvent::Text(text))
            }),
            handler(|_| Some(SocketEvent::Error)),
            handler(|e| {
                let e = e.unchecked_into::<CloseEvent>();
                Some(SocketEvent::Closed(Close {
                    code: e.code(),
                    reason: e.reason(),
                    was_clean: e.was_clean(),
                }))
            }),
        ];
        ws.set_onopen(Some(handlers[0].as_ref().unchecked_ref()));
        ws.set_onmessage(Some(handlers[1].as_ref().unchecked_ref()));
        ws.set_onerror(Some(handlers[2].as_ref().unchecked_ref()));
        ws.set_onclose(Some(handlers[3].as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _handlers: handlers,
        })
    }

    /// Whether frames can be sent now (open), must wait (connecting), or never will.
    pub fn ready_state(&self) -> u16 {
        self.ws.ready_state()
    }

    /// Sends a text frame; `Err` when the browser refuses (the socket is not open).
    pub fn send(&self, text: &str) -> Result<(), JsValue> {
        self.ws.send_with_str(text)
    }
}

impl Drop for BrowserSocket {
    fn drop(&mut self) {
        // Detach first: a handler called after its closure is dropped would throw.
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
