import { expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { ChildProcess } from "child_process";
import { health, openHydrated, servicesShown, searchUrl, submitSearch } from "./helpers";
import { proxyUrl, startProxy } from "./proxy";

const OSLO_KIRKENES = { from: "0150", to: "9900", weight: "1.2" };

test.beforeEach(async ({ page }) => {
  page.on("pageerror", (e) => {
    throw new Error(`page error: ${e.message}`);
  });
});

test("a card keeps its height when its answer comes: on a phone's single column nothing below it moves", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await openHydrated(page);
  await submitSearch(page, OSLO_KIRKENES);
  // Express asks pickup planning (1-2.5 s): its skeleton is on screen long enough to measure.
  const express = page.locator('[data-product-id="4850"]');
  await expect(express).toHaveAttribute("data-state", "loading");
  const loading = (await express.boundingBox())!.height;
  await expect(express).toHaveAttribute("data-state", "offer");
  const offer = (await express.boundingBox())!.height;
  expect(loading).toBeGreaterThan(200);
  expect(Math.abs(offer - loading)).toBeLessThan(1);
});

test.describe("home delivery's card, answered last", () => {
  let proxy: ChildProcess;
  test.beforeAll(async () => {
    proxy = await startProxy();
  });
  test.afterAll(() => proxy?.kill());
  // The held requests may still be waiting when a test ends.
  test.afterEach(({ page }) => page.unrouteAll({ behavior: "ignoreErrors" }));

  // Home delivery (5600) offers other delivery days: its card is the tallest. Held back here
  // (buffer-http asks each product on its own; its quote and the whole stream are delayed), it
  // answers last, into a grid already drawn, and moves to its place by price.
  async function holdHomeDelivery(page: Page) {
    await page.route(/\/api\/(quote_product|search)$/, async (route) => {
      const body = JSON.parse(route.request().postData() ?? "{}");
      if (route.request().url().endsWith("/search") || body.product_id === "5600") {
        await new Promise((r) => setTimeout(r, 4_000));
      }
      await route.continue();
    });
    await openHydrated(page, `${proxyUrl("buffer-http")}/`);
    await submitSearch(page, OSLO_KIRKENES);
    for (const id of ["5800", "3584", "5000", "4850"]) {
      await expect(page.locator(`[data-product-id="${id}"]`)).toHaveAttribute("data-state", "offer");
    }
    const home = page.locator('[data-product-id="5600"]');
    await expect(home).toHaveAttribute("data-state", "loading");
    return home;
  }

  /** Every card's box, top to bottom and left to right: the grid's slots, whichever card is in each. */
  const slots = (page: Page) =>
    page.locator(".card").evaluateAll((cards) =>
      cards
        .map((c) => c.getBoundingClientRect())
        .map((r) => [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)])
        .sort((a, b) => a[1] - b[1] || a[0] - b[0]),
    );

  test("on a desktop's three columns, no row's edge moves when it comes", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const home = await holdHomeDelivery(page);
    const before = await slots(page);
    await expect(home).toHaveAttribute("data-state", "offer", { timeout: 10_000 });
    await expect(home.getByTestId("alternatives")).toBeVisible();
    expect(await slots(page)).toEqual(before);
  });

  test("on a phone, its placeholder is as tall as its offer", async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    const home = await holdHomeDelivery(page);
    const loading = (await home.boundingBox())!.height;
    await expect(home).toHaveAttribute("data-state", "offer", { timeout: 10_000 });
    await expect(home.getByTestId("alternatives")).toBeVisible();
    expect(Math.abs((await home.boundingBox())!.height - loading)).toBeLessThan(1);
  });
});

test("Oslo to Kirkenes fills the fast cards before the slow one, over the socket", async ({ page }) => {
  await openHydrated(page);
  await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
  await submitSearch(page, OSLO_KIRKENES);
  await expect(page).toHaveURL(/to_postal=9900/);

  const express = page.locator('[data-product-id="4850"]');
  // The first offer shows while express (it asks pickup planning: 1-2.5 s) is still loading.
  await expect(page.locator('[data-state="offer"]').first()).toBeVisible();
  await expect(express).toHaveAttribute("data-state", "loading");

  await expect(express).toHaveAttribute("data-state", "offer");
  expect(await servicesShown(page)).toEqual(["3584", "4850", "5000", "5600", "5800"]);
  for (const card of await page.locator("[data-product-id]").all()) {
    await expect(card).toHaveAttribute("data-state", "offer");
    await expect(card.locator("[data-price]")).toHaveText(/^NOK \d/);
    await expect(card.locator("[data-lead-days]")).toHaveText(/^\d+$/);
  }
});

test("Svalbard gets a different selection than the mainland", async ({ page }) => {
  await openHydrated(page);
  await submitSearch(page, { from: "0150", to: "9170", weight: "1.2" });
  await expect(page.locator('[data-product-id="5100"]')).toBeVisible();
  expect(await servicesShown(page)).toEqual(["3584", "5000", "5100", "5800"]);
  await expect(page.locator('[data-product-id="5100"]')).toHaveAttribute("data-state", "offer", { timeout: 15_000 });

  await submitSearch(page, OSLO_KIRKENES);
  await expect(page.locator('[data-product-id="4850"]')).toBeVisible();
  expect(await servicesShown(page)).toEqual(["3584", "4850", "5000", "5600", "5800"]);
});

test("a new search replaces the one still running", async ({ page, baseURL }) => {
  await openHydrated(page);
  const cancelledBefore = (await health(baseURL!)).searches_cancelled;
  await submitSearch(page, { from: "0150", to: "9170", weight: "1.2" }); // groupage takes 1.5-3 s
  await expect(page.locator('[data-product-id="5100"]')).toHaveAttribute("data-state", "loading");
  await submitSearch(page, { from: "0150", to: "0560", weight: "2" });
  await expect(page.locator('[data-product-id="4850"]')).toHaveAttribute("data-state", "offer");
  // The old search was cancelled on the server before its groupage answered, so nothing of it
  // can come any more (anything it sent came before the new search's first answer, shown above).
  await expect
    .poll(async () => {
      const h = await health(baseURL!);
      return { cancelled: h.searches_cancelled > cancelledBefore, inFlight: h.searches_in_flight };
    })
    .toEqual({ cancelled: true, inFlight: 0 });
  await expect(page.locator('[data-product-id="5100"]')).toHaveCount(0);
  expect(await servicesShown(page)).toEqual(["3584", "4850", "5000", "5600", "5800"]);
});

test("Russia says plainly that no service can carry the parcel", async ({ page }) => {
  await openHydrated(page);
  await submitSearch(page, { from: "0150", toCountry: "RU", to: "101000", weight: "1" });
  const notice = page.getByTestId("no-service");
  await expect(notice).toBeVisible();
  await expect(notice).toContainText("No service can carry this parcel");
  await expect(notice).toContainText("Russia");
  await expect(page.locator("[data-product-id]")).toHaveCount(0);
});

test("an invalid postal code shows a field error and searches nothing", async ({ page }) => {
  await openHydrated(page);
  await submitSearch(page, { from: "0150", to: "99", weight: "1" });
  const error = page.getByTestId("error-to_postal");
  await expect(error).toBeVisible();
  await expect(error).toContainText("Not a postal code in Norway");
  await expect(page.locator("input[name=to_postal]")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("[data-product-id]")).toHaveCount(0);
  await expect(page.getByTestId("error-from_postal")).toBeHidden();
});

test("a search URL shows every result on a hydrated page", async ({ page }) => {
  await page.goto(searchUrl(OSLO_KIRKENES));
  await expect(page.locator("[data-product-id]")).toHaveCount(5);
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  // A search after hydration runs without a page load.
  await page.evaluate(() => ((window as any).samePage = true));
  await submitSearch(page, { from: "0150", to: "9170", weight: "3" });
  await expect(page.locator('[data-product-id="5100"]')).toBeVisible();
  await expect(page).toHaveURL(/to_postal=9170&weight=3/);
  expect(await page.evaluate(() => (window as any).samePage)).toBe(true);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the same URL shows the results rendered by the server", async ({ page }) => {
    await page.goto(searchUrl(OSLO_KIRKENES));
    await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
    await expect(page.locator('[data-product-id="4850"] [data-price]')).toHaveText(/^NOK \d/);
    await expect(page.locator("body")).toHaveAttribute("data-transport", "none");
  });

  test("the form is a plain GET form", async ({ page }) => {
    await page.goto("/");
    await submitSearch(page, { from: "0150", to: "9170", weight: "1.2" });
    await expect(page).toHaveURL(/from_country=NO&from_postal=0150&to_country=NO&to_postal=9170&weight=1.2/);
    await expect(page.locator('[data-product-id="5100"]')).toHaveAttribute("data-state", "offer");
  });
});

for (const [name, width, height] of [
  ["phone", 375, 812],
  ["desktop", 1280, 900],
] as const) {
  test(`screenshot at ${width} px wide (${name})`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto(searchUrl(OSLO_KIRKENES));
    await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // Nothing may stick out sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const dir = path.join(__dirname, "..", "artifacts");
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `results-${name}.png`), fullPage: true });
  });
}
