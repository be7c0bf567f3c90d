// Accessibility: axe-core finds nothing on the page in any state, at phone and desktop widths.
import { expect, Page, test } from "@playwright/test";
import { ChildProcess } from "child_process";
import { fill, OLA, openHydrated, searchUrl, submitSearch, violations } from "./helpers";
import { proxyUrl, startProxy } from "./proxy";

let proxy: ChildProcess;
test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(() => proxy?.kill());

const STATES: Record<string, (page: Page) => Promise<void>> = {
  "empty form": async (page) => openHydrated(page),
  results: async (page) => {
    await openHydrated(page, searchUrl({ from: "0150", to: "9900", weight: "1.2" }));
    await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
  },
  loading: async (page) => {
    await openHydrated(page);
    await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
    await expect(page.locator('[data-state="loading"]').first()).toBeVisible();
  },
  "fallback notice": async (page) => {
    await openHydrated(page, `${proxyUrl("refuse-upgrade")}/`);
    await expect(page.getByTestId("transport-notice")).toBeVisible();
  },
  "field error": async (page) => {
    await openHydrated(page);
    await submitSearch(page, { from: "0150", to: "99", weight: "1" });
    await expect(page.getByTestId("error-to_postal")).toBeVisible();
  },
  "no service": async (page) => {
    await openHydrated(page);
    await submitSearch(page, { from: "0150", toCountry: "RU", to: "101000", weight: "1" });
    await expect(page.getByTestId("no-service")).toBeVisible();
  },
  "booking form": async (page) => {
    await openHydrated(page, `/book${searchUrl({ from: "0150", to: "9900", weight: "1.2" }).slice(1)}&product=5800`);
    await expect(page.getByTestId("pickup-points")).toBeVisible();
  },
  "booking form with errors": async (page) => {
    await openHydrated(page, `/book${searchUrl({ from: "0150", to: "9900", weight: "1.2" }).slice(1)}&product=5800`);
    await page.getByTestId("book-submit").click();
    await expect(page.getByTestId("error-sender_name")).toBeVisible();
  },
  "booking confirmation": async (page) => {
    await openHydrated(page, `/book${searchUrl({ from: "0150", to: "9900", weight: "1.2" }).slice(1)}&product=5600`);
    await fill(page, OLA);
    await page.getByTestId("book-submit").click();
    await expect(page.getByTestId("booked")).toBeVisible();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  },
  diagnostics: async (page) => {
    await page.goto("/diagnostics");
    await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-verdict", /.+/, { timeout: 10_000 });
  },
};

for (const locale of ["en-US", "nb-NO"]) {
  test.describe(locale, () => {
    test.use({ locale });
    for (const width of [375, 1280]) {
      for (const [state, reach] of Object.entries(STATES)) {
        test(`axe finds nothing at ${width} px: ${state}`, async ({ page }) => {
          await page.setViewportSize({ width, height: 900 });
          await reach(page);
          expect(await violations(page)).toEqual([]);
        });
      }
    }
  });
}

test("a search works by keyboard alone", async ({ page }) => {
  await openHydrated(page);
  /** Presses Tab until the focused element is the one `selector` names (at most 30 presses). */
  async function tabTo(selector: string) {
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`Tab never reached ${selector}`);
  }
  await tabTo("[name=from_postal]");
  await page.keyboard.type("0150");
  await tabTo("[name=to_postal]");
  await page.keyboard.type("9900");
  await tabTo("[name=weight]");
  await page.keyboard.type("1.2");
  await page.keyboard.press("Enter");
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
  // The submit button is reachable too, and a focused button submits with Enter.
  await tabTo("[name=to_postal]");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("5003");
  await tabTo("form[data-testid=search-form] button[type=submit]");
  await expect(page.locator("form[data-testid=search-form] button[type=submit]")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("summary")).toContainText("5003 BERGEN");
});

test("loading cards shimmer, except for those who ask for less motion", async ({ page }) => {
  const shimmer = async () => {
    await openHydrated(page);
    await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
    // The express card answers last (1–2.5 s): its skeleton is still there when read.
    const bone = page.locator('[data-product-id="4850"][data-state="loading"] .bone').first();
    await expect(bone).toBeVisible();
    return bone.evaluate((el) => getComputedStyle(el).animationName);
  };
  expect(await shimmer()).toBe("shimmer");
  await page.emulateMedia({ reducedMotion: "reduce" });
  expect(await shimmer()).toBe("none");
});

test("after a search the focus is on the results and a polite status line announces the progress", async ({ page }) => {
  await openHydrated(page);
  await expect(page.locator("section.results")).not.toHaveAttribute("aria-live", /.*/);
  await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("results");
  const progress = page.getByTestId("progress");
  await expect(progress).toHaveAttribute("role", "status");
  await expect(progress).toHaveText(/^[0-4] of 5 services found$/);
  await expect(progress).toHaveText("5 of 5 services found");
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
});

test("a search with a mistake puts the focus on the field to correct", async ({ page }) => {
  await openHydrated(page);
  await submitSearch(page, { from: "0150", to: "99", weight: "1" });
  await expect(page.getByTestId("error-to_postal")).toBeVisible();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("to_postal");
});

test.describe("in bokmål", () => {
  test.use({ locale: "nb-NO" });

  test("the progress is announced in bokmål", async ({ page }) => {
    await openHydrated(page);
    await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
    await expect(page.getByTestId("progress")).toHaveText("5 av 5 tjenester funnet");
  });
});
