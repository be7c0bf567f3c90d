const { chromium } = require("@playwright/test");
const { execFileSync, spawn } = require("child_process");
const BIN = "../target/debug/hostile-proxy";
const MODES = execFileSync(BIN, ["--list-modes"]).toString().trim().split("\n");
const url = (m) => `http://127.0.0.1:${4100 + MODES.indexOf(m)}`;
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)].toFixed(2); };
(async () => {
  const proxy = spawn(BIN, ["--upstream", "127.0.0.1:3000", "--base-port", "4100"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((r) => setTimeout(r, 800));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const out = { post: { loop: [], q4: [], r4: [] }, get: { loop: [], q4: [], r4: [] } };
  for (let i = 0; i < 16; i++) {
    const kind = i % 2 ? "get" : "post";
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url("refuse-upgrade") + "/");
    await page.waitForSelector("body[data-hydrated=true]");
    await page.waitForTimeout(1500);
    const r = await page.evaluate(async (kind) => {
      const req = { from: { country: "NO", postal_code: "0150" }, to: { country: "NO", postal_code: "9900" }, parcel: { weight_grams: 1200 } };
      performance.clearResourceTimings();
      const t0 = performance.now();
      const ps = ["5800", "5600", "3584", "5000", "4850", "plan"].map((p) =>
        kind === "post"
          ? fetch("/api/quote_product", { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ request: req, product_id: "warm-up" }), signal: new AbortController().signal })
          : fetch("/healthz?" + p, { signal: new AbortController().signal }));
      const loop = performance.now() - t0;
      await Promise.all(ps.map((p) => p.then((r) => r.text())));
      const e = performance.getEntriesByType("resource");
      return { loop, q4: e[3].requestStart - t0, r4: e[3].responseEnd - t0 };
    }, kind);
    for (const k of ["loop", "q4", "r4"]) out[kind][k].push(r[k]);
    await ctx.close();
  }
  for (const kind of ["post", "get"]) console.log(kind, "fetch loop", med(out[kind].loop), "4th on wire", med(out[kind].q4), "4th done", med(out[kind].r4));
  await browser.close();
  proxy.kill();
})();
