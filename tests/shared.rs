//! Several instances sharing one real Redis (Debian's `redis-server`, started here): a quote
//! cached by one is served by the other, a budget spent on one is spent on both, a hedge
//! across instances counts once, and Redis going away costs no search.

mod common;

use app::model::SearchRequest;
use common::*;
use promotions::config::Config;
use promotions::guide::ShippingGuide;
use promotions::guide::cache::QuoteCache;
use promotions::limits::Settings;
use promotions::shared::Shared;
use promotions::state::AppState;
use promotions::stats::RedisStatus;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

const JSON: (&str, &str) = ("content-type", "application/json");

/// A Redis of its own on a free port, killed when dropped.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start_on(port: u16) -> Self {
        let redis = Redis {
            child: Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server (Debian's redis-server; ./scripts/setup installs it)"),
            port,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not listen on {port}");
    }

    fn start() -> Self {
        Self::start_on(free_port())
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An instance: its own process state (limits, local cache) on a shared Redis and guide.
fn instance(redis: &Redis, guide: &CountingGuide, limits: Settings) -> TestServer {
    let mut config = Config::from_env().expect("config");
    config.limits = limits;
    // Every instance of a deployment signs sessions with the same key.
    config.session_secret = Some(promotions::secret::Secret::new(SESSION_SECRET));
    let shared = {
        let _runtime = server_runtime().enter();
        Shared::connect(&redis.url()).unwrap()
    };
    let cache = QuoteCache::new(
        Arc::new(guide.clone()),
        Duration::from_secs(60),
        Some(shared.clone()),
    );
    let guide: Arc<dyn ShippingGuide> = Arc::new(cache);
    spawn_state(AppState::new(&config, guide, Some(shared)), |r| r)
}

async fn redis_status(server: &TestServer) -> RedisStatus {
    let (_, body) = server.http("GET", "/healthz", &[], "").await;
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    serde_json::from_value(health["redis"].clone()).unwrap()
}

async fn until_redis(server: &TestServer, status: RedisStatus) {
    for _ in 0..100 {
        if redis_status(server).await == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("redis never {status:?}");
}

/// Two instances on one fresh Redis and one guide, both connected. Bind `_redis`: Redis
/// stops when it is dropped.
struct TwoInstances {
    _redis: Redis,
    guide: CountingGuide,
    a: TestServer,
    b: TestServer,
}

async fn two_instances(limits: Settings) -> TwoInstances {
    let redis = Redis::start();
    let guide = CountingGuide::new(0.0);
    let a = instance(&redis, &guide, limits);
    let b = instance(&redis, &guide, limits);
    until_redis(&a, RedisStatus::Up).await;
    until_redis(&b, RedisStatus::Up).await;
    TwoInstances {
        _redis: redis,
        guide,
        a,
        b,
    }
}

const SESSION_SECRET: &str = "the cluster's shared secret, 32 characters or more";

/// A `Cookie` header value for a new browser session, signed as the instances sign them.
fn new_session() -> String {
    let keys = promotions::guards::session::SessionKeys::new(SESSION_SECRET.as_bytes());
    let id = promotions::guards::session::SessionId::random();
    format!("promo_session={}", keys.sign(id))
}

fn request_to(postal_code: &str) -> serde_json::Value {
    serde_json::json!(SearchRequest::between(
        ("NO", "0150"),
        ("NO", postal_code),
        1000
    ))
}

async fn plan(server: &TestServer, headers: &[(&str, &str)], to: &str) -> u16 {
    let mut all = vec![JSON];
    all.extend_from_slice(headers);
    let body = serde_json::json!({"request": request_to(to)}).to_string();
    server.http("POST", "/api/plan_search", &all, &body).await.0
}

async fn quote(server: &TestServer, to: &str) -> serde_json::Value {
    let body = serde_json::json!({"request": request_to(to), "product_id": "5800"}).to_string();
    let (status, body) = server
        .http("POST", "/api/quote_product", &[JSON], &body)
        .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_quote_cached_by_one_instance_is_served_by_the_other() {
    let TwoInstances {
        _redis,
        guide,
        a,
        b,
    } = two_instances(Settings::unlimited()).await;
    let first = quote(&a, "9900").await;
    let second = quote(&b, "9900").await;
    assert_eq!(first, second);
    assert_eq!(
        guide.started.load(Ordering::SeqCst),
        1,
        "one upstream call for both"
    );
    let (_, health) = b.http("GET", "/healthz", &[], "").await;
    assert!(health.contains(r#""cache_hits":1"#), "{health}");
}

#[tokio::test]
async fn a_budget_spent_on_one_instance_is_spent_on_all() {
    let limits = Settings {
        searches_per_minute: 3,
        searches_per_minute_per_address: 5,
        ..Settings::default()
    };
    let TwoInstances { _redis, a, b, .. } = two_instances(limits).await;
    // One session, alternating instances: three searches, then refused on either.
    let cookie = new_session();
    let session = [("cookie", cookie.as_str())];
    for (server, to) in [(&a, "9900"), (&b, "5003"), (&a, "7010")] {
        assert_eq!(plan(server, &session, to).await, 200);
    }
    assert_eq!(plan(&b, &session, "1001").await, 429);
    assert_eq!(plan(&a, &session, "1003").await, 429);
    // The address's ceiling (5) is shared too: two more sessions' searches, then refused.
    for (server, to) in [(&b, "2000"), (&a, "3001")] {
        let other = new_session();
        assert_eq!(plan(server, &[("cookie", &other)], to).await, 200);
    }
    let late = new_session();
    assert_eq!(plan(&b, &[("cookie", &late)], "4001").await, 429);
}

#[tokio::test]
async fn a_session_one_instance_hands_out_counts_on_the_other_and_new_sessions_are_shared() {
    let limits = Settings {
        searches_per_minute: 1,
        new_sessions_per_minute_per_address: 2,
        ..Settings::unlimited()
    };
    let TwoInstances { _redis, a, b, .. } = two_instances(limits).await;
    let cookie = common::new_session(&a).await;
    let session = [("cookie", cookie.as_str())];
    assert_eq!(plan(&b, &session, "9900").await, 200);
    assert_eq!(
        plan(&a, &session, "5003").await,
        429,
        "one session, one budget"
    );
    // The address's allowance of new sessions (2) is spent across instances.
    let second = b.exchange("GET", "/api/search", &[], "").await;
    assert!(second.session_cookie().is_some());
    for server in [&a, &b] {
        let refused = server.exchange("GET", "/api/search", &[], "").await;
        assert_eq!(refused.session_cookie(), None);
    }
    assert_eq!(
        a.stats.snapshot().refused_sessions + b.stats.snapshot().refused_sessions,
        2
    );
}

#[tokio::test]
async fn a_search_hedged_across_two_instances_counts_once() {
    let limits = Settings {
        searches_per_minute: 1,
        ..Settings::default()
    };
    let TwoInstances { _redis, a, b, .. } = two_instances(limits).await;
    let cookie = new_session();
    // The socket lands on one instance, the hedge's HTTP plan on the other.
    let mut ws = a
        .connect_with_headers(Some(&a.origin()), &[("cookie", &cookie)])
        .await
        .unwrap();
    send_json(&mut ws, search_json(1, "0150", "9900", 1000)).await;
    assert!(matches!(
        expect_message(&mut ws).await,
        app::protocol::ServerMessage::Accepted { .. }
    ));
    assert_eq!(plan(&b, &[("cookie", &cookie)], "9900").await, 200);
    // A new search is over the budget of one.
    assert_eq!(plan(&b, &[("cookie", &cookie)], "5003").await, 429);
}

#[tokio::test]
async fn redis_going_away_costs_no_search_and_coming_back_is_noticed() {
    let redis = Redis::start();
    let port = redis.port;
    let guide = CountingGuide::new(0.0);
    let limits = Settings {
        searches_per_minute: 100,
        ..Settings::default()
    };
    let a = instance(&redis, &guide, limits);
    until_redis(&a, RedisStatus::Up).await;
    drop(redis);
    // Every search still answers, promptly, on this instance's own state.
    let started = std::time::Instant::now();
    for n in 0..20 {
        let to = distinct_code(n);
        assert_eq!(plan(&a, &[], &to).await, 200, "search {n}");
        quote(&a, &to).await;
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "40 calls took {took:?}");
    assert_eq!(redis_status(&a).await, RedisStatus::Unreachable);
    // Redis back on the same address: the instance uses it again.
    let _redis = Redis::start_on(port);
    until_redis(&a, RedisStatus::Up).await;
    assert_eq!(plan(&a, &[], "9990").await, 200);
}
