//! Soak and load test (docs/architecture.md §9): many customers on sockets through loopback
//! against the release server, some vanishing mid-search, with a failing shipping guide.
//! Prints searches completed, outcomes lost (must be 0), errors, the latency the server adds
//! over the simulator's own (p50/p99), and the server's memory before, at peak and after.
//! Exits 1 if an outcome was lost or anything went wrong. Run it with `./scripts/soak`.

use promotions::guide::simulator::Simulator;
use promotions::stats::Health;
use soak::client::{self, Entry, Settings, Tally};
use soak::cluster::Cluster;
use soak::report::{megabytes, quantile};
use soak::server::Server;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const USAGE: &str = "\
soak [options]
  --sockets N          customers, one socket each            (default 1000)
  --seconds S          how long they keep searching          (default 60)
  --think A-B          ms between a customer's searches      (default 500-3000)
  --kill-rate P        share of searches abandoned mid-way   (default 0.05)
  --failure-rate P     GUIDE_FAILURE_RATE of the server      (default 0.2)
  --latency-scale X    GUIDE_LATENCY_SCALE of the server     (default 1)
  --quote-timeout S    GUIDE_TIMEOUT_SECS of the server      (default 3)
  --server PATH        server binary to start     (default target/release/promotions)
  --port N             port to start it on                   (default 3917)
  --attach HOST:PORT   use a running server instead (its settings must match the above)
  --cluster N          through the local deployment instead: nginx (TLS) in front of N
                       instances sharing Redis (scripts/cluster; build the release first)";

struct Options {
    sockets: u64,
    seconds: u64,
    think_ms: std::ops::Range<u64>,
    kill_rate: f64,
    failure_rate: f64,
    latency_scale: f64,
    quote_timeout: f64,
    server: String,
    port: u16,
    attach: Option<SocketAddr>,
    cluster: Option<u16>,
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        sockets: 1000,
        seconds: 60,
        think_ms: 500..3000,
        kill_rate: 0.05,
        failure_rate: 0.2,
        latency_scale: 1.0,
        quote_timeout: 3.0,
        server: "target/release/promotions".into(),
        port: 3917,
        attach: None,
        cluster: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let bad = || format!("{flag} {value}: not a valid value");
        match flag.as_str() {
            "--sockets" => o.sockets = value.parse().map_err(|_| bad())?,
            "--seconds" => o.seconds = value.parse().map_err(|_| bad())?,
            "--think" => {
                let (a, b) = value
                    .split_once('-')
                    .ok_or(format!("--think {value}: expected A-B"))?;
                o.think_ms = a.parse().map_err(|_| bad())?..b.parse().map_err(|_| bad())?;
                if o.think_ms.is_empty() {
                    return Err(format!("--think {value}: A must be below B"));
                }
            }
            "--kill-rate" => o.kill_rate = value.parse().map_err(|_| bad())?,
            "--failure-rate" => o.failure_rate = value.parse().map_err(|_| bad())?,
            "--latency-scale" => o.latency_scale = value.parse().map_err(|_| bad())?,
            "--quote-timeout" => o.quote_timeout = value.parse().map_err(|_| bad())?,
            "--server" => o.server = value,
            "--port" => o.port = value.parse().map_err(|_| bad())?,
            "--attach" => o.attach = Some(value.parse().map_err(|_| bad())?),
            "--cluster" => o.cluster = Some(value.parse().map_err(|_| bad())?),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(o)
}

#[tokio::main]
async fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let env = [
        ("GUIDE_FAILURE_RATE", o.failure_rate.to_string()),
        ("GUIDE_LATENCY_SCALE", o.latency_scale.to_string()),
        ("GUIDE_TIMEOUT_SECS", o.quote_timeout.to_string()),
        // One address plays every customer here: no per-client caps.
        ("MAX_SOCKETS_PER_IP", "0".into()),
        ("SEARCHES_PER_MINUTE", "0".into()),
        ("SEARCHES_PER_MINUTE_PER_ADDRESS", "0".into()),
        ("MAX_SOCKETS_PER_SESSION", "0".into()),
        ("NEW_SESSIONS_PER_MINUTE_PER_ADDRESS", "0".into()),
        ("RUST_LOG", "warn".into()),
    ];
    let cluster = o.cluster.map(|n| match Cluster::up(n, &env) {
        Ok(cluster) => cluster,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    });
    let single = match (&cluster, o.attach) {
        (Some(_), _) => None,
        (None, Some(addr)) => Some(Server::existing(addr)),
        (None, None) => {
            let addr = SocketAddr::from(([127, 0, 0, 1], o.port));
            let log = "target/soak-server.log";
            println!("server log: {log}");
            match Server::spawn(&o.server, addr, &env, log).await {
                Ok(s) => Some(s),
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
    };
    // The servers to watch, and where customers connect.
    let (servers, entry): (Vec<&Server>, Entry) = match (&cluster, &single) {
        (Some(c), _) => (
            c.instances.iter().collect(),
            Entry::tls(c.entry, &c.certificate()).expect("the cluster's certificate"),
        ),
        (None, Some(s)) => (vec![s], Entry::Plain(s.addr)),
        (None, None) => unreachable!(),
    };
    let health = || futures::future::join_all(servers.iter().map(|s| s.health()));
    let before: Vec<Health> = health()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("/healthz");
    let quote_timeout = Duration::from_secs_f64(o.quote_timeout);
    let settings = Arc::new(Settings {
        entry,
        until: Instant::now() + Duration::from_secs(o.seconds),
        think_ms: o.think_ms.clone(),
        kill_rate: o.kill_rate,
        simulator: Simulator::new(o.latency_scale, o.failure_rate),
        quote_timeout,
    });
    if let Some(c) = &cluster {
        println!(
            "through nginx (TLS) at https://{} to {} instances sharing Redis",
            c.entry,
            c.instances.len()
        );
    }
    println!(
        "soak: {} sockets for {} s, think {}-{} ms, kill rate {}, failure rate {}, latency scale {}, quote timeout {} s",
        o.sockets,
        o.seconds,
        o.think_ms.start,
        o.think_ms.end,
        o.kill_rate,
        o.failure_rate,
        o.latency_scale,
        o.quote_timeout
    );
    let started = Instant::now();
    let customers: Vec<_> = (0..o.sockets)
        .map(|n| {
            let settings = settings.clone();
            tokio::spawn(async move { client::customer(&settings, n + 1).await })
        })
        .collect();
    // Watch the servers (and nginx) while the customers run.
    let mut peak_rss: Vec<Option<u64>> = before.iter().map(|h| h.rss_bytes).collect();
    let (mut peak_sockets, mut peak_nginx) = (0, None);
    let watch = async {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now: Vec<_> = health().await.into_iter().flatten().collect();
            if now.len() == peak_rss.len() {
                for (peak, h) in peak_rss.iter_mut().zip(&now) {
                    *peak = (*peak).max(h.rss_bytes);
                }
                peak_sockets = peak_sockets.max(now.iter().map(|h| h.counters.sockets).sum());
            }
            peak_nginx = peak_nginx.max(cluster.as_ref().and_then(Cluster::nginx_rss));
        }
    };
    let all = futures::future::join_all(customers);
    let results = tokio::select! {
        results = all => results,
        _ = watch => unreachable!(),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let mut tally = Tally::default();
    for r in results {
        match r {
            Ok(t) => tally.merge(t),
            Err(e) => tally.errors.push(format!("customer task failed: {e}")),
        }
    }
    let mut after = Vec::new();
    for server in &servers {
        let h = server
            .idle(quote_timeout + Duration::from_secs(15))
            .await
            .expect("/healthz");
        if !h.counters.is_idle() {
            tally
                .errors
                .push(format!("server not idle afterwards: {h:?}"));
        }
        after.push(h);
    }
    tally.added_ms.sort_by(f64::total_cmp);
    tally.total_ms.sort_by(f64::total_cmp);
    println!(
        "searches completed     {:>8}  ({:.0}/s)",
        tally.completed,
        tally.completed as f64 / elapsed
    );
    println!("searches killed        {:>8}", tally.killed);
    println!("outcomes lost          {:>8}", tally.lost);
    println!("errors                 {:>8}", tally.errors.len());
    println!(
        "added latency          p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms  (search→done minus the simulator's own)",
        quantile(&tally.added_ms, 0.5),
        quantile(&tally.added_ms, 0.99),
        quantile(&tally.added_ms, 1.0)
    );
    println!(
        "search→done            p50 {:.1} ms, p99 {:.1} ms",
        quantile(&tally.total_ms, 0.5),
        quantile(&tally.total_ms, 0.99)
    );
    println!("server sockets peak    {:>8}", peak_sockets);
    for (n, ((b, peak), a)) in before.iter().zip(&peak_rss).zip(&after).enumerate() {
        let name = if servers.len() > 1 {
            format!("instance {}", n + 1)
        } else {
            "server".into()
        };
        println!(
            "{:<27}before {}, peak {}, after {}",
            format!("{name} memory (RSS)"),
            megabytes(b.rss_bytes),
            megabytes(*peak),
            megabytes(a.rss_bytes)
        );
        println!(
            "{:<27}before {}, after {}",
            format!("{name} tasks"),
            b.tasks,
            a.tasks
        );
    }
    if cluster.is_some() {
        println!("nginx memory (RSS)         peak {}", megabytes(peak_nginx));
    }
    let mut shown = std::collections::BTreeMap::<&str, usize>::new();
    for e in &tally.errors {
        *shown.entry(e.as_str()).or_default() += 1;
    }
    for (e, n) in shown.iter().take(10) {
        println!("  error ×{n}: {e}");
    }
    let failed = tally.lost > 0 || !tally.errors.is_empty();
    drop(cluster);
    if failed {
        std::process::exit(1);
    }
}
