//! The server binary as deployed: started on its own with nothing set, it is production
//! (CSP, Origin rules, Sentry environment, cookies, cache headers); only `cargo leptos watch`
//! (which sets LEPTOS_WATCH) relaxes it.

mod common;

use app::model::SearchRequest;
use common::{Reply, connect_at, exchange_at, free_port};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite;

/// The binary on a free port with its own data dir, killed (and the dir removed) when dropped.
struct Binary {
    child: Child,
    addr: SocketAddr,
    data_dir: std::path::PathBuf,
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

async fn start(env: &[(&str, String)]) -> Binary {
    start_on(free_port(), env).await
}

async fn start_on(port: u16, env: &[(&str, String)]) -> Binary {
    start_logging(port, env, Stdio::null()).await
}

async fn start_logging(port: u16, env: &[(&str, String)], log: Stdio) -> Binary {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut command = Command::new(env!("CARGO_BIN_EXE_promotions"));
    // Whatever the developer's shell has, the test starts from nothing.
    for (name, _) in std::env::vars() {
        if name.starts_with("LEPTOS_")
            || name.starts_with("SENTRY_")
            || name.starts_with("BRING_")
            || name == "PUBLIC_ORIGIN"
            || name == "DATABASE_URL"
        {
            command.env_remove(name);
        }
    }
    // Binaries started side by side would otherwise share one SQLite file under ./data.
    let data_dir =
        std::env::temp_dir().join(format!("promotions-binary-{}-{port}", std::process::id()));
    command
        .env("LEPTOS_SITE_ADDR", addr.to_string())
        .env("DATA_DIR", &data_dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(log)
        .stderr(Stdio::null());
    let binary = Binary {
        child: command.spawn().unwrap(),
        addr,
        data_dir,
    };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return binary;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server did not start on {addr}");
}

async fn page(binary: &Binary) -> Reply {
    let reply = exchange_at(binary.addr, "GET", "/", &[], "").await;
    assert_eq!(reply.status, 200);
    reply
}

#[tokio::test]
async fn started_with_nothing_set_the_binary_is_production() {
    let binary = start(&[]).await;
    let reply = page(&binary).await;
    let csp = reply.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert!(!csp.contains("ws://"), "no live-reload socket: {csp}");
    assert!(
        reply
            .body
            .contains(r#"<meta name="sentry-environment" content="production">"#),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("reload_port"), "no live-reload script");
    assert_eq!(reply.header("cache-control"), Some("no-cache"));
    let cookie = reply
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("promo_session="))
        .map(|(_, v)| v.clone())
        .expect("a session cookie");
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    // Without PUBLIC_ORIGIN the page's own host may open the socket, nobody else.
    let own = format!("http://{}", binary.addr);
    assert!(connect_at(binary.addr, Some(&own), &[]).await.is_ok());
    assert!(
        connect_at(binary.addr, Some("http://evil.test"), &[])
            .await
            .is_err()
    );
}

#[tokio::test]
async fn with_public_origin_set_exactly_those_origins_may_connect_even_under_watch() {
    let addr_origin = |binary: &Binary, scheme: &str| format!("{scheme}://{}", binary.addr);
    for watch in [false, true] {
        let port = free_port();
        let mut env = vec![("PUBLIC_ORIGIN", format!("http://127.0.0.1:{port}"))];
        if watch {
            env.push(("LEPTOS_WATCH", "true".into()));
        }
        let binary = start_on(port, &env).await;
        let http = addr_origin(&binary, "http");
        let https = addr_origin(&binary, "https");
        assert!(
            connect_at(binary.addr, Some(&http), &[]).await.is_ok(),
            "watch={watch}"
        );
        let refused = connect_at(binary.addr, Some(&https), &[]).await;
        assert!(
            matches!(&refused, Err(tungstenite::Error::Http(r)) if r.status() == 403),
            "watch={watch}: {refused:?}"
        );
        // Under watch the page may talk to cargo-leptos' reload socket; in production never.
        let csp = page(&binary).await;
        let csp = csp.header("content-security-policy").unwrap();
        assert_eq!(csp.contains("ws://127.0.0.1:3001"), watch, "{csp}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_public_origin_is_https() {
    let binary = start(&[("PUBLIC_ORIGIN", "https://promo.example".into())]).await;
    let reply = page(&binary).await;
    let cookie = reply
        .headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.as_str())
        .unwrap();
    assert!(
        cookie.ends_with("; HttpOnly; SameSite=Lax; Secure"),
        "{cookie}"
    );
}

#[tokio::test]
async fn the_session_secret_signs_the_cookie_and_without_one_the_start_warns() {
    let secret = "a deployment's secret of more than thirty-two characters";
    for set in [false, true] {
        let path = std::env::temp_dir().join(format!(
            "promotions-secret-log-{}-{set}",
            std::process::id()
        ));
        let log = std::fs::File::create(&path).unwrap();
        let mut env = vec![("NO_COLOR", "1".to_owned())];
        if set {
            env.push(("SESSION_SECRET", secret.to_owned()));
        }
        let binary = start_logging(free_port(), &env, log.into()).await;
        let reply = exchange_at(binary.addr, "GET", "/api/search", &[], "").await;
        drop(binary);
        let log = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        let cookie = reply.session_cookie().expect("a session");
        let value = cookie.split_once('=').unwrap().1;
        let keys = promotions::guards::session::SessionKeys::new(secret.as_bytes());
        assert_eq!(keys.verify(value).is_some(), set, "{cookie}");
        let warnings = log.matches("SESSION_SECRET is unset").count();
        assert_eq!(warnings, usize::from(!set), "{log}");
    }
}

#[tokio::test]
async fn a_search_over_http_is_logged_like_one_over_the_socket() {
    let path = std::env::temp_dir().join(format!("promotions-http-log-{}", std::process::id()));
    let log = std::fs::File::create(&path).unwrap();
    let env = [
        ("NO_COLOR", "1".to_owned()),
        ("GUIDE_LATENCY_SCALE", "0".to_owned()),
    ];
    let binary = start_logging(free_port(), &env, log.into()).await;
    let request = serde_json::json!(SearchRequest::between(("NO", "0150"), ("NO", "9900"), 1200));
    let json = [("content-type", "application/json")];
    let call = |path: &'static str, body: serde_json::Value| {
        let addr = binary.addr;
        async move { exchange_at(addr, "POST", path, &json, &body.to_string()).await }
    };
    let plan = call("/api/plan_search", serde_json::json!({"request": request})).await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    let quote = call(
        "/api/quote_product",
        serde_json::json!({"request": request, "product_id": "5800"}),
    )
    .await;
    assert_eq!(quote.status, 200, "{}", quote.body);
    drop(binary);
    let log = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let line = |what: &str| {
        log.lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no {what:?} line in:\n{log}"))
            .to_owned()
    };
    let started = line("search started");
    assert!(started.contains(" INFO "), "{started}");
    for field in [
        "tier=\"http\"",
        "route=NO-Oslo>NO-EastFinnmark",
        "products=5",
    ] {
        assert!(started.contains(field), "{field} in {started}");
    }
    let done = line("quote done");
    for field in [
        "tier=\"http\"",
        "route=NO-Oslo>NO-EastFinnmark",
        "product=5800",
        "offered=true",
        "ms=",
    ] {
        assert!(done.contains(field), "{field} in {done}");
    }
    assert!(
        !log.contains("0150") && !log.contains("9900"),
        "no postal codes: {log}"
    );
}

#[tokio::test]
async fn an_http_search_its_client_leaves_is_logged_once_as_cancelled() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let path = std::env::temp_dir().join(format!("promotions-left-log-{}", std::process::id()));
    let log = std::fs::File::create(&path).unwrap();
    // Real latencies: express takes over a second, so the search is still running.
    let env = [("NO_COLOR", "1".to_owned())];
    let binary = start_logging(free_port(), &env, log.into()).await;
    let body = serde_json::json!({"search_id": 3, "request": SearchRequest::between(("NO", "0150"), ("NO", "9900"), 1200)})
    .to_string();
    let mut stream = tokio::net::TcpStream::connect(binary.addr).await.unwrap();
    let request = format!(
        "POST /api/search HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    // The fast products' lines (they answer within 60 ms), then the client goes.
    while seen
        .windows(14)
        .filter(|w| w == br#""type":"offer""#)
        .count()
        < 4
    {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the stream ended early");
        seen.extend_from_slice(&chunk[..n]);
    }
    drop(stream);
    // Once the server counts the search as cancelled, its line is written (the count comes
    // after it) and nothing of the search runs any more.
    let mut health = serde_json::Value::Null;
    for _ in 0..100 {
        let reply = exchange_at(binary.addr, "GET", "/healthz", &[], "").await;
        health = serde_json::from_str(&reply.body).unwrap();
        if health["searches_cancelled"] == 1 && health["searches_in_flight"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        (&health["searches_cancelled"], &health["searches_in_flight"]),
        (&1.into(), &0.into()),
        "{health}"
    );
    drop(binary);
    let log = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let cancelled: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("search cancelled"))
        .collect();
    assert_eq!(cancelled.len(), 1, "{log}");
    for field in ["tier=\"http\"", "search_id=3", "offers=4", "ms="] {
        assert!(cancelled[0].contains(field), "{field} in {}", cancelled[0]);
    }
    assert!(!log.contains("search done"), "{log}");
}
