// Prints, for each hostile-proxy mode, the median time from submit to the first filled card
// and to all cards over 10 searches, each on a fresh page (fresh session) that has settled.
import { expect, test } from "@playwright/test";
import { ChildProcess } from "child_process";
import { submitSearch } from "../tests/helpers";
import { MODES, proxyUrl, startProxy } from "../tests/proxy";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2_000);

let proxy: ChildProcess;
test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(() => proxy?.kill());

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test("time to first and all offers per proxy mode", async ({ browser }) => {
  const rows: string[] = [];
  let wsAll = 0;
  for (const settle of [SETTLE_MS, 0]) {
    for (const mode of MODES) {
      const first: number[] = [];
      const all: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${proxyUrl(mode)}/`);
        await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
        await page.waitForTimeout(settle);
        // Time from the click, measured in the page, to each card's fill.
        await page.evaluate(() => {
          const w = window as any;
          w.benchFirst = 0;
          w.benchAll = 0;
          const start = () => {
            w.benchStart = performance.now();
            const obs = new MutationObserver(() => {
              const filled = document.querySelectorAll('[data-state="offer"],[data-state="unavailable"]').length;
              const planned = document.querySelectorAll("[data-product-id]").length;
              if (filled > 0 && !w.benchFirst) w.benchFirst = performance.now() - w.benchStart;
              if (planned > 0 && filled === planned && !w.benchAll) {
                w.benchAll = performance.now() - w.benchStart;
                obs.disconnect();
              }
            });
            obs.observe(document.body, { subtree: true, childList: true, attributes: true });
          };
          document.querySelector("button[type=submit]")!.addEventListener("click", start, { once: true });
        });
        await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
        await page.waitForFunction(() => (window as any).benchAll > 0, null, { timeout: 20_000 });
        const [f, a] = await page.evaluate(() => [(window as any).benchFirst, (window as any).benchAll]);
        first.push(f);
        all.push(a);
        await context.close();
      }
      if (mode === "pass" && settle) wsAll = median(all);
      rows.push(
        `${(settle ? "settled " : "at once ") + mode}`.padEnd(28) +
          `first ${median(first).toFixed(0).padStart(5)} ms   all ${median(all).toFixed(0).padStart(5)} ms` +
          (settle && wsAll ? `   all/ws ${(median(all) / wsAll).toFixed(2)}` : ""),
      );
    }
  }
  console.log(`\nmedians over ${RUNS} searches, Oslo 0150 -> Kirkenes 9900, 1.2 kg (GUIDE_LATENCY_SCALE=${process.env.GUIDE_LATENCY_SCALE ?? "1"})`);
  console.log(rows.join("\n"));
});
