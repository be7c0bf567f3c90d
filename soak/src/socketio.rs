//! The Socket.IO yardstick (`soak/socketio/server.mjs`, Socket.IO 4 on Node): the same soak
//! against it, so our figures and its come from one run. It replays, per route, the messages
//! our server sends for a search on the built-in simulator (recorded here at latency 0), so it
//! never quotes: the comparison favours it.

use crate::client::{ROUTES, route_request};
use app::i18n::{Lang, Texts};
use app::protocol::ServerMessage;
use promotions::clock::Clock;
use promotions::guide::simulator::Simulator;
use promotions::search::SearchService;
use promotions::stats::Stats;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub const SERVER: &str = "soak/socketio/server.mjs";

/// Per route (`"NO 0150>NO 9900"`, as server.mjs keys them): accepted, one outcome per
/// product, done, as our server sends them for a 5 kg parcel (search id 0; the yardstick
/// puts in the customer's).
pub async fn answers() -> Result<String, String> {
    let service = SearchService::new(
        Arc::new(Simulator::new(0.0, 0.0)),
        Duration::from_secs(3),
        Clock::system(),
        Arc::new(Stats::default()),
    );
    let mut answers = BTreeMap::new();
    for &route in ROUTES {
        let (request, products) = service
            .plan(&route_request(route, 5_000))
            .map_err(|e| format!("route {route:?}: {e:?}"))?;
        let mut messages = vec![ServerMessage::Accepted {
            search_id: 0,
            products: products.clone(),
            places: Default::default(),
        }];
        for product in &products {
            let outcome = service
                .quote(&request, product, Texts::new(Lang::En, false), None)
                .await;
            messages.push(ServerMessage::outcome(0, outcome));
        }
        messages.push(ServerMessage::Done { search_id: 0 });
        let (fc, fp, tc, tp) = route;
        answers.insert(format!("{fc} {fp}>{tc} {tp}"), messages);
    }
    serde_json::to_string(&answers).map_err(|e| e.to_string())
}
