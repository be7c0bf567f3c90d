const { chromium } = require("@playwright/test");
const { execFileSync, spawn } = require("child_process");
const fs = require("fs");
const BIN = "../target/debug/hostile-proxy";
const MODES = execFileSync(BIN, ["--list-modes"]).toString().trim().split("\n");
const url = (m) => `http://127.0.0.1:${4100 + MODES.indexOf(m)}`;
(async () => {
  const proxy = spawn(BIN, ["--upstream", "127.0.0.1:3000", "--base-port", "4100"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((r) => setTimeout(r, 800));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await page.goto(url(process.env.MODE || "refuse-upgrade") + "/");
  await page.waitForSelector("body[data-hydrated=true]");
  await page.waitForTimeout(2000);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
  await page.evaluate(() => {
    const form = document.querySelector("form[data-testid=search-form]");
    const set = (n, val) => (form.querySelector(`[name=${n}]`).value = val);
    set("from_postal", "0150"); set("weight", "1.2"); set("to_postal", "9900");
    setTimeout(() => { window.t0 = performance.now(); form.querySelector("button[type=submit]").click(); }, 20);
  });
  await page.waitForTimeout(400);
  const { profile } = await cdp.send("Profiler.stop");
  fs.writeFileSync("/tmp/prof.json", JSON.stringify(profile));
  // self time per function
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const k = n.callFrame.functionName + " " + (n.callFrame.url || "").split("/").pop();
    self.set(k, (self.get(k) || 0) + (dt[i + 1] || 0));
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [k, v] of top) console.log((v / 1000).toFixed(2).padStart(8), "ms", k);
  await browser.close();
  proxy.kill();
})();
