//! A server-rendered search asks the shipping guide once per planned product. Alone in its
//! binary, so the count is this render's alone.

mod common;

use common::*;
use std::sync::atomic::Ordering;

#[tokio::test]
async fn a_server_rendered_search_quotes_each_product_once() {
    let guide = CountingGuide::new(0.0);
    let config = promotions::config::Config::from_env().expect("config");
    let server = spawn_with(config, guide.clone(), |routes| routes);
    let url = "/?from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=1.2";
    let (status, html) = server.http("GET", url, &[], "").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches(r#"data-state="offer""#).count(), 5, "{html}");
    assert_eq!(
        guide.started.load(Ordering::SeqCst),
        5,
        "one quote per product"
    );
}
