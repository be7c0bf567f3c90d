// Compare at a glance: the cards in price or delivery order (`?sort=`), the cheapest and the
// fastest marked, the order kept still under the pointer, with and without JavaScript.
import { expect, Page, test } from "@playwright/test";
import { openHydrated, productIds, searchUrl, submitSearch } from "./helpers";

const OSLO_KIRKENES = { from: "0150", to: "9900", weight: "1.2" };

test.beforeEach(async ({ page }) => {
  page.on("pageerror", (e) => {
    throw new Error(`page error: ${e.message}`);
  });
});

type Shown = { id: string; price: number; days: number; cheapest: boolean; fastest: boolean };

/** The cards as shown, in order, once every one has answered. */
async function cards(page: Page): Promise<Shown[]> {
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5, { timeout: 10_000 });
  return page.locator("[data-product-id]").evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute("data-product-id")!,
      price: Number(e.querySelector("[data-price]")!.getAttribute("data-price")),
      days: Number(e.querySelector("[data-lead-days]")!.getAttribute("data-lead-days")),
      cheapest: e.hasAttribute("data-cheapest"),
      fastest: e.hasAttribute("data-fastest"),
    })),
  );
}

function expectSorted(shown: Shown[], key: "price" | "days") {
  const values = shown.map((c) => c[key]);
  expect(values, key).toEqual([...values].sort((a, b) => a - b));
}

/** One card each is the cheapest and the fastest, and says so. */
async function expectMarks(page: Page, shown: Shown[], cheapestLabel: string, fastestLabel: string) {
  const cheapest = shown.filter((c) => c.cheapest);
  const fastest = shown.filter((c) => c.fastest);
  expect(cheapest).toHaveLength(1);
  expect(fastest).toHaveLength(1);
  expect(cheapest[0].price).toBe(Math.min(...shown.map((c) => c.price)));
  expect(fastest[0].days).toBe(Math.min(...shown.map((c) => c.days)));
  await expect(page.locator("[data-cheapest] .mark:not([hidden])").first()).toHaveText(cheapestLabel);
  await expect(page.locator("[data-fastest] .mark-fastest")).toBeVisible();
  await expect(page.locator("[data-fastest] .mark-fastest")).toHaveText(fastestLabel);
}

test("a search shows the cheapest first and marks the cheapest and the fastest", async ({ page }) => {
  await openHydrated(page);
  await submitSearch(page, OSLO_KIRKENES);
  const shown = await cards(page);
  expectSorted(shown, "price");
  await expectMarks(page, shown, "Cheapest", "Fastest");
  await expect(page.locator('[data-sort="price"]')).toHaveAttribute("aria-current", "true");
});

test("choosing delivery date re-orders the cards without searching again, and later searches keep it", async ({ page }) => {
  const searches: string[] = [];
  page.on("websocket", (ws) =>
    ws.on("framesent", (f) => {
      if (String(f.payload).includes('"type":"search"')) searches.push(String(f.payload));
    }),
  );
  page.on("request", (r) => {
    if (r.url().includes("/api/")) searches.push(r.url());
  });
  await openHydrated(page);
  await submitSearch(page, OSLO_KIRKENES);
  await cards(page);
  const before = searches.length;
  await page.locator('[data-sort="delivery"]').click();
  await expect(page).toHaveURL(/sort=delivery/);
  await expect(page.locator('[data-sort="delivery"]')).toHaveAttribute("aria-current", "true");
  const shown = await cards(page);
  expectSorted(shown, "days");
  expect(shown[0].fastest).toBe(true);
  expect(searches.length, "no new search").toBe(before);

  await submitSearch(page, { from: "0150", to: "5003", weight: "2" });
  await expect(page).toHaveURL(/to_postal=5003/);
  await expect(page).toHaveURL(/sort=delivery/);
  expectSorted(await cards(page), "days");
});

test("a card that answers while the pointer is over the cards waits for it to leave", async ({ page }) => {
  await openHydrated(page, "/?sort=delivery");
  await submitSearch(page, OSLO_KIRKENES);
  // The fast cards are in; express (the fastest delivery, 1-2.5 s to quote) is still loading.
  await expect(page.locator('[data-state="offer"]')).toHaveCount(4);
  const express = page.locator('[data-product-id="4850"]');
  await expect(express).toHaveAttribute("data-state", "loading");
  await page.locator("ul.cards").hover();
  const under = await productIds(page);
  expect(under[4]).toBe("4850");
  await expect(express).toHaveAttribute("data-state", "offer");
  expect(await productIds(page), "nothing moved under the pointer").toEqual(under);
  await page.mouse.move(5, 5);
  await expect.poll(() => productIds(page)).not.toEqual(under);
  expect((await productIds(page))[0]).toBe("4850");
});

test("in bokmål the marks and the control speak bokmål", async ({ browser }) => {
  const context = await browser.newContext({ locale: "nb-NO" });
  const page = await context.newPage();
  await page.goto(searchUrl(OSLO_KIRKENES));
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expectMarks(page, await cards(page), "Billigst", "Raskest");
  await expect(page.locator('[data-sort="delivery"]')).toHaveText("Leveringsdato");
  await context.close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  for (const [sort, key] of [
    ["price", "price"],
    ["delivery", "days"],
  ] as const) {
    test(`?sort=${sort} renders the cards in that order, marked`, async ({ page }) => {
      await page.goto(`${searchUrl(OSLO_KIRKENES)}&sort=${sort}`);
      const shown = await cards(page);
      expectSorted(shown, key);
      await expectMarks(page, shown, "Cheapest", "Fastest");
      // The control is two links: it works without JavaScript too.
      const other = sort === "price" ? "delivery" : "price";
      await page.locator(`[data-sort="${other}"]`).click();
      await expect(page).toHaveURL(new RegExp(`sort=${other}`));
      expectSorted(await cards(page), other === "price" ? "price" : "days");
    });
  }
});
