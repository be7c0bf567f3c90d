//! Load tools against the release server: the soak (`src/main.rs`) and the Bring benchmark
//! (`src/bin/bring-bench.rs`) share its client, process and report helpers.

pub mod client;
pub mod cluster;
pub mod idle;
pub mod link;
pub mod report;
pub mod server;
pub mod socketio;
