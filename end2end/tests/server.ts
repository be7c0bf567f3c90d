// A second server (the release binary scripts/test built) with its own settings, for tests of
// limits the shared server must not have. It stops with the test's worker.
import { ChildProcess, spawn } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");

export type Server = { url: string; stop: () => void };

export async function startServer(port: number, env: Record<string, string>): Promise<Server> {
  const { SENTRY_DSN: _, ...inherited } = process.env; // its errors are not the subject here
  const child: ChildProcess = spawn(path.join(TARGET, "release", "promotions"), [], {
    cwd: ROOT, // serves target/site like the main server
    env: { ...inherited, LEPTOS_OUTPUT_NAME: "promotions", LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, stop: () => child.kill() };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`server on ${url} did not answer within 10 s`);
}
