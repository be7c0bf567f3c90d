// The transport benchmark (scripts/bench): per hostile-proxy mode, the median time from the
// click to the first filled card and to all cards, each search on a fresh page (a fresh
// session), settled (2 s after hydration, as a person filling the form), at once (right after
// hydration), and replacing (a second search 200 ms into the first, timed from its own click).
//
// The page clicks its own submit button from a timer armed beforehand, and nothing touches the
// page until the search is done: a Playwright click runs 7–12 ms of its own script in the page
// 20–40 ms after the click, right when the first answers arrive, and would charge that to
// whichever tier's answer lands then. Customers' browsers run no such script.
//
// Each row is judged against its target (docs/architecture.md §9); timing is judged here, never
// in the Playwright specs. Settled and replacing: the first card as fast as through `pass`
// (within TOLERANCE_MS). At once: within the hedge bound, the fastest product's latency + 300 ms
// + one round trip, read as `pass` settled (that latency and round trip) + 300 ms.
import { expect, Page, test } from "@playwright/test";
import { MODES, proxyUrl } from "../tests/proxy";
import { median, useProxy } from "./common";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2_000);
const REPLACE_AFTER_MS = 200;
/** "As fast as": the run-to-run spread of medians on these machines. */
const TOLERANCE_MS = 10;
const HEDGE_MS = 300;
/** Every card of these searches is in by then (the slowest product takes at most 2.5 s). */
const QUIET_MS = 3_200;

useProxy();

type Kind = "settled" | "at once" | "replacing";

/** Arms the page to search Oslo 0150 -> Kirkenes 9900 (and, when replacing, then Bergen 5003)
 * by itself, timing the last search from its click to its first and to all filled cards. */
async function armSearches(page: Page, kind: Kind) {
  await page.evaluate(
    ({ replaceAfter, replacing }) => {
      const w = window as any;
      const form = document.querySelector("form[data-testid=search-form]")!;
      const set = (name: string, value: string) => {
        (form.querySelector(`[name=${name}]`) as HTMLInputElement).value = value;
      };
      const timed = (to: string) => {
        set("to_postal", to);
        w.benchFirst = 0;
        w.benchAll = 0;
        const obs = new MutationObserver(() => {
          if (!document.querySelector(".summary")?.textContent?.includes(to)) return;
          const filled = document.querySelectorAll('[data-state="offer"],[data-state="unavailable"]').length;
          const planned = document.querySelectorAll("[data-product-id]").length;
          if (filled > 0 && !w.benchFirst) w.benchFirst = performance.now() - w.benchStart;
          if (planned > 0 && filled === planned && !w.benchAll) {
            w.benchAll = performance.now() - w.benchStart;
            obs.disconnect();
          }
        });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        w.benchStart = performance.now();
        (form.querySelector("button[type=submit]") as HTMLElement).click();
      };
      set("from_postal", "0150");
      set("weight", "1.2");
      setTimeout(() => {
        if (!replacing) return timed("9900");
        set("to_postal", "9900");
        (form.querySelector("button[type=submit]") as HTMLElement).click();
        setTimeout(() => timed("5003"), replaceAfter);
      }, 20);
    },
    { replaceAfter: REPLACE_AFTER_MS, replacing: kind === "replacing" },
  );
}

test("time to first and all offers per proxy mode", async ({ browser }) => {
  const rows: string[] = [];
  const missed: string[] = [];
  const kinds = (process.env.BENCH_KINDS?.split(",") ?? ["settled", "at once", "replacing"]) as Kind[];
  let settledPassFirst = NaN;
  for (const kind of kinds) {
    let passFirst = 0;
    let passAll = 0;
    for (const mode of MODES) {
      const first: number[] = [];
      const all: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${proxyUrl(mode)}/`);
        await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
        if (kind !== "at once") await page.waitForTimeout(SETTLE_MS);
        await armSearches(page, kind);
        await new Promise((r) => setTimeout(r, QUIET_MS + (kind === "replacing" ? REPLACE_AFTER_MS : 0)));
        await page.waitForFunction(() => (window as any).benchAll > 0, null, { timeout: 20_000 });
        const [f, a] = await page.evaluate(() => [(window as any).benchFirst, (window as any).benchAll]);
        first.push(f);
        all.push(a);
        await context.close();
      }
      const [f, a] = [median(first), median(all)];
      if (mode === "pass") [passFirst, passAll] = [f, a];
      if (mode === "pass" && kind === "settled") settledPassFirst = f;
      const vsPass = mode === "pass" ? "" : `${f - passFirst >= 0 ? "+" : ""}${(f - passFirst).toFixed(0)}`;
      const bound = kind === "at once" ? settledPassFirst + HEDGE_MS : passFirst + TOLERANCE_MS;
      const verdict = Number.isNaN(bound) ? "n/a" : f <= bound ? "met" : "MISSED";
      if (verdict === "MISSED") missed.push(`${kind} ${mode}`);
      rows.push(
        `${kind} ${mode}`.padEnd(30) +
          `${f.toFixed(0).padStart(6)} ms ${vsPass.padStart(7)}` +
          `${a.toFixed(0).padStart(9)} ms ${(a / passAll).toFixed(2).padStart(7)}` +
          `${Number.isNaN(bound) ? "" : `<= ${bound.toFixed(0)} ms`}`.padStart(14) +
          verdict.padStart(8),
      );
    }
  }
  console.log(
    `\nmedians over ${RUNS} searches, Oslo 0150 -> Kirkenes 9900 (replaced by -> Bergen 5003), 1.2 kg` +
      ` (GUIDE_LATENCY_SCALE=${process.env.GUIDE_LATENCY_SCALE ?? "1"})`,
  );
  console.log(
    `${"".padEnd(30)}${"first".padStart(9)} ${"vs pass".padStart(7)}${"all".padStart(12)} ${"/pass".padStart(7)}` +
      `${"target".padStart(14)}${"".padStart(8)}`,
  );
  console.log(rows.join("\n"));
  console.log(missed.length ? `targets missed: ${missed.join(", ")}` : "every target met");
});
