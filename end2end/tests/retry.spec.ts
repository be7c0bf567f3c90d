// A fallback is remembered for ten minutes; when the socket then works again, the page goes
// back to it and the notice goes away. Playwright's clock stands in for the ten minutes.
import { expect, test } from "@playwright/test";
import { openHydrated, submitSearch } from "./helpers";

test("the notice goes when the socket works again after its retry", async ({ page }) => {
  await page.clock.install();
  await openHydrated(page);
  // As a fallback earlier in this browser session left it: HTTP until ten minutes from now.
  await page.evaluate(() => sessionStorage.setItem("promotions.http_until", String(Date.now() + 600_000)));
  await openHydrated(page);
  await expect(page.locator("body")).toHaveAttribute("data-transport", "http");
  await expect(page.getByTestId("transport-notice")).toBeVisible();

  await page.clock.fastForward("10:01");
  // The next search probes the socket again (while it runs over HTTP); the probe answers.
  await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5, { timeout: 15_000 });
  await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
  await expect(page.getByTestId("transport-notice")).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.getItem("promotions.http_until"))).toBeNull();
});

// A laptop closed mid-search, or a tab the browser stopped running: the page's timers fire
// an hour late. Silence measured across the sleep proves nothing about the network, so the
// page asks the socket again before judging it (app/src/transport/machine.rs, LATE_TICK).
test("a page waking from an hour's sleep mid-search asks the socket again instead of falling back", async ({ page }) => {
  const httpCalls: string[] = [];
  page.on("request", (r) => {
    if (/\/api\/(quote_product|plan_search|search)$/.test(r.url())) httpCalls.push(r.url());
  });
  await page.clock.install();
  await openHydrated(page);
  await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
  await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
  await expect(page.locator('[data-state="offer"]').first()).toBeVisible();
  // Express asks pickup planning (1-2.5 s): still out when the lid closes.
  await expect(page.locator('[data-product-id="4850"]')).toHaveAttribute("data-state", "loading");
  await page.clock.fastForward("01:00:00");
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5, { timeout: 15_000 });
  await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
  await expect(page.getByTestId("transport-notice")).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.getItem("promotions.http_until"))).toBeNull();
  expect(httpCalls).toEqual([]);
});

test("a tab brought back to the front asks the socket again", async ({ page }) => {
  const pings: string[] = [];
  page.on("websocket", (ws) =>
    ws.on("framesent", (f) => {
      if (String(f.payload).includes('"type":"ping"')) pings.push(String(f.payload));
    }),
  );
  await openHydrated(page);
  await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
  expect(pings).toHaveLength(1); // the probe
  // What the browser fires when the tab is shown again (headless pages count as visible).
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await expect.poll(() => pings.length).toBe(2);
  await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
  await expect(page.getByTestId("transport-notice")).toHaveCount(0);
});
