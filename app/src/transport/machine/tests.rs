//! The machine's behaviour, input by input, on a clock the tests set.

use super::*;
use crate::model::*;

const HEDGE: Ms = 300.0;

/// The server's plan answer, without places.
fn server_plan(products: Vec<ProductId>) -> Plan {
    Plan {
        products,
        places: Places::default(),
    }
}

fn ids(list: &[&str]) -> Vec<ProductId> {
    list.iter().map(|id| ProductId::new(id)).collect()
}

fn offer(id: &str) -> Offer {
    Offer {
        product_id: ProductId::new(id),
        name: id.into(),
        description: String::new(),
        price: Money {
            currency: "NOK".into(),
            with_vat_minor: 100,
            without_vat_minor: 80,
        },
        lead_time: LeadTime {
            working_days: 1,
            expected_delivery: "2026-11-30".into(),
            alternatives: vec![],
        },
        last_mile: None,
        dispatch: None,
    }
}

fn emitted(cmds: &[Command]) -> Vec<SearchEvent> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Emit(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

fn quotes(cmds: &[Command]) -> Vec<String> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::HttpQuote { product_id, .. } => Some(product_id.0.clone()),
            _ => None,
        })
        .collect()
}

fn breakage(cmds: &[Command]) -> Option<Breakage> {
    cmds.iter().find_map(|c| match c {
        Command::Broken(b) => Some(b.clone()),
        _ => None,
    })
}

fn has_plan_call(cmds: &[Command]) -> bool {
    cmds.iter().any(|c| matches!(c, Command::HttpPlan { .. }))
}

fn has_search_call(cmds: &[Command]) -> bool {
    cmds.iter().any(|c| matches!(c, Command::HttpSearch { .. }))
}

/// The stream's `accepted` line for search 1, with the page's own plan and these places.
fn stream_accepted(places: Places) -> Input {
    Input::HttpLine {
        search_id: 1,
        msg: ServerMessage::Accepted {
            search_id: 1,
            products: crate::plan::plan(&sample_request()),
            places,
        },
    }
}

/// A page on HTTP for good (a fallback remembered) that has started search 1 at t=1000.
fn streaming() -> (Machine, Vec<Command>) {
    let mut m = Machine::new(None, Some(f64::INFINITY));
    m.start(0.0);
    let cmds = m.handle(1_000.0, Input::Search(sample_request()));
    (m, cmds)
}

/// A page whose socket opened at t=5 with the probe's ping (sent at t=0) unanswered.
fn probing() -> Machine {
    let mut m = Machine::new(None, None);
    m.start(0.0);
    m.handle(5.0, Input::SocketOpened);
    m
}

/// A page whose probe has been answered: the socket is verified.
fn verified() -> Machine {
    let mut m = Machine::new(None, None);
    let cmds = m.start(0.0);
    assert_eq!(cmds[0], Command::OpenSocket);
    assert_eq!(cmds[1], Command::Send(ClientMessage::Ping { nonce: 1 }));
    m.handle(10.0, Input::SocketOpened);
    let cmds = m.handle(12.0, Input::SocketMessage(ServerMessage::Pong { nonce: 1 }));
    assert_eq!(cmds, vec![Command::Tier(Tier::Socket)]);
    m
}

/// Verified socket, search 1 sent at t=1000.
fn searching() -> Machine {
    let mut m = verified();
    m.handle(1_000.0, Input::Search(sample_request()));
    m
}

/// Verified socket, search 1 sent at t=1000 and accepted with three products, one answered.
fn mid_search() -> Machine {
    let mut m = verified();
    let cmds = m.handle(1_000.0, Input::Search(sample_request()));
    assert_eq!(
        cmds,
        vec![Command::Send(ClientMessage::Search {
            search_id: 1,
            request: sample_request()
        })]
    );
    let cmds = m.handle(
        1_010.0,
        Input::SocketMessage(ServerMessage::Accepted {
            search_id: 1,
            products: ids(&["5800", "5600", "4850"]),
            places: Places::default(),
        }),
    );
    assert_eq!(
        emitted(&cmds),
        vec![SearchEvent::Planned(ids(&["5800", "5600", "4850"]))]
    );
    let cmds = m.handle(
        1_030.0,
        Input::SocketMessage(ServerMessage::Offer {
            search_id: 1,
            offer: offer("5800"),
        }),
    );
    assert_eq!(emitted(&cmds).len(), 1);
    m
}

#[test]
fn a_healthy_socket_carries_the_whole_search_without_http() {
    let mut m = mid_search();
    let mut all = m.handle(
        1_040.0,
        Input::SocketMessage(ServerMessage::Offer {
            search_id: 1,
            offer: offer("5600"),
        }),
    );
    all.extend(m.handle(
        2_000.0,
        Input::SocketMessage(ServerMessage::Offer {
            search_id: 1,
            offer: offer("4850"),
        }),
    ));
    all.extend(m.handle(
        2_001.0,
        Input::SocketMessage(ServerMessage::Done { search_id: 1 }),
    ));
    assert_eq!(emitted(&all).last(), Some(&SearchEvent::Done));
    assert!(quotes(&all).is_empty() && !has_plan_call(&all));
    // A close after done is normal.
    let cmds = m.handle(
        3_000.0,
        Input::SocketClosed {
            code: 1006,
            reason: String::new(),
            was_clean: false,
        },
    );
    assert!(breakage(&cmds).is_none());
    assert_eq!(m.tier(), Tier::Socket);
}

#[test]
fn a_busy_server_moves_the_search_to_http_without_a_notice_and_retries_soon() {
    let mut m = mid_search();
    let cmds = m.handle(
        1_100.0,
        Input::SocketClosed {
            code: close::TRY_AGAIN_LATER,
            reason: "too many connections from your network".into(),
            was_clean: true,
        },
    );
    assert!(breakage(&cmds).is_none(), "no notice, no report");
    assert!(cmds.contains(&Command::Tier(Tier::Http)));
    // The plan is known: only the two products still outstanding are asked for.
    assert_eq!(quotes(&cmds), ["5600", "4850"]);
    assert_eq!(m.tier(), Tier::Http);
    // A minute later the next search tries the socket again.
    let cmds = m.handle(1_100.0 + RETRY_BUSY_AFTER, Input::Search(sample_request()));
    assert!(cmds.contains(&Command::OpenSocket));
}

#[test]
fn a_server_restart_mid_search_moves_it_to_http_quietly_and_the_socket_comes_back() {
    let mut m = mid_search();
    let cmds = m.handle(
        1_100.0,
        Input::SocketClosed {
            code: close::GOING_AWAY,
            reason: close::REASON_SHUTDOWN.into(),
            was_clean: true,
        },
    );
    assert!(breakage(&cmds).is_none(), "no notice, no report");
    assert_eq!(quotes(&cmds), ["5600", "4850"]);
    // Another instance may serve already: the socket is reopened at once and probed.
    assert!(cmds.contains(&Command::OpenSocket));
    m.handle(1_110.0, Input::SocketOpened);
    let cmds = m.handle(
        1_120.0,
        Input::SocketMessage(ServerMessage::Pong { nonce: 2 }),
    );
    assert_eq!(cmds, vec![Command::Tier(Tier::Socket)]);
    assert_eq!(m.tier(), Tier::Socket);
    // No other instance (a single server restarting): the reopened socket fails quietly
    // and the socket is tried again a little later.
    let mut m = mid_search();
    m.handle(
        1_100.0,
        Input::SocketClosed {
            code: close::GOING_AWAY,
            reason: close::REASON_SHUTDOWN.into(),
            was_clean: true,
        },
    );
    let cmds = m.handle(1_105.0, Input::SocketError);
    assert!(breakage(&cmds).is_none(), "no notice, no report");
    assert_eq!(m.tier(), Tier::Http);
    let cmds = m.handle(1_200.0, Input::Search(sample_request()));
    assert!(!cmds.contains(&Command::OpenSocket));
    let cmds = m.handle(
        1_105.0 + RETRY_RESTART_AFTER,
        Input::Search(sample_request()),
    );
    assert!(cmds.contains(&Command::OpenSocket));
    // A 1001 with any other reason mid-search is a breakage like any other close.
    let mut m = mid_search();
    let cmds = m.handle(
        1_100.0,
        Input::SocketClosed {
            code: close::GOING_AWAY,
            reason: String::new(),
            was_clean: false,
        },
    );
    assert_eq!(breakage(&cmds).unwrap().close_code, Some(close::GOING_AWAY));
}

#[test]
fn a_replaced_search_has_its_server_function_calls_aborted() {
    let mut m = Machine::new(None, Some(RETRY_SOCKET_AFTER));
    m.start(0.0);
    let cmds = m.handle(1_000.0, Input::Search(sample_request()));
    assert!(has_search_call(&cmds));
    m.handle(1_010.0, stream_accepted(Places::default()));
    let cmds = m.handle(1_500.0, Input::Search(sample_request()));
    assert_eq!(cmds[0], Command::AbortHttp { search_id: 1 });
    assert!(has_search_call(&cmds), "the new search starts at once");
    // A finished search has nothing to abort: no service goes to Russia, so search 3
    // is done as soon as it is planned.
    let mut to_russia = sample_request();
    to_russia.to.country = "RU".into();
    let cmds = m.handle(1_520.0, Input::Search(to_russia));
    assert!(emitted(&cmds).contains(&SearchEvent::Done));
    let cmds = m.handle(2_000.0, Input::Search(sample_request()));
    assert!(!cmds.iter().any(|c| matches!(c, Command::AbortHttp { .. })));
}

#[test]
fn on_http_for_good_one_stream_carries_the_search_with_the_pages_own_plan_shown_at_once() {
    let (mut m, cmds) = streaming();
    let plan = crate::plan::plan(&sample_request());
    assert!(has_search_call(&cmds) && !has_plan_call(&cmds), "{cmds:?}");
    assert!(quotes(&cmds).is_empty(), "one request, not one per product");
    assert_eq!(emitted(&cmds), vec![SearchEvent::Planned(plan.clone())]);
    // Its lines are the socket's messages: the server's plan changes nothing, each outcome
    // shows as it comes, the last one ends the search.
    let cmds = m.handle(1_005.0, stream_accepted(Places::default()));
    assert!(cmds.is_empty(), "{cmds:?}");
    for (n, id) in plan.iter().enumerate() {
        let cmds = m.handle(
            1_030.0 + n as f64,
            Input::HttpLine {
                search_id: 1,
                msg: ServerMessage::Offer {
                    search_id: 1,
                    offer: offer(id.as_str()),
                },
            },
        );
        assert!(matches!(emitted(&cmds)[0], SearchEvent::Outcome(_)));
        assert_eq!(
            emitted(&cmds).contains(&SearchEvent::Done),
            n + 1 == plan.len()
        );
        assert!(quotes(&cmds).is_empty());
    }
    let cmds = m.handle(
        2_000.0,
        Input::HttpStreamEnded {
            search_id: 1,
            result: Ok(()),
        },
    );
    assert!(
        cmds.is_empty(),
        "a complete stream leaves nothing to ask: {cmds:?}"
    );
    // A refused stream ends the search and aborts its calls.
    m.handle(3_000.0, Input::Search(sample_request()));
    let cmds = m.handle(
        3_010.0,
        Input::HttpStreamEnded {
            search_id: 2,
            result: Err(ApiError::Refused {
                code: crate::error::ErrorCode::RateLimited,
                message: "Too many searches in the last minute. Try again in 3 s.".into(),
            }),
        },
    );
    assert!(cmds.contains(&Command::AbortHttp { search_id: 2 }));
    assert!(matches!(emitted(&cmds)[..], [SearchEvent::Failed(_)]));
}

#[test]
fn a_held_back_stream_is_overtaken_product_by_product_and_the_first_answer_wins() {
    // A proxy that delivers a response only once it is complete: no `accepted` in time.
    let (mut m, _) = streaming();
    let plan = crate::plan::plan(&sample_request());
    assert_eq!(m.next_deadline(), Some(1_000.0 + MIN_STREAM_WAIT));
    let cmds = m.handle(1_000.0 + MIN_STREAM_WAIT, Input::Tick);
    let asked: Vec<String> = plan.iter().map(|p| p.0.clone()).collect();
    assert_eq!(quotes(&cmds), asked);
    let cmds = m.handle(
        1_130.0,
        Input::HttpOutcome {
            search_id: 1,
            product_id: plan[0].clone(),
            result: Ok(Outcome::Offer {
                offer: offer(plan[0].as_str()),
            }),
        },
    );
    assert_eq!(emitted(&cmds).len(), 1);
    // The whole stream arrives at last: its places are news, its answers only where no
    // call has answered yet.
    let places = Places {
        from: Some("OSLO".into()),
        to: Some("KIRKENES".into()),
    };
    let cmds = m.handle(3_000.0, stream_accepted(places.clone()));
    assert_eq!(emitted(&cmds), vec![SearchEvent::Places(places)]);
    let line = |id: &ProductId| Input::HttpLine {
        search_id: 1,
        msg: ServerMessage::Offer {
            search_id: 1,
            offer: offer(id.as_str()),
        },
    };
    assert!(
        emitted(&m.handle(3_001.0, line(&plan[0]))).is_empty(),
        "shown already"
    );
    assert_eq!(emitted(&m.handle(3_002.0, line(&plan[1]))).len(), 1);
    // stream_wait: two round trips, at least 100 ms.
    assert_eq!(stream_wait(None), 100.0);
    assert_eq!(stream_wait(Some(20.0)), 100.0);
    assert_eq!(stream_wait(Some(150.0)), 300.0);
}

#[test]
fn a_stream_cut_midway_leaves_only_the_missing_products_to_ask_for() {
    let (mut m, _) = streaming();
    let plan = crate::plan::plan(&sample_request());
    m.handle(1_005.0, stream_accepted(Places::default()));
    m.handle(
        1_030.0,
        Input::HttpLine {
            search_id: 1,
            msg: ServerMessage::Offer {
                search_id: 1,
                offer: offer(plan[0].as_str()),
            },
        },
    );
    assert_eq!(m.next_deadline(), None, "a flowing stream has no deadline");
    let cmds = m.handle(
        1_040.0,
        Input::HttpStreamEnded {
            search_id: 1,
            result: Err(ApiError::Server {
                message: "error reaching server: network error".into(),
            }),
        },
    );
    let missing: Vec<String> = plan[1..].iter().map(|p| p.0.clone()).collect();
    assert_eq!(quotes(&cmds), missing);
    assert!(breakage(&cmds).is_none());
}

#[test]
fn places_are_told_once_whichever_tier_names_them() {
    let oslo_kirkenes = Places {
        from: Some("OSLO".into()),
        to: Some("KIRKENES".into()),
    };
    let mut m = searching();
    let cmds = m.handle(
        1_010.0,
        Input::SocketMessage(ServerMessage::Accepted {
            search_id: 1,
            products: ids(&["5800"]),
            places: oslo_kirkenes.clone(),
        }),
    );
    assert_eq!(
        emitted(&cmds),
        vec![
            SearchEvent::Planned(ids(&["5800"])),
            SearchEvent::Places(oslo_kirkenes.clone())
        ]
    );
    // On HTTP the page plans itself; the places come with the stream's `accepted`.
    let (mut m, _) = streaming();
    let answer = |m: &mut Machine| m.handle(1_010.0, stream_accepted(oslo_kirkenes.clone()));
    assert_eq!(
        emitted(&answer(&mut m)),
        vec![SearchEvent::Places(oslo_kirkenes.clone())]
    );
    assert!(emitted(&answer(&mut m)).is_empty(), "told once");
}

#[test]
fn a_refused_field_is_a_field_error_on_either_tier() {
    let unknown = FieldError::new(
        "to_postal",
        crate::error::ErrorCode::UnknownPostalCode,
        "4444 is not a postal code in Norway",
    );
    let mut m = searching();
    let cmds = m.handle(
        1_010.0,
        Input::SocketMessage(ServerMessage::Error {
            search_id: Some(1),
            code: unknown.code,
            message: unknown.message.clone(),
            field: Some(unknown.field.clone()),
        }),
    );
    assert_eq!(emitted(&cmds), vec![SearchEvent::Invalid(unknown.clone())]);

    // Over HTTP, refused before the stream starts (400) or as a line of it.
    let refusals = [
        Input::HttpStreamEnded {
            search_id: 1,
            result: Err(ApiError::Invalid(unknown.clone())),
        },
        Input::HttpLine {
            search_id: 1,
            msg: ServerMessage::Error {
                search_id: Some(1),
                code: unknown.code,
                message: unknown.message.clone(),
                field: Some(unknown.field.clone()),
            },
        },
    ];
    for refusal in refusals {
        let (mut m, _) = streaming();
        let cmds = m.handle(1_010.0, refusal);
        assert!(
            cmds.contains(&Command::AbortHttp { search_id: 1 }),
            "its calls stop"
        );
        assert_eq!(emitted(&cmds), vec![SearchEvent::Invalid(unknown.clone())]);
    }
}

#[test]
fn a_page_waking_from_sleep_asks_the_socket_again_before_judging_it() {
    let mut m = verified();
    // The idle ping went out, then the laptop slept for an hour: its timer fires late.
    let cmds = m.handle(30_000.0, Input::Tick);
    assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 2 })]);
    let cmds = m.handle(3_630_000.0, Input::Tick);
    assert!(
        breakage(&cmds).is_none(),
        "no fallback for a timer that fired late"
    );
    assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 3 })]);
    // The socket answers the new ping: all is well, still on the socket.
    let cmds = m.handle(
        3_630_020.0,
        Input::SocketMessage(ServerMessage::Pong { nonce: 3 }),
    );
    assert!(breakage(&cmds).is_none());
    assert_eq!(m.tier(), Tier::Socket);
    // Awake, silence still counts: no pong 3 s after the next ping is a breakage.
    let mut m = verified();
    m.handle(30_000.0, Input::Tick);
    m.handle(3_630_000.0, Input::Tick);
    let cmds = m.handle(3_633_000.0, Input::Tick);
    assert_eq!(breakage(&cmds).unwrap().trigger, Trigger::PongTimeout);
}

#[test]
fn a_tab_shown_again_asks_the_socket_before_its_throttled_deadlines_judge_it() {
    let mut m = verified();
    m.handle(30_000.0, Input::Tick);
    // Hidden while that ping was out; shown again 2.5 s later, before its reply deadline.
    let cmds = m.handle(32_500.0, Input::Shown);
    assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 3 })]);
    assert_eq!(m.next_deadline(), Some(32_500.0 + REPLY_TIMEOUT));
    let cmds = m.handle(33_100.0, Input::Tick);
    assert!(breakage(&cmds).is_none(), "the old ping's deadline is gone");
    let cmds = m.handle(
        33_120.0,
        Input::SocketMessage(ServerMessage::Pong { nonce: 3 }),
    );
    assert!(breakage(&cmds).is_none());
    assert_eq!(m.tier(), Tier::Socket);
    // A page on HTTP for good has nothing to ask.
    let mut m = Machine::new(None, Some(600_000.0));
    m.start(0.0);
    assert!(m.handle(1_000.0, Input::Shown).is_empty());
}

#[test]
fn a_search_waiting_for_accepted_through_a_sleep_is_hedged_not_failed() {
    let mut m = searching();
    // Asleep before `accepted` (and before the hedge timer) could fire.
    let cmds = m.handle(60_000.0, Input::Tick);
    assert!(breakage(&cmds).is_none());
    assert!(has_search_call(&cmds), "hedged over HTTP at once");
    assert!(cmds.contains(&Command::Send(ClientMessage::Ping { nonce: 2 })));
    // `accepted` then arrives: the socket carries on.
    let cmds = m.handle(
        60_010.0,
        Input::SocketMessage(ServerMessage::Accepted {
            search_id: 1,
            products: ids(&["5800"]),
            places: Places::default(),
        }),
    );
    assert!(breakage(&cmds).is_none());
}

#[test]
fn a_socket_that_cannot_be_constructed_falls_back_at_once() {
    let mut m = Machine::new(None, None);
    m.start(0.0);
    let cmds = m.handle(1.0, Input::ConstructFailed);
    assert_eq!(breakage(&cmds).unwrap().trigger, Trigger::ConstructFailed);
    assert!(cmds.contains(&Command::Tier(Tier::Http)));
    // The next search goes straight to HTTP.
    let cmds = m.handle(500.0, Input::Search(sample_request()));
    assert!(has_search_call(&cmds));
    assert!(!cmds.iter().any(|c| matches!(c, Command::Send(_))));
}

#[test]
fn an_error_event_mid_search_fetches_only_what_is_missing() {
    let mut m = mid_search();
    let cmds = m.handle(1_100.0, Input::SocketError);
    assert!(!has_plan_call(&cmds), "the plan is known");
    assert_eq!(quotes(&cmds), ["5600", "4850"]);
    // The report waits for the `close` that follows, and carries what it says.
    assert!(breakage(&cmds).is_none());
    let cmds = m.handle(
        1_102.0,
        Input::SocketClosed {
            code: 1006,
            reason: String::new(),
            was_clean: false,
        },
    );
    let b = breakage(&cmds).unwrap();
    assert_eq!(b.trigger, Trigger::Error);
    assert_eq!((b.close_code, b.was_clean), (Some(1006), Some(false)));
    assert_eq!(b.products_outstanding, 2);
    assert_eq!(b.messages_received, 3);
    assert!(cmds.contains(&Command::CloseSocket));
}

#[test]
fn an_error_without_a_close_is_reported_after_a_short_wait() {
    let mut m = mid_search();
    m.handle(1_100.0, Input::SocketError);
    assert_eq!(m.next_deadline(), Some(1_100.0 + CLOSE_WAIT));
    assert!(breakage(&m.handle(1_200.0, Input::Tick)).is_none());
    let cmds = m.handle(1_100.0 + CLOSE_WAIT, Input::Tick);
    let b = breakage(&cmds).unwrap();
    assert_eq!((b.trigger, b.close_code), (Trigger::Error, None));
    assert!(cmds.contains(&Command::CloseSocket));
    // Reported once.
    assert!(breakage(&m.handle(1_400.0, Input::Tick)).is_none());
}

#[test]
fn a_close_with_any_code_before_done_is_a_breakage() {
    for (code, clean) in [(1005, true), (1006, false), (1000, true), (1011, true)] {
        let mut m = mid_search();
        let cmds = m.handle(
            1_200.0,
            Input::SocketClosed {
                code,
                reason: "bye".into(),
                was_clean: clean,
            },
        );
        let b = breakage(&cmds).expect("broken");
        assert_eq!(
            (b.trigger, b.close_code, b.was_clean),
            (Trigger::Closed, Some(code), Some(clean))
        );
        assert_eq!(b.close_reason, "bye");
        assert_eq!(b.ms_since_open, Some(1_190.0));
        assert_eq!(quotes(&cmds), ["5600", "4850"]);
    }
}

#[test]
fn a_close_while_the_probe_waits_for_its_pong_is_a_breakage() {
    let mut m = probing();
    let cmds = m.handle(
        6.0,
        Input::SocketClosed {
            code: 1006,
            reason: String::new(),
            was_clean: false,
        },
    );
    assert_eq!(breakage(&cmds).unwrap().trigger, Trigger::Closed);
    assert_eq!(m.tier(), Tier::Http);
}

#[test]
fn a_socket_not_open_within_three_seconds_is_broken() {
    let mut m = Machine::new(None, None);
    m.start(0.0);
    assert_eq!(m.next_deadline(), Some(OPEN_TIMEOUT));
    assert!(breakage(&m.handle(2_999.0, Input::Tick)).is_none());
    assert_eq!(
        breakage(&m.handle(3_000.0, Input::Tick)).unwrap().trigger,
        Trigger::OpenTimeout
    );
}

#[test]
fn a_missing_pong_is_silence() {
    let mut m = Machine::new(None, None);
    m.start(0.0);
    m.handle(10.0, Input::SocketOpened);
    assert_eq!(m.next_deadline(), Some(REPLY_TIMEOUT));
    let b = breakage(&m.handle(3_000.0, Input::Tick)).unwrap();
    assert_eq!(b.trigger, Trigger::PongTimeout);
    assert_eq!(b.ms_since_open, Some(2_990.0));
}

#[test]
fn an_idle_ping_every_thirty_seconds_keeps_checking() {
    let mut m = verified();
    assert_eq!(m.next_deadline(), Some(IDLE_PING_EVERY));
    let cmds = m.handle(IDLE_PING_EVERY, Input::Tick);
    assert_eq!(cmds, vec![Command::Send(ClientMessage::Ping { nonce: 2 })]);
    let b = breakage(&m.handle(IDLE_PING_EVERY + REPLY_TIMEOUT, Input::Tick)).unwrap();
    assert_eq!(b.trigger, Trigger::PongTimeout);
}

#[test]
fn a_late_accepted_hedges_at_once_with_the_pages_own_plan_then_breaks() {
    let mut m = searching();
    assert_eq!(m.next_deadline(), Some(1_000.0 + HEDGE));
    let cmds = m.handle(1_000.0 + HEDGE, Input::Tick);
    assert!(
        has_search_call(&cmds) && !has_plan_call(&cmds),
        "one stream admits and carries the search"
    );
    assert!(breakage(&cmds).is_none(), "a hedge alone is no breakage");
    // `accepted` is overdue: the cards do not wait a round trip for the server's plan.
    let plan = crate::plan::plan(&sample_request());
    assert_eq!(emitted(&cmds), vec![SearchEvent::Planned(plan.clone())]);
    assert!(quotes(&cmds).is_empty(), "the stream carries every product");
    let cmds = m.handle(1_310.0, stream_accepted(Places::default()));
    assert!(emitted(&cmds).is_empty() && quotes(&cmds).is_empty());
    let cmds = m.handle(4_000.0, Input::Tick);
    let b = breakage(&cmds).unwrap();
    assert_eq!(b.trigger, Trigger::AcceptedTimeout);
    assert!(quotes(&cmds).is_empty(), "nothing is asked twice");
}

#[test]
fn a_search_beside_a_probe_overdue_already_streams_at_once() {
    // A box that swallows frames: the probe's pong has not come for two seconds, the
    // verdict (3 s) is not due yet, and the customer searches.
    let mut m = probing();
    let cmds = m.handle(2_000.0, Input::Search(sample_request()));
    assert!(breakage(&cmds).is_none(), "no verdict before its deadline");
    assert!(
        matches!(cmds[0], Command::HttpSearch { .. }),
        "HTTP leaves first: {cmds:?}"
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Send(ClientMessage::Search { .. }))),
        "the socket may still answer"
    );
    // A socket still opening after the hedge delay is overdue too.
    let mut m = Machine::new(None, None);
    m.start(0.0);
    let cmds = m.handle(HEDGE, Input::Search(sample_request()));
    assert!(has_search_call(&cmds));
    // Just after the probe left it is not: the plan call goes first, no stream.
    let mut m = probing();
    let cmds = m.handle(HEDGE - 1.0, Input::Search(sample_request()));
    assert!(has_plan_call(&cmds) && !has_search_call(&cmds) && quotes(&cmds).is_empty());
}

#[test]
fn an_unverified_socket_races_http_from_the_start_and_the_first_answer_wins() {
    let mut m = probing();
    let cmds = m.handle(20.0, Input::Search(sample_request()));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Send(ClientMessage::Search { .. })))
    );
    assert!(has_plan_call(&cmds));
    m.handle(
        60.0,
        Input::HttpPlan {
            search_id: 1,
            result: Ok(server_plan(ids(&["5800", "5600"]))),
        },
    );
    let cmds = m.handle(
        90.0,
        Input::HttpOutcome {
            search_id: 1,
            product_id: ProductId::new("5800"),
            result: Ok(Outcome::Offer {
                offer: offer("5800"),
            }),
        },
    );
    assert_eq!(emitted(&cmds).len(), 1);
    // The socket wakes up late: its plan and its answer for 5800 are duplicates.
    let mut late = m.handle(
        100.0,
        Input::SocketMessage(ServerMessage::Accepted {
            search_id: 1,
            products: ids(&["5800", "5600"]),
            places: Places::default(),
        }),
    );
    late.extend(m.handle(
        101.0,
        Input::SocketMessage(ServerMessage::Offer {
            search_id: 1,
            offer: offer("5800"),
        }),
    ));
    assert!(
        emitted(&late).is_empty(),
        "late duplicates are dropped: {late:?}"
    );
    let cmds = m.handle(
        102.0,
        Input::SocketMessage(ServerMessage::Offer {
            search_id: 1,
            offer: offer("5600"),
        }),
    );
    assert_eq!(
        emitted(&cmds),
        vec![
            SearchEvent::Outcome(Outcome::Offer {
                offer: offer("5600")
            }),
            SearchEvent::Done
        ]
    );
    assert_eq!(m.tier(), Tier::Socket, "a socket that answers stays in use");
}

#[test]
fn silence_with_products_outstanding_is_a_breakage() {
    let mut m = mid_search();
    assert_eq!(m.next_deadline(), Some(1_030.0 + SILENCE_LIMIT));
    let b = breakage(&m.handle(1_030.0 + SILENCE_LIMIT, Input::Tick)).unwrap();
    assert_eq!(b.trigger, Trigger::Silence);
    assert_eq!(b.products_outstanding, 2);
}

#[test]
fn at_most_six_server_function_calls_are_in_flight() {
    // A hedge (the socket not verified yet) takes the server's plan, here a long one.
    let mut m = Machine::new(None, None);
    m.start(0.0);
    m.handle(1.0, Input::SocketOpened);
    let cmds = m.handle(0.0, Input::Search(sample_request()));
    assert!(has_plan_call(&cmds));
    let plan = ids(&["1", "2", "3", "4", "5", "6", "7", "8"]);
    let cmds = m.handle(
        1.0,
        Input::HttpPlan {
            search_id: 1,
            result: Ok(server_plan(plan)),
        },
    );
    assert_eq!(quotes(&cmds), ["1", "2", "3", "4", "5", "6"]);
    let cmds = m.handle(
        2.0,
        Input::HttpOutcome {
            search_id: 1,
            product_id: ProductId::new("3"),
            result: Err(ApiError::Server {
                message: "offline".into(),
            }),
        },
    );
    assert_eq!(quotes(&cmds), ["7"]);
    assert!(matches!(
        &emitted(&cmds)[0],
        SearchEvent::Outcome(Outcome::Unavailable {
            reason: UnavailableReason::UpstreamError,
            ..
        })
    ));
}

#[test]
fn a_remembered_fallback_stays_until_the_retry_time() {
    let mut m = Machine::new(None, Some(600_000.0));
    assert_eq!(m.start(0.0), vec![Command::Tier(Tier::Http)]);
    assert_eq!(m.tier(), Tier::Http);
    let cmds = m.handle(1_000.0, Input::Search(sample_request()));
    assert!(!cmds.contains(&Command::OpenSocket));
    // Ten minutes on, the socket is probed again while the search still uses HTTP.
    let cmds = m.handle(600_000.0, Input::Search(sample_request()));
    assert!(cmds.contains(&Command::OpenSocket));
    assert!(has_search_call(&cmds));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Command::Send(ClientMessage::Search { .. })))
    );
    m.handle(600_010.0, Input::SocketOpened);
    m.handle(
        600_020.0,
        Input::SocketMessage(ServerMessage::Pong { nonce: 1 }),
    );
    assert_eq!(m.tier(), Tier::Socket);
}

#[test]
fn a_new_search_cancels_the_old_and_ignores_its_answers() {
    let mut m = mid_search();
    let cmds = m.handle(1_100.0, Input::Search(sample_request()));
    assert_eq!(
        cmds[0],
        Command::Send(ClientMessage::Cancel { search_id: 1 })
    );
    let cmds = m.handle(
        1_110.0,
        Input::SocketMessage(ServerMessage::Offer {
            search_id: 1,
            offer: offer("5600"),
        }),
    );
    assert!(emitted(&cmds).is_empty());
}

#[test]
fn an_empty_plan_is_done_at_once() {
    let mut m = searching();
    let cmds = m.handle(
        1_010.0,
        Input::SocketMessage(ServerMessage::Accepted {
            search_id: 1,
            products: vec![],
            places: Places::default(),
        }),
    );
    assert_eq!(
        emitted(&cmds),
        vec![SearchEvent::Planned(vec![]), SearchEvent::Done]
    );
    assert_eq!(m.next_deadline(), Some(IDLE_PING_EVERY));
}

#[test]
fn hedge_delay_is_four_round_trips_but_at_least_300_ms() {
    assert_eq!(hedge_delay(None), 300.0);
    assert_eq!(hedge_delay(Some(20.0)), 300.0);
    assert_eq!(hedge_delay(Some(150.0)), 600.0);
}

#[test]
fn a_broken_socket_leaves_none_of_its_deadlines_behind() {
    let mut m = searching();
    assert_eq!(m.next_deadline(), Some(1_000.0 + HEDGE));
    let cmds = m.handle(
        1_100.0,
        Input::SocketClosed {
            code: 1006,
            reason: String::new(),
            was_clean: false,
        },
    );
    assert_eq!(breakage(&cmds).unwrap().trigger, Trigger::Closed);
    // HTTP carries the search now: no `accepted`, hedge or pong is awaited any more, only
    // the HTTP stream's first line.
    assert!(has_search_call(&cmds));
    assert_eq!(m.next_deadline(), Some(1_100.0 + MIN_STREAM_WAIT));
    m.handle(1_105.0, stream_accepted(Places::default()));
    assert_eq!(m.next_deadline(), None);
}

#[test]
fn a_fallback_report_is_plain_fields() {
    let b = Breakage {
        trigger: Trigger::Closed,
        close_code: Some(1006),
        close_reason: "gone".into(),
        was_clean: Some(false),
        ms_since_open: Some(1_234.4),
        messages_received: 3,
        products_outstanding: 2,
    };
    let (message, tags, extra) = b.report();
    let (tags, extra) = (by_name(tags), by_name(extra));
    assert_eq!(
        message,
        "live updates blocked, using HTTP (closed_before_done)"
    );
    assert_eq!(tags["trigger"], "closed_before_done");
    assert_eq!(tags["transport"], "http");
    assert_eq!(tags["close_code"], "1006");
    assert_eq!(tags["was_clean"], "false");
    assert_eq!(extra["close_reason"], "gone");
    assert_eq!(extra["ms_since_open"], "1234");
    assert_eq!(extra["messages_received"], "3");
    assert_eq!(extra["products_outstanding"], "2");
    let (_, tags, extra) = Breakage {
        close_code: None,
        was_clean: None,
        ms_since_open: None,
        ..b
    }
    .report();
    let (tags, extra) = (by_name(tags), by_name(extra));
    assert!(!tags.contains_key("close_code") && !tags.contains_key("was_clean"));
    assert_eq!(extra["ms_since_open"], "");
}

#[test]
fn an_error_then_a_busy_close_is_the_server_not_the_network() {
    // Chromium may fire `error` before the `close` of a socket the server refused with 1013.
    let mut m = probing();
    let cmds = m.handle(6.0, Input::SocketError);
    assert!(breakage(&cmds).is_none());
    assert_eq!(m.tier(), Tier::Http);
    let cmds = m.handle(
        8.0,
        Input::SocketClosed {
            code: close::TRY_AGAIN_LATER,
            reason: "too many connections from your network".into(),
            was_clean: false,
        },
    );
    assert!(breakage(&cmds).is_none(), "no report, no notice");
    assert!(cmds.contains(&Command::CloseSocket));
    assert!(breakage(&m.handle(1_000.0, Input::Tick)).is_none());
    // Searches go over HTTP until the server's minute is up, then the socket is tried again.
    let cmds = m.handle(30_000.0, Input::Search(sample_request()));
    assert!(!cmds.contains(&Command::OpenSocket));
    m.handle(30_010.0, Input::Cancel);
    let cmds = m.handle(8.0 + RETRY_BUSY_AFTER, Input::Search(sample_request()));
    assert!(cmds.contains(&Command::OpenSocket));
}

/// A report's fields by name; each name must come once (Sentry keeps one value per name).
fn by_name(
    fields: Vec<(&'static str, String)>,
) -> std::collections::BTreeMap<&'static str, String> {
    let n = fields.len();
    let map: std::collections::BTreeMap<_, _> = fields.into_iter().collect();
    assert_eq!(map.len(), n, "a field named twice");
    map
}

#[test]
fn a_longer_round_trip_timed_to_the_api_lengthens_the_waits_and_a_shorter_one_does_not() {
    // The page's load timed 5 ms; its warm-up to /api 560 ms (a slow network the navigation's
    // timings did not show): the stream is not judged held back before two of those.
    let mut m = Machine::new(Some(5.0), Some(f64::INFINITY));
    m.start(0.0);
    assert!(m.handle(500.0, Input::RoundTrip(560.0)).is_empty());
    m.handle(1_000.0, Input::Search(sample_request()));
    assert_eq!(m.next_deadline(), Some(1_000.0 + 1_120.0));
    let cmds = m.handle(1_000.0 + MIN_STREAM_WAIT, Input::Tick);
    assert!(
        quotes(&cmds).is_empty() && emitted(&cmds).is_empty(),
        "{cmds:?}"
    );
    m.handle(1_600.0, Input::RoundTrip(20.0));
    assert_eq!(
        m.next_deadline(),
        Some(1_000.0 + 1_120.0),
        "the longer one holds"
    );
    assert_eq!(hedge_delay(Some(560.0)), 2_240.0);
}
