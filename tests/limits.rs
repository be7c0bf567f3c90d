//! Per-session and per-address limits, body limits and request deadlines, against the real
//! server.

mod common;

use app::error::ErrorCode;
use app::model::SearchRequest;
use app::protocol::ServerMessage;
use common::*;
use promotions::config::Config;
use promotions::limits::Settings;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Only the per-address limits, which is what clients without the cookie meet.
fn server(max_sockets: usize, searches_per_minute: u32) -> TestServer {
    with_limits(Settings {
        searches_per_minute,
        max_sockets_per_ip: max_sockets,
        ..Settings::unlimited()
    })
}

fn plan_body() -> String {
    plan_body_to("9900")
}

fn request_to(postal_code: &str) -> serde_json::Value {
    serde_json::json!(SearchRequest::between(
        ("NO", "0150"),
        ("NO", postal_code),
        1000
    ))
}

fn plan_body_to(postal_code: &str) -> String {
    serde_json::json!({"request": request_to(postal_code)}).to_string()
}

/// The body of `POST /api/search` (the socket's `search` message without its type).
fn search_body() -> String {
    serde_json::json!({"search_id": 1, "request": request_to("9900")}).to_string()
}

async fn plan_as(server: &TestServer, cookie: &str, body: &str) -> Reply {
    server
        .exchange(
            "POST",
            "/api/plan_search",
            &[JSON, ("cookie", cookie)],
            body,
        )
        .await
}

/// Runs a search on the socket to its end; `Err` with the error code if it is refused.
async fn search_on(ws: &mut Ws, id: u64, to: &str) -> Result<(), ErrorCode> {
    send_json(ws, search_json(id, "0150", to, 1000)).await;
    loop {
        match expect_message(ws).await {
            ServerMessage::Done { .. } => return Ok(()),
            ServerMessage::Error { code, .. } => return Err(code),
            _ => {}
        }
    }
}

#[tokio::test]
async fn an_office_behind_one_address_is_never_refused_at_defaults() {
    let mut config = Config::from_env().expect("config");
    config.limits = Settings::default();
    let server = spawn_with(config, CountingGuide::new(0.0), |routes| routes);
    let origin = server.origin();
    // 150 colleagues, each in their own browser session, all at once from one address:
    // a socket each, two searches on it and one over HTTP.
    let colleagues = (0..150).map(|n| {
        let server = &server;
        let origin = origin.clone();
        async move {
            let cookie = new_session(server).await;
            let mut ws = server
                .connect_with_headers(Some(&origin), &[("cookie", &cookie)])
                .await
                .expect("socket");
            search_on(&mut ws, 1, "9900").await.expect("first search");
            search_on(&mut ws, 2, "5003").await.expect("second search");
            let to = distinct_code(n);
            let reply = plan_as(server, &cookie, &plan_body_to(&to)).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            ws
        }
    });
    // Held open until the count below.
    let _sockets = futures::future::join_all(colleagues).await;
    let stats = server.stats.snapshot();
    assert_eq!((stats.rate_limited, stats.refused_sockets), (0, 0));
    assert_eq!(stats.sockets, 150);
}

#[tokio::test]
async fn one_session_hammering_is_refused_while_its_colleagues_are_not() {
    let server = with_limits(Settings::default());
    let abuser = new_session(&server).await;
    for n in 0..120 {
        let reply = plan_as(&server, &abuser, &plan_body_to(&distinct_code(n))).await;
        assert_eq!(reply.status, 200, "search {n}: {}", reply.body);
    }
    let refused = plan_as(&server, &abuser, &plan_body()).await;
    assert_eq!(refused.status, 429);
    assert!(refused.header("retry-after").is_some());
    assert!(
        refused
            .body
            .contains("Too many searches in the last minute"),
        "{}",
        refused.body
    );
    // Its socket is refused searches too, with the same code.
    let mut ws = server
        .connect_with_headers(Some(&server.origin()), &[("cookie", &abuser)])
        .await
        .unwrap();
    assert_eq!(
        search_on(&mut ws, 1, "9900").await,
        Err(ErrorCode::RateLimited)
    );
    // A colleague from the same address searches as usual.
    let colleague = new_session(&server).await;
    assert_eq!(plan_as(&server, &colleague, &plan_body()).await.status, 200);
}

#[tokio::test]
async fn requests_without_the_cookie_share_one_session_budget() {
    let server = with_limits(Settings {
        searches_per_minute: 3,
        ..Settings::default()
    });
    // Each cookieless request is offered a session, but until it comes back they are one.
    for n in 0..3 {
        let reply = server
            .exchange(
                "POST",
                "/api/plan_search",
                &[JSON],
                &plan_body_to(&distinct_code(n)),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert!(reply.session_cookie().is_some());
    }
    let refused = server
        .exchange("POST", "/api/plan_search", &[JSON], &plan_body())
        .await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.body.contains("from your network"),
        "{}",
        refused.body
    );
    // Sockets without the cookie share that budget too.
    let mut ws = server.connect().await;
    assert_eq!(
        search_on(&mut ws, 1, "9900").await,
        Err(ErrorCode::RateLimited)
    );
    // A browser that kept its cookie has its own.
    let session = refused.session_cookie().expect("offered a session");
    let reply = plan_as(&server, &session, &plan_body()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.session_cookie(), None, "a session keeps its cookie");
}

#[tokio::test]
async fn a_search_hedged_over_both_tiers_counts_once() {
    let server = with_limits(Settings {
        searches_per_minute: 2,
        ..Settings::default()
    });
    let cookie = new_session(&server).await;
    let mut ws = server
        .connect_with_headers(Some(&server.origin()), &[("cookie", &cookie)])
        .await
        .unwrap();
    // Two searches, each sent on the socket and hedged over HTTP, as the page does when the
    // socket is slow to accept: two searches, not four.
    for (id, to) in [(1, "9900"), (2, "5003")] {
        search_on(&mut ws, id, to).await.expect("socket search");
        let reply = plan_as(&server, &cookie, &plan_body_to(to)).await;
        assert_eq!(reply.status, 200, "hedge of search {id}: {}", reply.body);
    }
    assert_eq!(server.stats.snapshot().rate_limited, 0);
    // The hedge was used up: the same request once more is a new search, over the budget.
    assert_eq!(
        plan_as(&server, &cookie, &plan_body_to("9900"))
            .await
            .status,
        429
    );
    assert_eq!(
        search_on(&mut ws, 3, "9900").await,
        Err(ErrorCode::RateLimited)
    );
}

#[tokio::test]
async fn a_session_has_a_few_sockets_and_an_address_many() {
    let server = with_limits(Settings {
        max_sockets_per_session: 2,
        max_sockets_per_ip: 3,
        ..Settings::default()
    });
    let origin = server.origin();
    let tab = |cookie: String| {
        let server = &server;
        let origin = origin.clone();
        async move {
            server
                .connect_with_headers(Some(&origin), &[("cookie", &cookie)])
                .await
                .unwrap()
        }
    };
    let alice = new_session(&server).await;
    let mut first = tab(alice.clone()).await;
    let _second = tab(alice.clone()).await;
    let mut third = tab(alice.clone()).await;
    assert_eq!(close_code(&mut third).await, Some(1013), "session cap");
    let _bob = tab(new_session(&server).await).await;
    let mut carol = tab(new_session(&server).await).await;
    assert_eq!(close_code(&mut carol).await, Some(1013), "address cap");
    assert_pong(&mut first, 1).await;
}

const JSON: (&str, &str) = ("content-type", "application/json");

#[tokio::test]
async fn a_client_over_its_socket_cap_gets_close_1013_and_a_freed_slot_is_reusable() {
    let server = server(2, 0);
    let mut first = server.connect().await;
    let _second = server.connect().await;
    let mut third = server.connect().await;
    assert_eq!(close_code(&mut third).await, Some(1013));
    assert!(eventually(|| server.stats.snapshot().refused_sockets == 1).await);
    // The two within the cap still work.
    assert_pong(&mut first, 1).await;
    drop(first);
    assert!(eventually(|| server.stats.snapshot().sockets == 1).await);
    let mut again = server.connect().await;
    assert_pong(&mut again, 2).await;
}

#[tokio::test]
async fn searches_over_the_rate_get_rate_limited_on_the_socket_and_over_http_together() {
    let server = server(0, 3);
    let mut ws = server.connect().await;
    // Two searches on the socket and one over HTTP use up the budget of three...
    for id in 1..=2 {
        send_json(&mut ws, search_json(id, "0150", "0150", 1000)).await;
        loop {
            if let ServerMessage::Done { .. } = expect_message(&mut ws).await {
                break;
            }
        }
    }
    let (status, body) = server
        .http("POST", "/api/plan_search", &[JSON], &plan_body())
        .await;
    assert_eq!(status, 200, "{body}");
    // ...so the fourth is refused on either tier, with a clear message and when to retry.
    send_json(&mut ws, search_json(3, "0150", "0150", 1000)).await;
    match expect_message(&mut ws).await {
        ServerMessage::Error {
            search_id,
            code,
            message,
            ..
        } => {
            assert_eq!((search_id, code), (Some(3), ErrorCode::RateLimited));
            assert!(message.contains("Try again in"), "{message}");
        }
        other => panic!("expected rate_limited, got {other:?}"),
    }
    let reply = server
        .exchange("POST", "/api/plan_search", &[JSON], &plan_body())
        .await;
    assert_eq!(reply.status, 429, "{}", reply.body);
    let retry: u64 = reply
        .headers
        .iter()
        .find(|(k, _)| k == "retry-after")
        .and_then(|(_, v)| v.parse().ok())
        .expect("a Retry-After header");
    assert!((1..=20).contains(&retry), "retry after {retry} s");
    // The page's server-function client decodes it as its own error type.
    let error: app::error::ApiError = serde_json::from_str(&reply.body).unwrap();
    assert!(matches!(
        error,
        app::error::ApiError::Refused {
            code: ErrorCode::RateLimited,
            ..
        }
    ));
    assert_eq!(server.stats.snapshot().rate_limited, 2);
    // The socket itself keeps serving.
    assert_pong(&mut ws, 9).await;
}

#[tokio::test]
async fn search_pages_rendered_on_the_server_count_against_the_rate_too() {
    let server = server(0, 1);
    let url = "/?from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=1.2";
    let (status, first) = server.http("GET", url, &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(first.matches(r#"data-state="offer""#).count(), 5, "{first}");
    let (_, second) = server.http("GET", url, &[], "").await;
    assert!(
        second.contains(r#"data-testid="search-failed""#),
        "{second}"
    );
    assert!(
        second.contains("Too many searches from your network"),
        "{second}"
    );
    assert!(!second.contains("data-product-id"), "no cards: {second}");
}

#[tokio::test]
async fn behind_a_proxy_each_forwarded_client_has_its_own_limits() {
    let mut config = Config::from_env().expect("config");
    config.limits = Settings {
        searches_per_minute: 1,
        max_sockets_per_ip: 1,
        ..Settings::unlimited()
    };
    config.client_ip_header = Some(axum::http::HeaderName::from_static("x-forwarded-for"));
    let server = spawn_with(config, CountingGuide::new(0.0), |routes| routes);
    let origin = server.origin();
    // Every request comes from the proxy's address; the proxy appends the client's.
    let socket = |client: &'static str| {
        let server = &server;
        let origin = origin.clone();
        async move {
            server
                .connect_with_headers(Some(&origin), &[("x-forwarded-for", client)])
                .await
                .unwrap()
        }
    };
    let mut a = socket("203.0.113.1").await;
    let mut a_again = socket("203.0.113.1").await;
    let mut b = socket("spoofed, 203.0.113.2").await;
    assert_eq!(close_code(&mut a_again).await, Some(1013));
    for ws in [&mut a, &mut b] {
        assert_pong(ws, 1).await;
    }
    let plan = |client: &'static str| {
        let server = &server;
        async move {
            let headers = [JSON, ("x-forwarded-for", client)];
            server
                .http("POST", "/api/plan_search", &headers, &plan_body())
                .await
                .0
        }
    };
    assert_eq!(plan("203.0.113.1").await, 200);
    assert_eq!(plan("203.0.113.1").await, 429);
    assert_eq!(plan("203.0.113.2").await, 200);
}

#[tokio::test]
async fn http_quotes_have_their_own_budget() {
    let server = server(0, 1);
    let body = serde_json::json!({"request": SearchRequest::between(("NO", "0150"), ("NO", "9900"), 1000), "product_id": "5800"})
    .to_string();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let (status, _) = server
            .http("POST", "/api/quote_product", &[JSON], &body)
            .await;
        statuses.push(status);
    }
    // One search a minute allows one plan and eight quotes.
    assert_eq!(statuses[..8], [200; 8]);
    assert_eq!(statuses[8..], [429, 429]);
}

#[tokio::test]
async fn oversized_bodies_get_413_on_every_endpoint() {
    let server = server(0, 0);
    let padding = "x".repeat(100 * 1024);
    let huge = format!(r#"{{"request":{{}},"padding":"{padding}"}}"#);
    for path in ["/api/plan_search", "/api/quote_product", "/", "/healthz"] {
        let (status, _) = server.http("POST", path, &[JSON], &huge).await;
        assert_eq!(status, 413, "{path}");
    }
    // Within the limit the same endpoint answers normally.
    let (status, _) = server
        .http("POST", "/api/plan_search", &[JSON], &plan_body())
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn malformed_server_function_bodies_get_400() {
    let server = server(0, 0);
    for body in ["{", "[]", r#"{"request": 7}"#, "\u{0}\u{ff}garbage"] {
        let (status, text) = server.http("POST", "/api/plan_search", &[JSON], body).await;
        assert_eq!(status, 400, "{body:?}: {text}");
        assert!(text.contains(r#""kind":"unreadable""#), "{text}");
    }
}

#[tokio::test]
async fn a_body_that_never_arrives_gets_400_instead_of_holding_the_connection() {
    let server = server(0, 0);
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/plan_search HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{{\"request\":",
        server.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    let read = tokio::time::timeout(
        promotions::layers::BODY_TIMEOUT + Duration::from_secs(5),
        stream.read_to_end(&mut reply),
    )
    .await;
    assert!(read.is_ok(), "the server still waits for the body");
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains("timeout"), "{reply}");
}

/// A cookie value of the right shape that this server never signed.
fn forged(n: usize) -> String {
    format!("promo_session={n:032x}.{}", "0".repeat(32))
}

#[tokio::test]
async fn made_up_cookies_share_the_addresss_one_cookieless_budget() {
    let server = with_limits(Settings {
        searches_per_minute: 3,
        ..Settings::unlimited()
    });
    // Twenty searches, each under a cookie of its own invention: one session's worth pass.
    let mut statuses = Vec::new();
    for n in 0..20 {
        let cookie = forged(n);
        let reply = plan_as(&server, &cookie, &plan_body_to(&distinct_code(n))).await;
        // Each is offered a real session in place of the one it made up.
        let offered = reply.session_cookie().expect("a forged cookie is replaced");
        assert_ne!(offered, cookie);
        statuses.push(reply.status);
    }
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|&&s| s == 429).count(), 17);
    // An unsigned id of the old format, or another server's signature, is no better.
    let other = with_limits(Settings::unlimited());
    let theirs = new_session(&other).await;
    for cookie in [theirs, format!("promo_session={:032x}", 7)] {
        assert_eq!(plan_as(&server, &cookie, &plan_body()).await.status, 429);
    }
    // A session this server signed has its own budget.
    let own = new_session(&server).await;
    assert_eq!(plan_as(&server, &own, &plan_body()).await.status, 200);
}

#[tokio::test]
async fn an_address_is_given_only_its_allowance_of_new_sessions() {
    let server = with_limits(Settings {
        searches_per_minute: 3,
        new_sessions_per_minute_per_address: 2,
        ..Settings::unlimited()
    });
    // A script collects every cookie it is given, then floods with all of them and without.
    let mut cookies = Vec::new();
    for _ in 0..10 {
        let reply = server.exchange("GET", "/api/search", &[], "").await;
        cookies.extend(reply.session_cookie());
    }
    assert_eq!(cookies.len(), 2, "two sessions a minute for this address");
    assert_eq!(server.stats.snapshot().refused_sessions, 8);
    cookies.push(String::new());
    let mut passed = 0;
    for n in 0..60 {
        let cookie = &cookies[n % cookies.len()];
        if plan_as(&server, cookie, &plan_body_to(&distinct_code(n)))
            .await
            .status
            == 200
        {
            passed += 1;
        }
    }
    // Its two sessions and the address's cookieless one: three budgets of three.
    assert_eq!(passed, 9);
    // Health checks and assets never ask for one of the address's new sessions.
    let refused = server.stats.snapshot().refused_sessions;
    assert_eq!(refused, 8 + 20, "each cookieless search asked for one");
    let health = server.exchange("GET", "/healthz", &[], "").await;
    assert_eq!(health.session_cookie(), None);
    assert_eq!(server.stats.snapshot().refused_sessions, refused);
}

/// The `Set-Cookie` header a first visit with these headers gets.
async fn set_cookie(server: &TestServer, headers: &[(&str, &str)]) -> String {
    let reply = server.exchange("GET", "/api/search", headers, "").await;
    reply
        .header("set-cookie")
        .expect("a new session")
        .to_owned()
}

#[tokio::test]
async fn over_tls_behind_the_proxy_the_cookie_is_secure_under_the_host_prefix() {
    let mut config = Config::from_env().expect("config");
    config.limits = Settings::unlimited();
    config.client_ip_header = Some(axum::http::HeaderName::from_static("x-forwarded-for"));
    let proxied = spawn_with(config, CountingGuide::new(0.0), |routes| routes);
    let client = ("x-forwarded-for", "203.0.113.1");
    let tls = set_cookie(&proxied, &[client, ("x-forwarded-proto", "https")]).await;
    assert!(tls.starts_with("__Host-promo_session="), "{tls}");
    assert!(
        tls.ends_with("; Path=/; HttpOnly; SameSite=Lax; Secure"),
        "{tls}"
    );
    let plain = set_cookie(&proxied, &[client]).await;
    assert!(
        plain.starts_with("promo_session=") && !plain.contains("Secure"),
        "{plain}"
    );
    // Without a trusted proxy, nobody's X-Forwarded-Proto counts.
    let direct = with_limits(Settings::unlimited());
    let untrusted = set_cookie(&direct, &[("x-forwarded-proto", "https")]).await;
    assert!(untrusted.starts_with("promo_session="), "{untrusted}");
    // The __Host- cookie is a session like the other.
    let pair = tls.split(';').next().unwrap();
    let headers = [JSON, ("cookie", pair), client];
    let reply = proxied
        .exchange("POST", "/api/plan_search", &headers, &plan_body())
        .await;
    assert_eq!((reply.status, reply.session_cookie()), (200, None));
}

#[tokio::test]
async fn a_garbled_forwarded_address_is_refused_everywhere_a_missing_one_counts_the_peer() {
    let mut config = Config::from_env().expect("config");
    config.limits = Settings {
        searches_per_minute: 1,
        ..Settings::unlimited()
    };
    config.client_ip_header = Some(axum::http::HeaderName::from_static("x-forwarded-for"));
    let server = spawn_with(config, CountingGuide::new(0.0), |routes| routes);
    let garbled = ("x-forwarded-for", "203.0.113.1, unknown");
    let search = search_body();
    for (method, path, body) in [
        ("POST", "/api/plan_search", plan_body()),
        ("POST", "/api/search", search),
        ("GET", "/", String::new()),
    ] {
        let reply = server.exchange(method, path, &[JSON, garbled], &body).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert!(reply.body.contains("x-forwarded-for"), "{}", reply.body);
    }
    let ws = server
        .connect_with_headers(Some(&server.origin()), &[garbled])
        .await;
    assert!(ws.is_err(), "no socket for an unidentified client");
    assert_eq!(server.stats.snapshot().unidentified, 4);
    assert_eq!(server.stats.snapshot().searches_started, 0);
    // Without the header the request did not come through the proxy: its peer is counted.
    assert_eq!(plan_as(&server, "", &plan_body()).await.status, 200);
    assert_eq!(plan_as(&server, "", &plan_body()).await.status, 429);
    let other_client = [JSON, ("x-forwarded-for", "203.0.113.1")];
    let (status, _) = server
        .http("POST", "/api/plan_search", &other_client, &plan_body())
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_search_stream_takes_only_json() {
    let server = server(0, 0);
    let body = search_body();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|c| ("content-type", c))
            .into_iter()
            .collect();
        let reply = server
            .exchange("POST", "/api/search", &headers, &body)
            .await;
        assert_eq!(reply.status, 415, "{content_type:?}: {}", reply.body);
        assert!(reply.body.contains("application/json"), "{}", reply.body);
    }
    assert_eq!(server.stats.snapshot().searches_started, 0);
    let json = [("content-type", "application/json; charset=utf-8")];
    let reply = server.exchange("POST", "/api/search", &json, &body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn a_search_without_a_caller_is_refused_not_let_through() {
    use app::api::backend::SearchBackend;
    let config = Config::from_env().expect("config");
    let state = promotions::state::AppState::new(
        &config,
        std::sync::Arc::new(CountingGuide::new(0.0)),
        None,
    );
    // Outside a request the router served, there is nobody to count: nothing runs.
    let request = serde_json::from_value(request_to("9900")).unwrap();
    let refused = state.admit_search(&request).await;
    assert!(
        matches!(refused, Err(app::error::ApiError::Server { .. })),
        "{refused:?}"
    );
    assert!(state.admit_quote().await.is_err());
}
