import AxeBuilder from "@axe-core/playwright";
import { expect, Page } from "@playwright/test";
import * as fs from "fs";

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

export type Person = { senderName: string; senderStreet: string; name: string; street: string; phone: string; email: string; reference?: string };
export const OLA: Person = {
  senderName: "Kari Nordmann",
  senderStreet: "Storgata 1",
  name: "Ola Nordmann",
  street: "Kongens gate 2",
  phone: "912 34 567",
  email: "ola@example.no",
  reference: "Ordre 42",
};

/** Fills the booking form's customer fields. */
export async function fill(page: Page, p: Person) {
  await page.fill("#sender_name", p.senderName);
  await page.fill("#sender_street", p.senderStreet);
  await page.fill("#recipient_name", p.name);
  await page.fill("#recipient_street", p.street);
  await page.fill("#recipient_phone", p.phone);
  await page.fill("#recipient_email", p.email);
  await page.fill("#reference", p.reference ?? "");
}

/** What axe-core finds wrong on the page as it stands, one line per rule. */
export async function violations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** The label behind the confirmation's link: a PDF (its text uncompressed, so checks can read it). */
export async function downloadLabel(page: Page): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("label-link").click()]);
  const pdf = fs.readFileSync((await download.path())!).toString("latin1");
  expect(pdf.startsWith("%PDF-")).toBe(true);
  return pdf;
}
