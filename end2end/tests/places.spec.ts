// Norway's postal register: the summary names both places, on the socket, over HTTP and
// without JavaScript, and a postal code that does not exist is a field error before any quote.
import { expect, Page, test } from "@playwright/test";
import { ChildProcess } from "child_process";
import { openHydrated, searchUrl, submitSearch } from "./helpers";
import { proxyUrl, startProxy } from "./proxy";

const OSLO_KIRKENES = { from: "0150", to: "9900", weight: "1.2" };

let proxy: ChildProcess;
test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(() => proxy?.kill());

function quoteCalls(page: Page) {
  const calls: string[] = [];
  page.on("request", (r) => {
    if (/\/api\/(quote_product|plan_search|search)$/.test(r.url())) calls.push(r.url());
  });
  return calls;
}

test("the summary names both places after a search over the socket", async ({ page }) => {
  await openHydrated(page);
  await submitSearch(page, OSLO_KIRKENES);
  await expect(page.getByTestId("summary")).toContainText("0150 OSLO");
  await expect(page.getByTestId("summary")).toContainText("9900 KIRKENES");
});

test("the summary names both places when the page searches over HTTP", async ({ page }) => {
  await openHydrated(page, `${proxyUrl("rst-after-upgrade")}/`);
  await submitSearch(page, { from: "5003", to: "9170", weight: "2" });
  await expect(page.locator('[data-state="offer"]').first()).toBeVisible();
  await expect(page.getByTestId("summary")).toContainText("5003 BERGEN");
  await expect(page.getByTestId("summary")).toContainText("9170 LONGYEARBYEN");
});

test("a place name coming after the cards moves no other text in the summary", async ({ page }) => {
  // buffer-http holds the stream back to its end: the page's own plan draws the cards and the
  // summary at the click; the place names come with the stream's end, after express (1-2.5 s).
  await openHydrated(page, `${proxyUrl("buffer-http")}/`);
  await submitSearch(page, OSLO_KIRKENES);
  const summary = page.getByTestId("summary");
  await expect(summary).toContainText("to Norway 9900");
  await expect(summary).not.toContainText("KIRKENES");
  const boxes = () =>
    summary.evaluate((s) =>
      [...s.children].map((c) => {
        const r = c.getBoundingClientRect();
        return [r.x, r.y, r.width, r.height];
      }),
    );
  const before = await boxes();
  await expect(summary).toContainText("0150 OSLO to Norway 9900 KIRKENES · 1.2 kg", { timeout: 15_000 });
  expect(await boxes()).toEqual(before);
});

test("a search URL names the places on the hydrated page as the server rendered them", async ({ page }) => {
  await page.goto(searchUrl(OSLO_KIRKENES));
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("summary")).toContainText("0150 OSLO");
  await expect(page.getByTestId("summary")).toContainText("9900 KIRKENES");
});

test("a postal code that does not exist is a field error, and nothing is quoted", async ({ page }) => {
  await openHydrated(page);
  await submitSearch(page, OSLO_KIRKENES);
  await expect(page.locator('[data-state="offer"]').first()).toBeVisible();
  await submitSearch(page, { from: "1111", to: "9900", weight: "1.2" });
  const error = page.getByTestId("error-from_postal");
  await expect(error).toBeVisible();
  await expect(error).toContainText("1111 is not a postal code in Norway");
  await expect(page.locator("input[name=from_postal]")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("[data-product-id]")).toHaveCount(0);
  // Corrected, the error goes and the search runs.
  await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
  await expect(page.locator('[data-state="offer"]').first()).toBeVisible();
  await expect(error).toBeHidden();
});

test("over HTTP too, a code that does not exist is a field error", async ({ page }) => {
  await openHydrated(page, `${proxyUrl("refuse-upgrade")}/`);
  await expect(page.getByTestId("transport-notice")).toBeVisible();
  await submitSearch(page, { from: "0150", to: "4444", weight: "1.2" });
  await expect(page.getByTestId("error-to_postal")).toContainText("4444 is not a postal code in Norway");
  await expect(page.locator("[data-product-id]")).toHaveCount(0);
});

test("a search URL with an unknown code shows the field error, hydrated, and quotes nothing", async ({ page }) => {
  const calls = quoteCalls(page);
  await page.goto(searchUrl({ from: "0150", to: "4444", weight: "1.2" }));
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("error-to_postal")).toContainText("4444 is not a postal code in Norway");
  await expect(page.locator("[data-product-id]")).toHaveCount(0);
  expect(calls).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the server-rendered summary names both places", async ({ page }) => {
    await page.goto(searchUrl(OSLO_KIRKENES));
    await expect(page.getByTestId("summary")).toContainText("0150 OSLO");
    await expect(page.getByTestId("summary")).toContainText("9900 KIRKENES");
  });

  test("an unknown code is a field error and no card is rendered", async ({ page }) => {
    await page.goto(searchUrl({ from: "1111", to: "9900", weight: "1.2" }));
    await expect(page.getByTestId("error-from_postal")).toContainText("1111 is not a postal code in Norway");
    await expect(page.locator("[data-product-id]")).toHaveCount(0);
  });
});
