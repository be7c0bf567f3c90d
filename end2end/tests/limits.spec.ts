// Per-session and per-address limits as a customer meets them: a clear answer, never a hang, and no blame on
// their network when it is the server saying "busy".
import { expect, test } from "@playwright/test";
import * as path from "path";
import { openHydrated, submitSearch } from "./helpers";
import { startServer } from "./server";

const OSLO_KIRKENES = { from: "0150", to: "9900", weight: "1.2" };

test("over the socket cap, the page gets every result over HTTP without blaming the network", async ({ browser }) => {
  const server = await startServer(3101, { MAX_SOCKETS_PER_IP: "1" });
  try {
    const first = await browser.newPage();
    await openHydrated(first, `${server.url}/`);
    await expect(first.locator("body")).toHaveAttribute("data-transport", "socket");

    const second = await browser.newPage();
    await openHydrated(second, `${server.url}/`);
    // The server closes the second page's socket with 1013: the page moves to HTTP quietly.
    await expect(second.locator("body")).toHaveAttribute("data-transport", "http");
    await submitSearch(second, OSLO_KIRKENES);
    await expect(second.locator('[data-state="offer"]')).toHaveCount(5, { timeout: 15_000 });
    await expect(second.getByTestId("transport-notice")).toHaveCount(0);
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health.refused_sockets).toBeGreaterThanOrEqual(1);
  } finally {
    server.stop();
  }
});

test("too many searches get a plain message saying when to try again", async ({ page }) => {
  const server = await startServer(3102, { SEARCHES_PER_MINUTE: "2", GUIDE_LATENCY_SCALE: "0" });
  try {
    await openHydrated(page, `${server.url}/`);
    for (const to of ["9900", "5003"]) {
      await submitSearch(page, { ...OSLO_KIRKENES, to });
      await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
    }
    await submitSearch(page, { ...OSLO_KIRKENES, to: "7010" });
    const failed = page.getByTestId("search-failed");
    await expect(failed).toBeVisible();
    await expect(failed).toContainText(/Too many searches in the last minute\. Try again in \d+ s\./);
    await expect(page.locator("[data-product-id]")).toHaveCount(0);
    await page.screenshot({ path: path.join(__dirname, "..", "artifacts", "rate-limited.png"), fullPage: true });
  } finally {
    server.stop();
  }
});
