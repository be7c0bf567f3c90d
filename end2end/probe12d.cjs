const { chromium } = require("@playwright/test");
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto("http://127.0.0.1:3000/?lang=en");
  await page.waitForSelector("body[data-hydrated=true]");
  await page.waitForTimeout(1500);
  for (const kind of ["request", "init", "request", "init", "init-nosignal", "request-nosignal", "init-nosignal", "request-nosignal"]) {
    const r = await page.evaluate(async (kind) => {
      const req = { from: { country: "NO", postal_code: "0150" }, to: { country: "NO", postal_code: "9900" }, parcel: { weight_grams: 1200 } };
      const times = [];
      const ps = [];
      for (const p of ["warm-up", "warm-up", "warm-up", "warm-up", "warm-up", "warm-up"]) {
        const t = performance.now();
        const headers = new Headers(); headers.append("content-type", "application/json"); headers.append("accept", "application/json"); headers.append("accept-language", "en");
        const init = { method: "POST", headers, body: JSON.stringify({ request: req, product_id: p }) };
        if (!kind.includes("nosignal")) init.signal = new AbortController().signal;
        ps.push(kind.startsWith("request") ? fetch(new Request("/api/quote_product", init)) : fetch("/api/quote_product", init));
        times.push(performance.now() - t);
      }
      await Promise.all(ps.map((p) => p.then((r) => r.text())));
      return times.map((x) => x.toFixed(2)).join(" ");
    }, kind);
    console.log(kind.padEnd(18), r);
  }
  await browser.close();
})();
