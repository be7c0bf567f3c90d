// Parcel sizes: a carrier's presets (small fits a mailbox), own measurements, the volumetric
// weight on the cards when it decides the price, and a card that says the parcel is too large
// for it — with and without JavaScript, in both languages, on the simulator and through Bring.
import { expect, Page, test } from "@playwright/test";
import { openHydrated, searchUrl } from "./helpers";
import { startOnBring } from "./server";

const ROUTE = { from: "0150", to: "9900", weight: "2" };
const mailbox = (page: Page) => page.locator('[data-product-id="3584"]');

async function search(page: Page, size: string) {
  await page.locator(`[data-size=${size}] input`).check();
  await page.getByRole("button", { name: /Show prices|Vis priser/ }).click();
}

test.describe("with JavaScript, in English", () => {
  test("small fits the mailbox; large is too big for it and priced by its volume", async ({ page }) => {
    await openHydrated(page, searchUrl(ROUTE));
    // Own measurements only when chosen.
    await expect(page.locator("input[name=length]")).toBeHidden();
    await page.locator("[data-size=own] input").check();
    await expect(page.locator("input[name=length]")).toBeVisible();

    await search(page, "small");
    await expect(page).toHaveURL(/size=small/);
    expect(page.url(), "a size's measurements are its own").not.toContain("length=");
    await expect(mailbox(page)).toHaveAttribute("data-state", "offer");
    // 35 × 25 × 12 cm is 2.1 kg by volume, more than its 2 kg: the volume decides.
    await expect(mailbox(page).getByTestId("priced-by-volume")).toHaveText("Priced by volume: 2.1 kg");

    await search(page, "large");
    await expect(mailbox(page)).toHaveAttribute("data-state", "unavailable");
    await expect(mailbox(page)).toContainText("Fits parcels up to 35 × 25 × 12 cm");
    const pickup = page.locator('[data-product-id="5800"]');
    await expect(pickup).toHaveAttribute("data-state", "offer");
    await expect(pickup.getByTestId("priced-by-volume")).toHaveText("Priced by volume: 86.4 kg");
  });

  test("a parcel heavier than its size allows is told so at the weight", async ({ page }) => {
    await openHydrated(page, searchUrl(ROUTE));
    await page.locator("input[name=weight]").fill("6");
    await search(page, "small");
    await expect(page.getByTestId("error-weight")).toHaveText(
      "A parcel of this size weighs at most 5 kg: choose a larger size or your own measurements.",
    );
  });
});

test.describe("without JavaScript, in bokmål", () => {
  test.use({ javaScriptEnabled: false, locale: "nb-NO" });

  test("liten passer i postkassen; stor er for stor for den og prises etter volum", async ({ page }) => {
    await page.goto(searchUrl(ROUTE));
    await expect(page.locator("[data-size=small]")).toContainText("passer i postkassen");
    await search(page, "small");
    await expect(page).toHaveURL(/size=small/);
    await expect(mailbox(page)).toHaveAttribute("data-state", "offer");
    await search(page, "large");
    await expect(mailbox(page)).toContainText("Tar pakker opptil 35 × 25 × 12 cm");
    await expect(page.locator('[data-product-id="5800"]').getByTestId("priced-by-volume")).toHaveText("Prises etter volum: 86,4 kg");
    // Too heavy for the size: the server says so at the weight.
    await page.goto(`${searchUrl({ ...ROUTE, weight: "6" })}&size=small`);
    await expect(page.getByTestId("error-weight")).toHaveText(
      "En pakke i denne størrelsen veier høyst 5 kg: velg en større størrelse eller egne mål.",
    );
  });
});

let onBring: { server: { url: string }; stop: () => void } | undefined;
test.beforeAll(async () => {
  onBring = await startOnBring(3130, 4330);
});
test.afterAll(() => onBring?.stop());

test("through Bring's Shipping Guide a size's measurements reach Bring and price the same", async ({ page, baseURL }) => {
  const url = `${searchUrl(ROUTE)}&size=medium`;
  const price = async (base: string) => {
    await openHydrated(page, `${base}${url}`);
    const card = page.locator('[data-product-id="5800"]');
    await expect(card).toHaveAttribute("data-state", "offer");
    await expect(card.getByTestId("priced-by-volume")).toHaveText("Priced by volume: 19.2 kg");
    return card.locator("[data-price]").getAttribute("data-price");
  };
  expect(await price(onBring!.server.url)).toBe(await price(baseURL!));
});

// A large parcel on every tier and both backends: priced by its volume, too large for the
// mailbox (Bring's refusal names no size: PACKAGE_TOO_BIG).
const LARGE = {
  "en-US": { volume: "Priced by volume: 86.4 kg", simulator: "Fits parcels up to 35 × 25 × 12 cm", Bring: "Too big for this service" },
  "nb-NO": { volume: "Prises etter volum: 86,4 kg", simulator: "Tar pakker opptil 35 × 25 × 12 cm", Bring: "For stor for denne tjenesten" },
};
for (const backend of ["simulator", "Bring"] as const) {
  for (const locale of ["en-US", "nb-NO"] as const) {
    for (const javaScriptEnabled of [true, false]) {
      test.describe(`${backend}, ${locale}, ${javaScriptEnabled ? "with" : "without"} JavaScript`, () => {
        test.use({ locale, javaScriptEnabled });
        test("a large parcel is priced by its volume and too large for the mailbox", async ({ page, baseURL }) => {
          const base = backend === "Bring" ? onBring!.server.url : baseURL!;
          await page.goto(`${base}${searchUrl(ROUTE)}&size=large`);
          if (javaScriptEnabled) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
          await expect(mailbox(page)).toHaveAttribute("data-state", "unavailable");
          await expect(mailbox(page).locator(".card-reason")).toHaveText(LARGE[locale][backend]);
          await expect(page.locator('[data-product-id="5800"]').getByTestId("priced-by-volume")).toHaveText(LARGE[locale].volume);
        });
      });
    }
  }
}
