// Starts the hostile proxy (end2end/hostile-proxy, built by scripts/test) in front of the app:
// one port per mode, from PROXY_BASE_PORT.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";

export const PROXY_BASE_PORT = 4100;
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(__dirname, "..", "..", "target");
const BIN = path.join(TARGET, "debug", "hostile-proxy");

/** The proxy's modes, in port order, as the proxy itself lists them. */
export const MODES: readonly string[] = execFileSync(BIN, ["--list-modes"]).toString().trim().split("\n");

export function proxyUrl(mode: string): string {
  return `http://127.0.0.1:${PROXY_BASE_PORT + MODES.indexOf(mode)}`;
}

/** Modes in which the socket still works: no notice, no fallback. */
export const HARMLESS: readonly string[] = ["pass", "inject-via"];

export async function startProxy(): Promise<ChildProcess> {
  const upstream = new URL(process.env.BASE_URL ?? "http://127.0.0.1:3000").host;
  const child = spawn(BIN, ["--upstream", upstream, "--base-port", String(PROXY_BASE_PORT)], {
    stdio: ["pipe", "pipe", "inherit"], // it exits when our end of stdin closes
  });
  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`hostile-proxy exited with ${code}`)));
    child.stdout!.on("data", (d: Buffer) => {
      seen += d.toString().split("\n").filter((l) => l.trim()).length;
      if (seen >= MODES.length) resolve();
    });
  });
  return child;
}
