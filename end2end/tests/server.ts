// Processes a test starts itself, stopped with the test's worker: a second server (the release
// binary scripts/test built) with its own settings, and the simulator served in Bring's format.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");

export type Server = { url: string; stop: () => void };

/** Starts `binary` and waits until `url + ready` answers 200. */
async function startProcess(binary: string, args: string[], env: NodeJS.ProcessEnv, url: string, ready: string): Promise<Server> {
  const child: ChildProcess = spawn(binary, args, {
    cwd: ROOT, // the server serves target/site like the main one
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${binary} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}${ready}`)).ok) return { url, stop: () => child.kill() };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`${binary} on ${url} did not answer within 10 s`);
}

/** A fresh directory for a server's embedded database, under target/e2e-tmp (scripts/e2e empties it). */
export function dataDir(): string {
  const parent = path.join(TARGET, "e2e-tmp");
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, "data-"));
}

/** The release server with these settings (its bookings in a fresh directory unless `DATA_DIR` is given). */
export async function startServer(port: number, env: Record<string, string>): Promise<Server> {
  const { SENTRY_DSN: _, ...inherited } = process.env; // its errors are not the subject here
  const url = `http://127.0.0.1:${port}`;
  return startProcess(
    path.join(TARGET, "release", "promotions"),
    [],
    { ...inherited, LEPTOS_OUTPUT_NAME: "promotions", LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, ...env, DATA_DIR: env.DATA_DIR ?? dataDir() },
    url,
    "/healthz",
  );
}

/** The built-in simulator answering in Bring's Shipping Guide API format (`cargo build` builds it). */
export async function startBringSimulator(port: number, args: string[] = []): Promise<Server> {
  const url = `http://127.0.0.1:${port}`;
  return startProcess(path.join(TARGET, "debug", "bring-simulator"), ["--addr", `127.0.0.1:${port}`, ...args], process.env, url, "/stats");
}

/**
 * The release server on Bring's APIs — the Shipping Guide, and with `BRING_CUSTOMER_NUMBER` in
 * `env` the Pickup Point and Booking APIs too — all served by a bring-simulator of its own.
 */
export async function startOnBring(
  port: number,
  bringPort: number,
  env: Record<string, string> = {},
): Promise<{ server: Server; bring: Server; stop: () => void }> {
  const bring = await startBringSimulator(bringPort, ["--latency-scale", "0.1"]);
  const server = await startServer(port, {
    BRING_API_UID: "shop@example.com",
    BRING_API_KEY: "e2e-key-not-a-secret",
    BRING_API_URL: bring.url,
    BRING_PICKUP_POINT_URL: `${bring.url}/pickuppoint`,
    BRING_BOOKING_URL: `${bring.url}/booking`,
    ...env,
  });
  return {
    server,
    bring,
    stop: () => {
      server.stop();
      bring.stop();
    },
  };
}
