import { expect, Page } from "@playwright/test";

export type Search = { fromCountry?: string; from: string; toCountry?: string; to: string; weight: string };

export function searchUrl(s: Search): string {
  const q = new URLSearchParams({
    from_country: s.fromCountry ?? "NO",
    from_postal: s.from,
    to_country: s.toCountry ?? "NO",
    to_postal: s.to,
    weight: s.weight,
  });
  return `/?${q}`;
}

/** Opens the empty page and waits until the WASM has hydrated it. */
export async function openHydrated(page: Page, path = "/") {
  await page.goto(path);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Fills the form and submits it like a person would. */
export async function submitSearch(page: Page, s: Search) {
  const form = page.locator("form[data-testid=search-form]");
  await form.locator("select[name=from_country]").selectOption(s.fromCountry ?? "NO");
  await form.locator("input[name=from_postal]").fill(s.from);
  await form.locator("select[name=to_country]").selectOption(s.toCountry ?? "NO");
  await form.locator("input[name=to_postal]").fill(s.to);
  await form.locator("input[name=weight]").fill(s.weight);
  await form.locator("button[type=submit]").click();
}

export async function productIds(page: Page): Promise<string[]> {
  return page.locator("[data-product-id]").evaluateAll((els) => els.map((e) => e.getAttribute("data-product-id")!));
}

/** Which services the page shows, whatever their order (`?sort=` orders them). */
export async function servicesShown(page: Page): Promise<string[]> {
  return (await productIds(page)).sort();
}

/** The main server's `/healthz` (the server scripts/test started, at the config's base URL). */
export async function health(baseURL: string): Promise<any> {
  return (await fetch(`${baseURL}/healthz`)).json();
}
