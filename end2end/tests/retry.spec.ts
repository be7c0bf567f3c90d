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
  await expect(page.locator("body")).toHaveAttribute("data-transport", "ws");
  await expect(page.getByTestId("transport-notice")).toHaveCount(0);
  expect(await page.evaluate(() => sessionStorage.getItem("promotions.http_until"))).toBeNull();
});
