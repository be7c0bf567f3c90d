const { chromium } = require("@playwright/test");
const { execFileSync, spawn } = require("child_process");
const BIN = "../target/debug/hostile-proxy";
const MODES = execFileSync(BIN, ["--list-modes"]).toString().trim().split("\n");
const url = (m) => `http://127.0.0.1:${4100 + MODES.indexOf(m)}`;
(async () => {
  const proxy = spawn(BIN, ["--upstream", "127.0.0.1:3000", "--base-port", "4100"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((r) => setTimeout(r, 800));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  for (const kind of ["post", "get", "post", "get"]) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url("refuse-upgrade") + "/");
    await page.waitForSelector("body[data-hydrated=true]");
    await page.waitForTimeout(2000);
    const r = await page.evaluate(async (kind) => {
      const req = { from: { country: "NO", postal_code: "0150" }, to: { country: "NO", postal_code: "9900" }, parcel: { weight_grams: 1200 } };
      performance.clearResourceTimings();
      const t0 = performance.now();
      const marks = [];
      const ps = ["5800", "5600", "3584", "5000", "4850"].map((p) => {
        const f = kind === "post"
          ? fetch("/api/quote_product", { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ request: req, product_id: p }) })
          : fetch("/healthz?" + p);
        marks.push((performance.now() - t0).toFixed(2));
        return f;
      });
      await Promise.all(ps.slice(0, 4).map((p) => p.then((r) => r.text())));
      return { marks: marks.join(" "), res: performance.getEntriesByType("resource").map((e) => `${e.name.slice(-4)} s${(e.startTime - t0).toFixed(1)} q${(e.requestStart - t0).toFixed(1)} r${(e.responseStart - t0).toFixed(1)}`).join(" | ") };
    }, kind);
    console.log(kind, "fetch() calls at", r.marks, "\n   ", r.res);
    await ctx.close();
  }
  await browser.close();
  proxy.kill();
})();
