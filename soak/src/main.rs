//! Soak and load test (docs/architecture.md §9): many customers on sockets through loopback
//! against the release server, some vanishing mid-search, with a failing shipping guide.
//! Prints searches completed, outcomes lost (must be 0), errors, the latency the server adds
//! over the simulator's own (p50/p99), and the server's memory before, at peak and after.
//! Exits 1 if an outcome was lost or anything went wrong. Run it with `./scripts/soak`.

use clap::Parser;
use promotions::guide::simulator::Simulator;
use soak::client::{self, Settings, Tally};
use soak::cluster::Cluster;
use soak::idle;
use soak::link::Entry;
use soak::report::{megabytes, quantile};
use soak::server::{Reading, Server};
use soak::socketio;
use std::net::SocketAddr;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Soak and load test: customers on sockets through loopback against the release server, some
/// vanishing mid-search, with a failing shipping guide; idle sockets beside them if asked.
#[derive(Parser)]
#[command(name = "soak")]
struct Options {
    /// Customers, one socket each, searching all along.
    #[arg(long, default_value_t = 1000)]
    sockets: u64,
    /// Idle sockets beside them, opened before the customers start and held to the end (from
    /// 127.R.1.1, 127.R.1.2, … (R the run's own), 20,000 per source address: ports run out).
    #[arg(long, default_value_t = 0)]
    idle: u64,
    /// How long the customers keep searching.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Milliseconds between a customer's searches, A-B.
    #[arg(long, default_value = "500-3000", value_parser = think)]
    think: Range<u64>,
    /// Share of searches abandoned mid-way (the socket closed).
    #[arg(long, default_value_t = 0.05, value_parser = share)]
    kill_rate: f64,
    /// GUIDE_FAILURE_RATE of the server.
    #[arg(long, default_value_t = 0.2, value_parser = share)]
    failure_rate: f64,
    /// GUIDE_LATENCY_SCALE of the server.
    #[arg(long, default_value_t = 1.0)]
    latency_scale: f64,
    /// GUIDE_TIMEOUT_SECS of the server.
    #[arg(long, default_value_t = 3.0)]
    quote_timeout: f64,
    /// The server binary to start.
    #[arg(long, default_value = "target/release/promotions")]
    server: String,
    /// The port to start it on.
    #[arg(long, default_value_t = 3917)]
    port: u16,
    /// Use a running server instead (its settings must match the above).
    #[arg(long, value_name = "HOST:PORT")]
    attach: Option<SocketAddr>,
    /// Through the local deployment instead: nginx (TLS) in front of N instances sharing
    /// Redis (scripts/cluster; build the release first).
    #[arg(long, value_name = "N", conflicts_with = "attach")]
    cluster: Option<u16>,
    /// Against the Socket.IO yardstick instead (soak/socketio: `npm ci` there first), which
    /// replays the simulator's answers at latency 0: needs --latency-scale 0 --failure-rate 0.
    #[arg(long, conflicts_with_all = ["attach", "cluster"])]
    socketio: bool,
}

fn think(value: &str) -> Result<Range<u64>, String> {
    let (a, b) = value.split_once('-').ok_or("expected A-B")?;
    let range =
        a.parse().map_err(|_| "A: not a number")?..b.parse().map_err(|_| "B: not a number")?;
    if range.is_empty() {
        return Err("A must be below B".into());
    }
    Ok(range)
}

fn share(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("a share from 0 to 1".into()),
    }
}

#[tokio::main]
async fn main() {
    let o = Options::parse();
    if o.socketio && (o.latency_scale != 0.0 || o.failure_rate != 0.0) {
        eprintln!(
            "--socketio replays answers at latency 0: add --latency-scale 0 --failure-rate 0"
        );
        std::process::exit(2);
    }
    // RUST_LOG is left alone: the server logs at its default level, as deployed.
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
            let started = if o.socketio {
                match socketio::answers().await {
                    Ok(answers) => Server::socket_io(addr, &answers, log).await,
                    Err(e) => Err(e),
                }
            } else {
                Server::spawn(&o.server, addr, &env, log).await
            };
            match started {
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
        (None, Some(s)) if o.socketio => (vec![s], Entry::SocketIo(s.addr)),
        (None, Some(s)) => (vec![s], Entry::Plain(s.addr)),
        (None, None) => unreachable!(),
    };
    let health = || futures::future::join_all(servers.iter().map(|s| s.health()));
    let before: Vec<Reading> = health()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("/healthz");
    let quote_timeout = Duration::from_secs_f64(o.quote_timeout);
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
        o.think.start,
        o.think.end,
        o.kill_rate,
        o.failure_rate,
        o.latency_scale,
        o.quote_timeout
    );
    // The idle sockets first, all open before the customers start; the server's memory with
    // them alone says what an idle socket costs.
    let idle = match (&entry, o.idle) {
        (_, 0) => None,
        (Entry::Plain(_) | Entry::SocketIo(_), n) => {
            let idle = idle::open(&entry, n).await;
            let rss = health()
                .await
                .into_iter()
                .flatten()
                .next()
                .and_then(|h| h.rss_bytes);
            let per_socket = match (rss, before[0].rss_bytes) {
                (Some(now), Some(b)) => now.saturating_sub(b) as f64 / idle.opened.max(1) as f64,
                _ => f64::NAN,
            };
            println!(
                "idle sockets           {:>8} opened in {:.1} s, {} failed; server RSS {}, {:.1} kB per idle socket",
                idle.opened,
                idle.took.as_secs_f64(),
                idle.failed,
                megabytes(rss),
                per_socket / 1000.0
            );
            Some(idle)
        }
        (Entry::Tls { .. }, _) => {
            eprintln!("--idle runs against one server, not --cluster");
            std::process::exit(2);
        }
    };
    let settings = Arc::new(Settings {
        entry,
        until: Instant::now() + Duration::from_secs(o.seconds),
        think_ms: o.think.clone(),
        kill_rate: o.kill_rate,
        simulator: Simulator::new(o.latency_scale, o.failure_rate),
        quote_timeout,
    });
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
                peak_sockets = peak_sockets.max(now.iter().map(|h| h.sockets).sum());
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
    if let Some(idle) = idle {
        tally.errors.extend(idle.close().await);
    }
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
        if !h.idle {
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
        if let (Some(b), Some(a)) = (b.tasks, a.tasks) {
            println!("{:<27}before {b}, after {a}", format!("{name} tasks"));
        }
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
    if let Some(server) = single {
        server.stop().await;
    }
    drop(cluster);
    if failed {
        std::process::exit(1);
    }
}
