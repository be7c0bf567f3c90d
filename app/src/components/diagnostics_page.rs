//! `/diagnostics`: the connection self-test. The server renders what it saw of the request
//! (enough without JavaScript); the hydrated page runs the checks in order, shows each result
//! as it comes, then the verdict, the advice and a support code sent with the full report.

use crate::components::site::{SiteFooter, SiteHeader};
use crate::diagnosis::seen::SeenRequest;
use crate::diagnosis::{Check, Finding, Grade, Verdict};
use crate::i18n::{Texts, W, use_texts};
use leptos::prelude::*;

/// The page's state while and after the checks run: one signal, so the page pays for the
/// reactive machinery of one type (every signal type costs the WASM bundle its own code).
#[derive(Clone, Debug, Default)]
struct Diagnosis {
    findings: Vec<(Check, Finding)>,
    running: Option<Check>,
    code: Option<String>,
    /// Set when every check is done.
    done: Option<Done>,
    /// Whether the last "copy details" worked.
    copied: Option<bool>,
}

#[derive(Clone, Debug)]
struct Done {
    verdict: Verdict,
    /// Written for the host and port the page came from.
    advice: String,
    report: String,
}

impl Diagnosis {
    fn finding(&self, check: Check) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|(c, _)| *c == check)
            .map(|(_, f)| f)
    }
}

type State = RwSignal<Diagnosis>;

/// The page's view, built when called (inside the app's owner, so its context and shared
/// values are the page's).
pub type View = fn() -> AnyView;

/// Its code is a WASM chunk of its own, loaded when the page is visited (`#[lazy]`, `cargo
/// leptos build --split`), so the search page's visitors never download it. Trunk's
/// client-side-rendered build cannot split WASM: there it is ordinary code.
#[cfg_attr(not(feature = "csr"), leptos::lazy(diagnostics))]
pub fn load() -> View {
    || view! { <DiagnosticsPage/> }.into_any()
}

lazy_page_now!(load);

#[component]
fn DiagnosticsPage() -> impl IntoView {
    // Read on the server, sent along with the HTML: the same table without JavaScript and
    // after hydration, and the proxy hints even when the page's own requests are blocked.
    let seen = crate::wire::shared(seen_by_server);
    let state = RwSignal::new(Diagnosis::default());
    let t = use_texts();
    let run_again = checks::start(t, state, seen.clone());

    view! {
        <SiteHeader/>
        <main class="page diagnostics">
            <section class="hero">
                <h1>{t.get(W::DiagTitle)}</h1>
                <p>{t.get(W::DiagLede)}</p>
            </section>
            <p class="no-js-note" data-testid="no-js-note">
                {t.get(W::DiagNoScript)}" "{t.get(W::DiagNoScriptSeen)}
            </p>
            <VerdictPanel state run_again/>
            <ol class="checks" aria-label=t.get(W::DiagChecks)>
                {Check::ALL.into_iter().map(|check| view! { <CheckRow check state/> }).collect_view()}
            </ol>
            <section class="seen">
                <h2>{t.get(W::DiagSeen)}</h2>
                <SeenTable seen/>
            </section>
        </main>
        <SiteFooter/>
    }
}

/// What the server saw of the page's own request; on the client only when it was not sent
/// along (a page rendered in the browser), then empty.
fn seen_by_server() -> SeenRequest {
    #[cfg(feature = "ssr")]
    {
        use crate::diagnosis::seen::{FrontProxy, from_headers};
        let front = use_context::<FrontProxy>().unwrap_or_default();
        if let Some(parts) = use_context::<http::request::Parts>() {
            let t = crate::i18n::use_texts();
            return from_headers(t, &parts.headers, front.client_ip_header.as_deref());
        }
    }
    SeenRequest::default()
}

/// The verdict, the advice, the support code and the report. One fixed structure whose text
/// changes (no branches between views: each branch type costs the bundle its own code).
#[component]
fn VerdictPanel(state: State, run_again: Callback<()>) -> impl IntoView {
    let t = use_texts();
    let done =
        move |f: fn(&Done) -> String| state.with(|s| s.done.as_ref().map(f).unwrap_or_default());
    let copy = move |_| {
        state.update(|s| s.copied = None);
        let report = done(|d| d.report.clone());
        checks::copy(report, move |ok| state.update(|s| s.copied = Some(ok)));
    };
    let finished = move || state.with(|s| s.done.is_some());
    view! {
        <section
            class="diagnosis"
            data-testid="diagnosis"
            data-verdict=move || state.with(|s| s.done.as_ref().map(|d| d.verdict.as_str()))
            aria-live="polite"
        >
            <h2>
                {move || state.with(|s| match &s.done {
                    Some(d) => d.verdict.headline(t),
                    None => t.get(W::DiagTesting),
                })}
            </h2>
            <p class="advice">
                {move || state.with(|s| match &s.done {
                    Some(d) => d.advice.clone(),
                    None => t.get(W::DiagKeepOpen).to_owned(),
                })}
            </p>
            <p class="support-code" hidden=move || state.with(|s| s.code.is_none())>
                {t.get(W::DiagSupportCode)}" "
                <strong data-testid="support-code">{move || state.with(|s| s.code.clone().unwrap_or_default())}</strong>
            </p>
            <div class="diagnosis-actions">
                <button
                    type="button"
                    class="button"
                    data-testid="copy-details"
                    disabled=move || !finished()
                    on:click=copy
                >
                    {move || match state.with(|s| s.copied) {
                        Some(true) => t.get(W::DiagCopied),
                        Some(false) => t.get(W::DiagCopyFailed),
                        None => t.get(W::DiagCopy),
                    }}
                </button>
                <button
                    type="button"
                    class="button secondary"
                    data-testid="run-again"
                    disabled=move || !finished()
                    on:click=move |_| run_again.run(())
                >
                    {t.get(W::DiagRunAgain)}
                </button>
            </div>
            <details
                class="report"
                hidden=move || !finished()
                open=move || state.with(|s| s.copied == Some(false))
            >
                <summary>{t.get(W::DiagFullReport)}</summary>
                <pre data-testid="report">{move || done(|d| d.report.clone())}</pre>
            </details>
        </section>
    }
}

#[component]
fn CheckRow(check: Check, state: State) -> impl IntoView {
    let t = use_texts();
    let with = move |f: fn(&Finding) -> String| state.with(|s| s.finding(check).map(f));
    let running = move || state.with(|s| s.running == Some(check));
    let status = move || {
        state
            .with(|s| {
                s.finding(check).map(|f| {
                    let grade = t.get(match f.grade {
                        Grade::Pass => W::GradePass,
                        Grade::Warn => W::GradeWarn,
                        Grade::Fail => W::GradeFail,
                    });
                    match f.ms {
                        Some(ms) => format!("{grade} · {ms} ms"),
                        None => grade.to_owned(),
                    }
                })
            })
            .unwrap_or_else(|| {
                t.get(if running() {
                    W::CheckRunning
                } else {
                    W::CheckWaiting
                })
                .to_owned()
            })
    };
    view! {
        <li
            class="check"
            data-check=check.name()
            data-result=move || state.with(|s| s.finding(check).map(|f| f.grade.as_str()))
            data-running=move || running().then_some("true")
        >
            <span class="check-mark" aria-hidden="true"></span>
            <div class="check-body">
                <div class="check-head">
                    <span class="check-title">{check.title(t)}</span>
                    <span class="check-status">{status}</span>
                </div>
                <p class="check-sentence">{move || with(|f| f.sentence.clone())}</p>
            </div>
        </li>
    }
}

#[component]
fn SeenTable(seen: SeenRequest) -> impl IntoView {
    let no_hints = seen.hints.is_empty();
    view! {
        <dl class="seen-headers" data-testid="seen-headers">
            {seen
                .headers
                .into_iter()
                .map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> })
                .collect_view()}
        </dl>
        <ul class="seen-hints" data-testid="proxy-hints" hidden=no_hints>
            {seen.hints.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}
        </ul>
    }
}

/// Runs the checks in the browser: once after hydration, and again on request.
#[cfg(feature = "client")]
mod checks {
    use super::*;
    use crate::diagnosis::run::{self, Observer};
    use crate::diagnosis::{Report, Site, finding_line, support_code};
    use crate::error_report::{Delivery, deliver};
    use crate::transport::driver::now;
    use futures::future::{Either, select};

    const REPORT_LIMIT_MS: f64 = 5_000.0;

    /// The runner reports into the page's state.
    struct Rows(State);

    impl Observer for Rows {
        fn started(&self, check: Check) {
            self.0.update(|s| s.running = Some(check));
        }

        fn finished(&self, check: Check, finding: Finding) {
            self.0.update(|s| {
                s.findings.push((check, finding));
                s.running = None;
            });
        }
    }

    pub fn start(t: Texts, state: State, seen: SeenRequest) -> Callback<()> {
        let go = move || {
            let seen = seen.clone();
            leptos::task::spawn_local(run_all(t, state, seen))
        };
        let first = go.clone();
        Effect::new(move |_| first());
        Callback::new(move |()| go())
    }

    async fn run_all(t: Texts, state: State, page_seen: SeenRequest) {
        let code = support_code(js_sys::Math::random);
        state.set(Diagnosis {
            code: Some(code.clone()),
            ..Default::default()
        });
        let rows = Rows(state);
        let location = window().location();
        let site = Site::new(
            &location.protocol().unwrap_or_default(),
            &location.host().unwrap_or_default(),
        );
        let outcome = run::run(t, page_seen, &rows).await;
        let when = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        let page = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        let browser = window().navigator().user_agent().unwrap_or_default();
        let report = |findings: &[(Check, Finding)]| {
            Report {
                code: &code,
                verdict: outcome.verdict,
                when: &when,
                page: &page,
                browser: &browser,
                findings,
                seen: &outcome.seen,
            }
            .text()
        };

        rows.started(Check::ErrorReporting);
        let start = now();
        let delivery = send(
            &code,
            outcome.verdict,
            &outcome.findings,
            report(&outcome.findings),
        );
        let delivery = match select(Box::pin(delivery), Box::pin(run::sleep(REPORT_LIMIT_MS))).await
        {
            Either::Left((delivery, _)) => Some(delivery),
            Either::Right(_) => None,
        };
        rows.finished(
            Check::ErrorReporting,
            reporting(t, delivery).timed(now() - start),
        );

        let done = Done {
            verdict: outcome.verdict,
            advice: outcome.verdict.advice(t, &site),
            report: state.with_untracked(|s| report(&s.findings)),
        };
        state.update(|s| s.done = Some(done));
    }

    /// The whole report as one Sentry event, found by its `support_code` tag.
    async fn send(
        code: &str,
        verdict: Verdict,
        findings: &[(Check, Finding)],
        report: String,
    ) -> Delivery {
        let mut tags = vec![
            ("support_code", code.to_owned()),
            ("verdict", verdict.as_str().to_owned()),
        ];
        let mut extra = vec![("report", report)];
        for (check, finding) in findings {
            tags.push((check.name(), finding.grade.as_str().to_owned()));
            extra.push((check.name(), finding_line(finding)));
        }
        let value = format!("{code}: {}", verdict.as_str());
        deliver("ConnectivityTest", &value, tags, extra).await
    }

    /// `None`: no answer within the limit.
    fn reporting(t: Texts, delivery: Option<Delivery>) -> Finding {
        let Some(delivery) = delivery else {
            return Finding::new(Grade::Fail, t.get(W::ReportSlow));
        };
        match delivery {
            Delivery::Answered(200..=299) => Finding::new(Grade::Pass, t.get(W::ReportSent)),
            Delivery::Off | Delivery::Answered(404) => {
                Finding::new(Grade::Warn, t.get(W::ReportOff))
            }
            Delivery::Answered(429) => Finding::new(Grade::Warn, t.get(W::ReportTooMany)),
            Delivery::Answered(status) => Finding::new(
                Grade::Fail,
                t.fill(W::ReportRefused, &[("status", &status.to_string())]),
            ),
            Delivery::Unreachable => Finding::new(Grade::Fail, t.get(W::ReportUnsent)),
        }
    }

    /// Puts `text` on the clipboard; `done(false)` when the browser refuses.
    pub fn copy(text: String, done: impl FnOnce(bool) + 'static) {
        let promise = window().navigator().clipboard().write_text(&text);
        leptos::task::spawn_local(async move {
            done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
        });
    }
}

#[cfg(not(feature = "client"))]
mod checks {
    use super::*;

    /// The server renders the page; the checks run in the browser.
    pub fn start(_: Texts, _: State, _: SeenRequest) -> Callback<()> {
        Callback::new(|_| {})
    }

    pub fn copy(_: String, _: impl FnOnce(bool) + 'static) {}
}
