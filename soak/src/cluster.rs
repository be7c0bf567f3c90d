//! The local deployment (`scripts/cluster`) as the soak's server: nginx with TLS in front of
//! the instances, each watched through its own `/healthz`, and nginx's memory from `/proc`.

use crate::server::Server;
use promotions::stats::resident_bytes;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    /// Where customers connect: nginx.
    pub entry: SocketAddr,
    pub instances: Vec<Server>,
    dir: PathBuf,
}

impl Cluster {
    /// `scripts/cluster up --no-build` with these variables for the instances.
    pub fn up(instances: u16, env: &[(&str, String)]) -> Result<Cluster, String> {
        let status = Command::new("scripts/cluster")
            .args(["up", "--no-build"])
            .env("CLUSTER_INSTANCES", instances.to_string())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .status()
            .map_err(|e| format!("scripts/cluster: {e}"))?;
        if !status.success() {
            return Err(format!("scripts/cluster up failed: {status}"));
        }
        Ok(Cluster {
            entry: SocketAddr::from(([127, 0, 0, 1], 8443)),
            instances: (0..instances)
                .map(|n| Server::existing(SocketAddr::from(([127, 0, 0, 1], 3201 + n))))
                .collect(),
            dir: PathBuf::from("target/cluster"),
        })
    }

    pub fn certificate(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }

    /// nginx's resident memory, master and workers together.
    pub fn nginx_rss(&self) -> Option<u64> {
        let master: u32 = std::fs::read_to_string(self.dir.join("nginx.pid"))
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let mut total = resident_bytes(&master.to_string())?;
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if parent(pid) == Some(master) {
                total += resident_bytes(&pid.to_string()).unwrap_or(0);
            }
        }
        Some(total)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("scripts/cluster").arg("down").status();
    }
}

fn parent(pid: u32) -> Option<u32> {
    let stat =
        std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat")).ok()?;
    // After the command name in parentheses: state, then the parent's PID.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
