//! What a request must pass before it is served: the socket's Origin allow-list, the
//! same-origin guard of `/api` and every POST, and the signed session cookie.

pub mod origin;
pub mod same_origin;
pub mod session;
