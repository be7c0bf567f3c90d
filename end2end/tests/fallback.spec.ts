// Through every mode of the hostile proxy, a user gets every result, sees why it is slower
// when it is, and nothing shown is lost or fetched twice.
import { expect, Page, test } from "@playwright/test";
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { openHydrated, productIds, submitSearch } from "./helpers";
import { HARMLESS, MODES, proxyUrl, startProxy } from "./proxy";

const OSLO_KIRKENES = { from: "0150", to: "9900", weight: "1.2" };
const ALL = ["5800", "5600", "3584", "5000", "4850"];
const ARTIFACTS = path.join(__dirname, "..", "artifacts");

let proxy: ChildProcess;
test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(() => {
  proxy?.kill();
});

/** What crossed the wire: server-function calls and offers that arrived over the socket. */
function watch(page: Page) {
  const seen = { quotes: [] as string[], plans: 0, sockets: 0, socketOutcomes: new Set<string>() };
  page.on("request", (r) => {
    if (r.url().endsWith("/api/quote_product")) seen.quotes.push(JSON.parse(r.postData() ?? "{}").product_id);
    if (r.url().endsWith("/api/plan_search")) seen.plans += 1;
  });
  page.on("websocket", (ws) => {
    seen.sockets += 1;
    ws.on("framereceived", (f) => {
      try {
        const msg = JSON.parse(String(f.payload));
        if (msg.type === "offer") seen.socketOutcomes.add(msg.offer.product_id);
        if (msg.type === "unavailable") seen.socketOutcomes.add(msg.product_id);
      } catch {}
    });
  });
  return seen;
}

/** Submits a search and returns ms to the first filled card and to all of them. */
async function timedSearch(page: Page) {
  await submitSearch(page, OSLO_KIRKENES);
  const t0 = Date.now();
  await expect(page.locator('[data-state="offer"]').first()).toBeVisible();
  const first = Date.now() - t0;
  await expect(page.locator('[data-state="offer"]')).toHaveCount(ALL.length, { timeout: 15_000 });
  return { first, all: Date.now() - t0 };
}

const firstCardMs: Record<string, number> = {};

for (const mode of MODES) {
  test(`through the proxy in ${mode} mode a settled search gets every offer`, async ({ page }) => {
    page.on("pageerror", (e) => {
      throw new Error(`page error: ${e.message}`);
    });
    const seen = watch(page);
    await openHydrated(page, `${proxyUrl(mode)}/`);
    await page.waitForTimeout(2_000); // a person takes seconds to fill the form
    const { first, all } = await timedSearch(page);
    firstCardMs[mode] = first;
    console.log(`[${mode}] first card ${first} ms, all cards ${all} ms`);
    expect(await productIds(page)).toEqual(ALL);

    const notice = page.getByTestId("transport-notice");
    if (HARMLESS.includes(mode)) {
      await expect(notice).toHaveCount(0);
      await expect(page.locator("body")).toHaveAttribute("data-transport", "ws");
      expect(seen.quotes).toEqual([]);
      return;
    }
    await expect(notice).toBeVisible();
    await expect(notice).toContainText("blocked on this network");
    await expect(notice).toContainText(`wss://${new URL(proxyUrl(mode)).host}`);
    await expect(page.locator("body")).toHaveAttribute("data-transport", "http");
    // Nothing is asked for twice, and nothing the socket delivered is asked for again.
    expect(new Set(seen.quotes).size).toBe(seen.quotes.length);
    for (const id of seen.socketOutcomes) expect(seen.quotes).not.toContain(id);
    expect(seen.quotes.length + seen.socketOutcomes.size).toBe(ALL.length);
    if (mode === "rst-mid-stream") expect(seen.socketOutcomes.size).toBeGreaterThan(0);
    if (mode === "rst-after-upgrade") {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.setViewportSize({ width: 375, height: 900 });
      await page.screenshot({ path: path.join(ARTIFACTS, "fallback-notice-phone.png"), fullPage: false });
      await page.setViewportSize({ width: 1280, height: 720 });
    }
    // A broken path is found while the user is still typing, so the first card is not late.
    expect(first).toBeLessThan(1_000);

    // The second search in this session goes straight to HTTP.
    const socketsBefore = seen.sockets;
    const quotesBefore = seen.quotes.length;
    await submitSearch(page, { from: "0150", to: "9170", weight: "2" });
    await expect(page.locator('[data-product-id="5100"]')).toHaveAttribute("data-state", "offer", { timeout: 15_000 });
    expect(seen.sockets).toBe(socketsBefore);
    expect(seen.quotes.length - quotesBefore).toBe(4);

    // So does a reload: the choice is remembered for the browser session.
    await page.reload();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(page.locator("body")).toHaveAttribute("data-transport", "http");
    await expect(page.getByTestId("transport-notice")).toBeVisible();
    expect(seen.sockets).toBe(socketsBefore);

    // The notice can be dismissed.
    await page.getByRole("button", { name: "Dismiss this notice" }).click();
    await expect(page.getByTestId("transport-notice")).toHaveCount(0);
  });
}

test("a search made at once in stall mode is hedged well before the 3 s verdict", async ({ page }) => {
  await openHydrated(page, `${proxyUrl("stall")}/`);
  const { first } = await timedSearch(page);
  console.log(`[stall, searched at once] first card ${first} ms`);
  expect(first).toBeLessThan(1_500);
  // The socket is then found broken and the notice follows.
  await expect(page.getByTestId("transport-notice")).toBeVisible({ timeout: 5_000 });
});

test.afterAll(() => {
  console.log("first card per mode (ms):", JSON.stringify(firstCardMs));
});

test("a replacing search aborts the calls of the one it replaces", async ({ page }) => {
  await openHydrated(page, `${proxyUrl("refuse-upgrade")}/`);
  await expect(page.locator("body")).toHaveAttribute("data-transport", "http");
  const aborted: string[] = [];
  page.on("requestfailed", (r) => {
    if (r.url().endsWith("/api/quote_product")) aborted.push(JSON.parse(r.postData() ?? "{}").product_id);
  });
  await submitSearch(page, OSLO_KIRKENES);
  await expect(page.locator('[data-state="offer"]').first()).toBeVisible();
  // Express (4850) takes a second or two: it is still out when the customer searches again.
  await expect(page.locator('[data-product-id="4850"]')).not.toHaveAttribute("data-state", "offer");
  await submitSearch(page, { ...OSLO_KIRKENES, to: "5003" });
  await expect(page.locator('[data-state="offer"]')).toHaveCount(ALL.length, { timeout: 15_000 });
  expect(aborted).toContain("4850");
  await expect(page.locator(".summary")).toContainText("5003");
});
