//! The connection self-test of `/diagnostics`: which checks run, how each is graded, the
//! verdict they add up to, the advice that goes with it and the report support reads.
//! The browser runs the checks (`run`); the server says what it saw of the request (`seen`).

#[cfg(feature = "client")]
pub mod run;
pub mod seen;

use crate::i18n::{Texts, W};
use std::fmt::Write;

/// The checks, in the order the page runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    WebsocketOpen,
    WebsocketEcho,
    WebsocketStream,
    ServerFunction,
    ProxyHints,
    ErrorReporting,
}

impl Check {
    pub const ALL: [Check; 6] = [
        Check::WebsocketOpen,
        Check::WebsocketEcho,
        Check::WebsocketStream,
        Check::ServerFunction,
        Check::ProxyHints,
        Check::ErrorReporting,
    ];

    /// The name in `data-check`, in the report and in the Sentry event.
    pub fn name(self) -> &'static str {
        match self {
            Check::WebsocketOpen => "websocket-open",
            Check::WebsocketEcho => "websocket-echo",
            Check::WebsocketStream => "websocket-stream",
            Check::ServerFunction => "server-function",
            Check::ProxyHints => "proxy-hints",
            Check::ErrorReporting => "error-reporting",
        }
    }

    pub fn title(self, t: Texts) -> &'static str {
        t.get(match self {
            Check::WebsocketOpen => W::CheckOpen,
            Check::WebsocketEcho => W::CheckEcho,
            Check::WebsocketStream => W::CheckStream,
            Check::ServerFunction => W::CheckHttp,
            Check::ProxyHints => W::CheckSeen,
            Check::ErrorReporting => W::CheckReport,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grade {
    Pass,
    Warn,
    Fail,
}

impl Grade {
    /// The value of `data-result`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Pass => "pass",
            Grade::Warn => "warn",
            Grade::Fail => "fail",
        }
    }
}

/// One check's result: its grade, a plain sentence and how long it took.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub grade: Grade,
    pub sentence: String,
    pub ms: Option<u32>,
}

impl Finding {
    pub fn new(grade: Grade, sentence: impl Into<String>) -> Self {
        Self {
            grade,
            sentence: sentence.into(),
            ms: None,
        }
    }

    pub fn timed(self, ms: f64) -> Self {
        Self {
            ms: Some(ms.max(0.0).round() as u32),
            ..self
        }
    }
}

/// What the checks add up to, from the customer's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    WebsocketBlocked,
    /// The socket opens and answers, but a stream is cut or held back on the way.
    WebsocketInterrupted,
    HttpBlocked,
    Offline,
}

impl Verdict {
    /// The value of `data-verdict`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::WebsocketBlocked => "websocket-blocked",
            Verdict::WebsocketInterrupted => "websocket-interrupted",
            Verdict::HttpBlocked => "http-blocked",
            Verdict::Offline => "offline",
        }
    }

    /// The headline for the customer.
    pub fn headline(self, t: Texts) -> &'static str {
        t.get(match self {
            Verdict::Ok => W::VerdictOk,
            Verdict::WebsocketBlocked => W::VerdictBlocked,
            Verdict::WebsocketInterrupted => W::VerdictInterrupted,
            Verdict::HttpBlocked => W::VerdictHttpBlocked,
            Verdict::Offline => W::VerdictOffline,
        })
    }

    /// What to do about it; `site` is where the page was loaded from.
    pub fn advice(self, t: Texts, site: &Site) -> String {
        let Site { host, port, secure } = site;
        let word = match self {
            Verdict::Ok => W::AdviceOk,
            Verdict::WebsocketBlocked => W::AdviceBlocked,
            Verdict::WebsocketInterrupted => W::AdviceInterrupted,
            Verdict::HttpBlocked => W::AdviceHttpBlocked,
            Verdict::Offline => W::AdviceOffline,
        };
        t.fill(
            word,
            &[
                ("host", host),
                ("port", &port.to_string()),
                ("ws", if *secure { "wss" } else { "ws" }),
                ("http", if *secure { "https" } else { "http" }),
                ("path", crate::protocol::SOCKET_PATH),
            ],
        )
    }
}

/// Where the page was loaded from: the host and port IT has to allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub host: String,
    pub port: u16,
    pub secure: bool,
}

impl Site {
    /// From `location.protocol` and `location.host` (`host` may carry a port).
    pub fn new(protocol: &str, host: &str) -> Self {
        let secure = protocol == "https:";
        let default = if secure { 443 } else { 80 };
        // `[::1]:8443` or `example.com:8443`; without a port, the scheme's.
        let split = if host.starts_with('[') {
            host.find("]:").map(|i| i + 1)
        } else {
            host.rfind(':')
        };
        let (name, port) = match split {
            Some(i) => (&host[..i], host[i + 1..].parse().unwrap_or(default)),
            None => (host, default),
        };
        Self {
            host: name.to_owned(),
            port,
            secure,
        }
    }
}

/// The verdict of the checks found so far: a failed check decides it; later checks that did
/// not run do not matter.
pub fn verdict(findings: &[(Check, Finding)], online: bool) -> Verdict {
    let failed = |check| {
        findings
            .iter()
            .any(|(c, f)| *c == check && f.grade == Grade::Fail)
    };
    let socket_broken = failed(Check::WebsocketOpen) || failed(Check::WebsocketEcho);
    let http_broken = failed(Check::ServerFunction);
    if !online || (socket_broken && http_broken) {
        Verdict::Offline
    } else if http_broken {
        Verdict::HttpBlocked
    } else if socket_broken {
        Verdict::WebsocketBlocked
    } else if failed(Check::WebsocketStream) {
        Verdict::WebsocketInterrupted
    } else {
        Verdict::Ok
    }
}

/// Grades a probe stream from its frames' arrival times (ms after the probe was sent) and,
/// when it ended early, why. Frames that all arrive within half the time they were sent over
/// were held back on the way and delivered together.
pub fn stream_finding(t: Texts, arrivals: &[f64], broken: Option<&str>) -> Finding {
    use crate::protocol::{PROBE_EVERY_MS, PROBE_FRAMES};
    let of = PROBE_FRAMES as usize;
    let got = arrivals.len();
    let of_text = of.to_string();
    if let Some(why) = broken.filter(|_| got < of) {
        let parts = [
            ("got", got.to_string()),
            ("of", of_text),
            ("why", why.to_owned()),
        ];
        let parts: Vec<(&str, &str)> = parts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        return Finding::new(Grade::Fail, t.fill(W::FoundStreamBroke, &parts));
    }
    let sent_over = (PROBE_EVERY_MS * (PROBE_FRAMES as u64 - 1)) as f64;
    let spread = arrivals
        .last()
        .zip(arrivals.first())
        .map_or(0.0, |(l, f)| l - f);
    if spread < sent_over / 2.0 {
        return Finding::new(Grade::Warn, t.fill(W::FoundStreamHeld, &[("of", &of_text)]));
    }
    // Tenths of a second by integer arithmetic: float formatting costs the bundle ~10 kB.
    let tenths = (spread / 100.0).round() as u32;
    let seconds = format!(
        "{}{}{}",
        tenths / 10,
        t.get(W::DecimalSeparator),
        tenths % 10
    );
    Finding::new(
        Grade::Pass,
        t.fill(W::FoundStreamOk, &[("of", &of_text), ("seconds", &seconds)]),
    )
}

/// Characters of a support code: no 0/O, 1/I/L or U/V to confuse on the phone.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
pub const CODE_LEN: usize = 7;

/// A support code from a source of uniform numbers in `[0, 1)` (`Math.random` in the browser).
pub fn support_code(mut random: impl FnMut() -> f64) -> String {
    (0..CODE_LEN)
        .map(|_| {
            let i = (random() * CODE_ALPHABET.len() as f64) as usize;
            CODE_ALPHABET[i.min(CODE_ALPHABET.len() - 1)] as char
        })
        .collect()
}

/// Everything support needs, as plain text: for the clipboard and for the Sentry event.
pub struct Report<'a> {
    pub code: &'a str,
    pub verdict: Verdict,
    pub when: &'a str,
    pub page: &'a str,
    pub browser: &'a str,
    pub findings: &'a [(Check, Finding)],
    pub seen: &'a seen::SeenRequest,
}

impl Report<'_> {
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Fjordpost connection test");
        let _ = writeln!(out, "Support code: {}", self.code);
        let _ = writeln!(out, "Verdict: {}", self.verdict.as_str());
        let _ = writeln!(out, "Time: {}", self.when);
        let _ = writeln!(out, "Page: {}", self.page);
        let _ = writeln!(out, "Browser: {}", self.browser);
        for (check, f) in self.findings {
            let _ = writeln!(out, "{}: {}", check.name(), finding_line(f));
        }
        let _ = writeln!(out, "Server saw:");
        for (name, value) in &self.seen.headers {
            let _ = writeln!(out, "  {name}: {value}");
        }
        for hint in &self.seen.hints {
            let _ = writeln!(out, "  hint: {hint}");
        }
        out
    }
}

/// `pass 12 ms: The live connection opened.`
pub fn finding_line(f: &Finding) -> String {
    match f.ms {
        Some(ms) => format!("{} {ms} ms: {}", f.grade.as_str(), f.sentence),
        None => format!("{}: {}", f.grade.as_str(), f.sentence),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn en() -> Texts {
        Texts::new(Lang::En, false)
    }

    fn with(grades: &[(Check, Grade)]) -> Vec<(Check, Finding)> {
        grades
            .iter()
            .map(|(c, g)| (*c, Finding::new(*g, "")))
            .collect()
    }

    #[test]
    fn the_first_broken_layer_decides_the_verdict() {
        use Check::*;
        use Grade::*;
        let all_pass: Vec<_> = Check::ALL.iter().map(|c| (*c, Pass)).collect();
        assert_eq!(verdict(&with(&all_pass), true), Verdict::Ok);
        let cases = [
            (
                vec![(WebsocketOpen, Fail), (ServerFunction, Pass)],
                Verdict::WebsocketBlocked,
            ),
            (
                vec![
                    (WebsocketOpen, Pass),
                    (WebsocketEcho, Fail),
                    (ServerFunction, Pass),
                ],
                Verdict::WebsocketBlocked,
            ),
            (
                vec![
                    (WebsocketEcho, Pass),
                    (WebsocketStream, Fail),
                    (ServerFunction, Pass),
                ],
                Verdict::WebsocketInterrupted,
            ),
            (
                vec![
                    (WebsocketStream, Warn),
                    (ServerFunction, Pass),
                    (ProxyHints, Warn),
                ],
                Verdict::Ok,
            ),
            (
                vec![(WebsocketEcho, Pass), (ServerFunction, Fail)],
                Verdict::HttpBlocked,
            ),
            (
                vec![(WebsocketOpen, Fail), (ServerFunction, Fail)],
                Verdict::Offline,
            ),
            (vec![(ErrorReporting, Fail)], Verdict::Ok),
        ];
        for (grades, expected) in cases {
            assert_eq!(verdict(&with(&grades), true), expected, "{grades:?}");
        }
        assert_eq!(verdict(&with(&all_pass), false), Verdict::Offline);
    }

    #[test]
    fn a_stream_is_cut_held_back_or_streamed() {
        use crate::protocol::{PROBE_EVERY_MS, PROBE_FRAMES};
        let streamed: Vec<f64> = (0..PROBE_FRAMES)
            .map(|i| 5.0 + (i as u64 * PROBE_EVERY_MS) as f64)
            .collect();
        let pass = stream_finding(en(), &streamed, None);
        assert_eq!(pass.grade, Grade::Pass);
        assert_eq!(
            pass.sentence,
            "All 12 frames arrived as they were sent, over 2.8 s."
        );
        let buffered = vec![2800.0; PROBE_FRAMES as usize];
        assert_eq!(stream_finding(en(), &buffered, None).grade, Grade::Warn);
        let cut = stream_finding(en(), &streamed[..1], Some("code 1006, not clean"));
        assert_eq!(cut.grade, Grade::Fail);
        assert!(
            cut.sentence
                .starts_with("The stream broke after 1 of 12 frames (code 1006"),
            "{}",
            cut.sentence
        );
        // A close after the last frame is no break.
        assert_eq!(
            stream_finding(en(), &streamed, Some("code 1000, clean")).grade,
            Grade::Pass
        );
    }

    #[test]
    fn the_verdicts_speak_bokmal_too() {
        let nb = Texts::new(Lang::Nb, false);
        let site = Site::new("https:", "fjordpost.example");
        assert_eq!(
            Verdict::WebsocketBlocked.headline(nb),
            "Nettverket ditt blokkerer direkteforbindelser"
        );
        let advice = Verdict::WebsocketBlocked.advice(nb, &site);
        assert!(advice.contains("fjordpost.example på port 443"), "{advice}");
        assert_eq!(
            Check::WebsocketOpen.title(nb),
            "Direkteforbindelsen åpner seg"
        );
        let streamed: Vec<f64> = (0..12).map(|i| f64::from(i) * 250.0).collect();
        assert_eq!(
            stream_finding(nb, &streamed, None).sentence,
            "Alle 12 meldingene kom slik de ble sendt, over 2,8 s."
        );
    }

    #[test]
    fn advice_names_the_host_and_port_to_allow() {
        let site = Site::new("https:", "fjordpost.example");
        assert_eq!(site.port, 443);
        let advice = Verdict::WebsocketBlocked.advice(en(), &site);
        assert!(advice.contains("fjordpost.example on port 443"), "{advice}");
        assert!(
            advice.contains("wss://fjordpost.example/ws/promotions"),
            "{advice}"
        );
        let local = Site::new("http:", "127.0.0.1:4101");
        assert_eq!(
            (local.host.as_str(), local.port, local.secure),
            ("127.0.0.1", 4101, false)
        );
        assert!(
            Verdict::WebsocketInterrupted
                .advice(en(), &local)
                .contains("ws://127.0.0.1/ws/promotions (port 4101)")
        );
        assert!(
            Verdict::HttpBlocked
                .advice(en(), &local)
                .contains("http://127.0.0.1/api/ on port 4101")
        );
        assert_eq!(Site::new("https:", "[::1]:8443").port, 8443);
        assert_eq!(Site::new("https:", "[::1]").port, 443);
    }

    #[test]
    fn support_codes_avoid_look_alikes_and_cover_the_alphabet() {
        for bad in b"01OILUV" {
            assert!(!CODE_ALPHABET.contains(bad), "{}", *bad as char);
        }
        let mut x = 0.0;
        let code = support_code(|| {
            x += 0.999 / CODE_LEN as f64;
            x
        });
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
        assert_eq!(support_code(|| 0.0), "2222222");
        // Math.random never returns 1, but a source that does still gives a valid code.
        assert_eq!(support_code(|| 1.0), "ZZZZZZZ");
    }

    #[test]
    fn the_report_lists_every_finding_and_what_the_server_saw() {
        let findings = vec![
            (
                Check::WebsocketOpen,
                Finding::new(Grade::Pass, "The live connection opened.").timed(12.4),
            ),
            (
                Check::WebsocketEcho,
                Finding::new(Grade::Fail, "No answer within 3 s.").timed(3000.0),
            ),
            (
                Check::ProxyHints,
                Finding::new(Grade::Warn, "A proxy announced itself."),
            ),
        ];
        let seen = seen::SeenRequest {
            headers: vec![("Via".into(), "1.1 corp-proxy".into())],
            hints: vec!["Via: 1.1 corp-proxy".into()],
        };
        let text = Report {
            code: "K7MX4QP",
            verdict: Verdict::WebsocketBlocked,
            when: "2026-12-01T10:00:00.000Z",
            page: "https://fjordpost.example/diagnostics",
            browser: "Chrome",
            findings: &findings,
            seen: &seen,
        }
        .text();
        for line in [
            "Support code: K7MX4QP",
            "Verdict: websocket-blocked",
            "websocket-open: pass 12 ms: The live connection opened.",
            "websocket-echo: fail 3000 ms: No answer within 3 s.",
            "proxy-hints: warn: A proxy announced itself.",
            "  Via: 1.1 corp-proxy",
            "  hint: Via: 1.1 corp-proxy",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line:?} missing from\n{text}"
            );
        }
    }
}
