// Session-8 profiling probe for issue 12 (not committed).
const { chromium } = require("@playwright/test");
const { execFileSync, spawn } = require("child_process");
const BIN = "../target/debug/hostile-proxy";
const MODES = execFileSync(BIN, ["--list-modes"]).toString().trim().split("\n");
const url = (m) => `http://127.0.0.1:${4100 + MODES.indexOf(m)}`;
const RUNS = Number(process.env.RUNS || 7);
(async () => {
  const proxy = spawn(BIN, ["--upstream", "127.0.0.1:3000", "--base-port", "4100"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((r) => setTimeout(r, 800));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: (process.env.FLAGS || "").split(" ").filter(Boolean) });
  const variants = (process.env.VARIANTS || "pass,pass-http,refuse-upgrade,rst-after-upgrade,stall").split(",");
  for (const v of variants) {
    const mode = v === "pass-http" ? "pass" : v;
    const rows = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      if (v === "pass-http") {
        await page.addInitScript(() => sessionStorage.setItem("promotions.http_until", String(Date.now() + 600000)));
      }
      await page.addInitScript(() => {
        const W = window.WebSocket;
        window.WebSocket = function (...a) { const ws = new W(...a); ws.addEventListener("message", () => (window.wsm = window.wsm || []).push(performance.now())); return ws; };
        const send = W.prototype.send; W.prototype.send = function (d) { if (String(d).includes('"search"')) window.wsSend = performance.now(); return send.call(this, d); };
        window.WebSocket.prototype = W.prototype; Object.assign(window.WebSocket, { OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2 });
      });
      await page.goto(url(mode) + "/");
      await page.waitForSelector("body[data-hydrated=true]");
      await page.waitForTimeout(2000);
      await page.evaluate(() => {
        const w = window;
        const form = document.querySelector("form[data-testid=search-form]");
        const set = (n, val) => (form.querySelector(`[name=${n}]`).value = val);
        set("from_postal", "0150"); set("weight", "1.2"); set("to_postal", "9900");
        w.ev = [];
        const origFetch = w.fetch;
        w.fetch = function (...a) {
          const n = w.ev.length; w.ev.push(["fetch", performance.now() - w.t0]);
          return origFetch.apply(this, a).then((r) => { (w.hdr = w.hdr || []).push((performance.now() - w.t0).toFixed(1)); return r; });
        };
        const origText = Response.prototype.text;
        Response.prototype.text = function () { return origText.call(this).then((t) => { (w.txt = w.txt || []).push((performance.now() - w.t0).toFixed(1) + (t.includes('"5000"') ? "*" : "")); return t; }); };
        const obs = new MutationObserver(() => {
          const c = document.querySelector('[data-state="offer"],[data-state="unavailable"]');
          if (c && !w.first) { w.first = performance.now() - w.t0; w.firstId = c.closest("[data-product-id]").getAttribute("data-product-id"); }
        });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true });
        setTimeout(() => { w.t0 = performance.now(); performance.clearResourceTimings(); form.querySelector("button[type=submit]").click(); }, 20);
      });
      await page.waitForTimeout(700);
      const r = await page.evaluate(() => {
        const w = window;
        const res = performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/")).map((e) => ({
          n: e.name.split("/").pop(), start: +(e.startTime - w.t0).toFixed(1), conn: +(e.connectEnd - e.connectStart).toFixed(1),
          req: +(e.requestStart - w.t0).toFixed(1), resp: +(e.responseStart - w.t0).toFixed(1), end: +(e.responseEnd - w.t0).toFixed(1),
        }));
        return { hdr: (w.hdr || []).join(" "), txt: (w.txt || []).join(" "), send: w.wsSend ? (w.wsSend - w.t0).toFixed(1) : "-", wsm: (w.wsm || []).map((x) => (x - w.t0).toFixed(1)).filter((x) => x > 0).join(" "), first: +w.first.toFixed(1), firstId: w.firstId, tier: document.body.getAttribute("data-transport"), res, ev: w.ev.map((e) => e[1].toFixed(1)).join(" ") };
      });
      rows.push(r);
      await ctx.close();
    }
    const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
    console.log(`\n== ${v}: median first ${med(rows.map((r) => r.first))} ms`);
    for (const r of rows) {
      console.log(`first ${r.first} (${r.firstId}) tier ${r.tier} send@ ${r.send} fetches@ ${r.ev} | fetch resolved@ ${r.hdr} | text@ ${r.txt} | ws msgs@ ${r.wsm}`);
      for (const e of r.res) console.log(`   ${e.n.padEnd(14)} start ${e.start} conn ${e.conn} req ${e.req} resp ${e.resp} end ${e.end}`);
    }
  }
  await browser.close();
  proxy.kill();
})();
