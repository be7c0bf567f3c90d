// The page on Bring's Shipping Guide API: the server's Bring client against the simulator
// served in Bring's wire format, through the real page in Chromium.
import { expect, test } from "@playwright/test";
import { openHydrated, submitSearch } from "./helpers";
import { startBringSimulator, startServer } from "./server";

test("with Bring credentials the page shows Bring's prices card by card, asking once per quote", async ({ page }) => {
  const bring = await startBringSimulator(4310);
  const server = await startServer(3110, {
    BRING_API_UID: "shop@example.com",
    BRING_API_KEY: "e2e-key-not-a-secret",
    BRING_API_URL: bring.url,
    BRING_CLIENT_URL: "https://promotions.example",
  });
  try {
    await openHydrated(page, `${server.url}/`);
    await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
    const cards = page.locator("[data-product-id]");
    await expect(cards).toHaveCount(5);
    // Pickup point parcel answers in tens of ms, express takes seconds: cards fill one by one.
    await expect(page.locator('[data-product-id="5800"]')).toHaveAttribute("data-state", "offer");
    await expect(page.locator('[data-product-id="4850"]')).toHaveAttribute("data-state", "loading");
    await expect(page.locator('[data-state="offer"]')).toHaveCount(5, { timeout: 15_000 });
    // The simulator's rule table priced it: 5800 Oslo → Kirkenes, 1.2 kg (2 started kg, 9 zones apart, +25 % VAT).
    await expect(page.locator('[data-product-id="5800"] [data-price]')).toHaveAttribute("data-price", "21367");
    await expect(page.locator('[data-product-id="5800"] [data-lead-days]')).toHaveAttribute("data-lead-days", "4");

    let api = await (await fetch(`${bring.url}/stats`)).json();
    expect(api.requests).toBe(5);
    expect(api.client_url).toBe("https://promotions.example");
    let health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health.guide).toMatchObject({ name: "bring", cache_misses: 5, cache_hits: 0 });

    // The same search again is answered from the quote cache: Bring is not asked.
    await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
    await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
    api = await (await fetch(`${bring.url}/stats`)).json();
    expect(api.requests).toBe(5);
    health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health.guide).toMatchObject({ cache_misses: 5, cache_hits: 5 });
    expect(JSON.stringify(health)).not.toContain("e2e-key-not-a-secret");
  } finally {
    server.stop();
    bring.stop();
  }
});
