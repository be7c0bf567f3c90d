//! The HTTP side: the server-rendered page (works without WASM), server functions, `/healthz`.

mod common;

use app::model::SearchRequest;
use common::*;

const SEARCH: &str = "/?from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=1.2";

#[tokio::test]
async fn a_search_url_renders_every_card_on_the_server() {
    let server = shared_server();
    let (status, html) = server.http("GET", SEARCH, &[], "").await;
    assert_eq!(status, 200);
    for id in ["5800", "5600", "3584", "5000", "4850"] {
        assert!(
            html.contains(&format!(r#"data-product-id="{id}" data-state="offer""#)),
            "card {id} missing"
        );
    }
    assert!(html.contains("data-price="));
    assert!(html.contains("data-lead-days="));
    assert!(html.contains(r#"data-testid="search-form""#));
    // The form carries the URL's search.
    assert!(html.contains(r#"value="9900""#));
}

#[tokio::test]
async fn a_bad_postal_code_in_the_url_shows_a_field_error_and_no_cards() {
    let server = shared_server();
    let (status, html) = server
        .http(
            "GET",
            "/?from_country=NO&from_postal=0150&to_country=NO&to_postal=99&weight=1",
            &[],
            "",
        )
        .await;
    assert_eq!(status, 200);
    let at = html
        .find(r#"data-testid="error-to_postal""#)
        .expect("error element");
    assert!(
        html[at..]
            .split("</p>")
            .next()
            .unwrap()
            .contains("Not a postal code in Norway")
    );
    assert!(!html.contains("data-product-id"));
}

#[tokio::test]
async fn russia_renders_the_no_service_explanation() {
    let server = shared_server();
    let (_, html) = server
        .http(
            "GET",
            "/?from_country=NO&from_postal=0150&to_country=RU&to_postal=101000&weight=1",
            &[],
            "",
        )
        .await;
    assert!(html.contains(r#"data-testid="no-service""#));
    assert!(html.contains("No service can carry this parcel"));
}

#[tokio::test]
async fn server_functions_plan_and_quote_with_json() {
    let server = shared_server();
    let request = serde_json::json!({
        "from": {"country": "NO", "postal_code": "0150"},
        "to": {"country": "NO", "postal_code": "9170"},
        "parcel": {"weight_grams": 1200, "length_cm": null, "width_cm": null, "height_cm": null}
    });
    let json = [
        ("content-type", "application/json"),
        ("accept", "application/json"),
    ];
    let (status, body) = server
        .http(
            "POST",
            "/api/plan_search",
            &json,
            &serde_json::json!({"request": request}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let plan: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        plan["products"],
        serde_json::json!(["5800", "3584", "5000", "5100"])
    );
    assert_eq!(
        plan["places"],
        serde_json::json!({"from": "OSLO", "to": "LONGYEARBYEN"})
    );

    let (status, body) = server
        .http(
            "POST",
            "/api/quote_product",
            &json,
            &serde_json::json!({"request": request, "product_id": "5800"}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let outcome: app::model::Outcome = serde_json::from_str(&body).unwrap();
    assert!(matches!(outcome, app::model::Outcome::Offer { .. }));

    let mut bad = request.clone();
    bad["to"]["postal_code"] = "91".into();
    let (status, body) = server
        .http(
            "POST",
            "/api/plan_search",
            &json,
            &serde_json::json!({"request": bad}).to_string(),
        )
        .await;
    assert_eq!(status, 400, "bad input is the client's error");
    assert!(body.contains("invalid_postal_code"), "{body}");

    // Well-formed but not in the postal register: refused before anything is quoted.
    bad["to"]["postal_code"] = "4444".into();
    for (endpoint, body) in [
        ("plan_search", serde_json::json!({"request": bad})),
        (
            "quote_product",
            serde_json::json!({"request": bad, "product_id": "5800"}),
        ),
    ] {
        let (status, answer) = server
            .http(
                "POST",
                &format!("/api/{endpoint}"),
                &json,
                &body.to_string(),
            )
            .await;
        assert_eq!(status, 400, "{endpoint}: {answer}");
        assert!(answer.contains("unknown_postal_code"), "{answer}");
        assert!(answer.contains("to_postal"), "{answer}");
    }
}

#[tokio::test]
async fn healthz_reports_live_counts() {
    let server = shared_server();
    let _ws = server.connect().await;
    assert!(
        eventually(|| server
            .stats
            .sockets
            .load(std::sync::atomic::Ordering::SeqCst)
            == 1)
        .await
    );
    let (status, body) = server.http("GET", "/healthz", &[], "").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["sockets"], 1);
    assert_eq!(v["searches_in_flight"], 0);
    assert!(v["tasks"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert!(v["rss_bytes"].as_u64().is_some_and(|n| n > 1 << 20), "{v}");
}

#[tokio::test]
async fn server_functions_refuse_cross_site_requests_and_get() {
    let server = shared_server();
    let body = serde_json::json!({"request": SearchRequest::between(("NO", "0150"), ("NO", "9900"), 1000)})
    .to_string();
    let own = server.origin();
    let json = ("content-type", "application/json");
    let cases: [(&[(&str, &str)], u16); 5] = [
        (
            &[json, ("origin", &own), ("sec-fetch-site", "same-origin")],
            200,
        ),
        (&[json], 200),
        (&[json, ("origin", "http://evil.test")], 403),
        (&[json, ("sec-fetch-site", "cross-site")], 403),
        (&[json, ("origin", "null")], 403),
    ];
    for (headers, want) in cases {
        let (status, text) = server
            .http("POST", "/api/plan_search", headers, &body)
            .await;
        assert_eq!(status, want, "{headers:?}: {text}");
    }
    let (status, _) = server.http("GET", "/api/plan_search", &[], "").await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_and_security_headers() {
    let server = shared_server();
    let reply = server.exchange("GET", "/", &[], "").await;
    let (status, head) = (reply.status, reply.headers);
    assert_eq!(status, 200);
    let csp = head
        .iter()
        .find(|(k, _)| k == "content-security-policy")
        .map(|(_, v)| v.clone())
        .expect("CSP header");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|n| n.split('\'').next())
        .expect("a nonce");
    let (_, html) = server.http("GET", "/", &[], "").await;
    assert!(
        !html.contains(&format!("nonce=\"{nonce}\"")),
        "a nonce must not be reused between renders"
    );
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("x-frame-options", "DENY"),
    ] {
        assert!(
            head.iter().any(|(k, v)| k == name && v == value),
            "{name} missing: {head:?}"
        );
    }
}

#[tokio::test]
async fn the_connection_check_says_what_the_server_saw_under_the_same_origin_rules() {
    let server = shared_server();
    let own = server.origin();
    let json = ("content-type", "application/json");
    let (status, text) = server
        .http(
            "POST",
            "/api/connection_check",
            &[
                json,
                ("origin", &own),
                ("via", "1.1 corp-proxy"),
                ("user-agent", "test"),
            ],
            "{}",
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let seen: app::diagnosis::seen::SeenRequest = serde_json::from_str(&text).unwrap();
    assert!(
        seen.headers
            .contains(&("Via".into(), "1.1 corp-proxy".into())),
        "{seen:?}"
    );
    assert!(
        seen.headers.contains(&("User-Agent".into(), "test".into())),
        "{seen:?}"
    );
    assert_eq!(seen.hints, ["A proxy names itself in Via: 1.1 corp-proxy"]);
    let (status, _) = server
        .http(
            "POST",
            "/api/connection_check",
            &[json, ("origin", "http://evil.test")],
            "{}",
        )
        .await;
    assert_eq!(status, 403, "no new way in for other sites");
}

#[tokio::test]
async fn the_diagnostics_page_renders_what_the_server_saw_without_javascript() {
    let server = shared_server();
    let (status, html) = server
        .http("GET", "/diagnostics", &[("via", "1.1 corp-proxy")], "")
        .await;
    assert_eq!(status, 200);
    for expected in [
        "data-testid=\"seen-headers\"",
        "1.1 corp-proxy",
        "A proxy names itself in Via: 1.1 corp-proxy",
        "need JavaScript",
        "data-check=\"websocket-stream\"",
    ] {
        assert!(html.contains(expected), "{expected:?} missing");
    }
}
