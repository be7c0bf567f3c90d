// Fossil-free delivery: the cards say where the last mile is driven on electricity and
// biofuel (Bring's environmental data; the simulator has its own), in both languages, with and
// without JavaScript, on the simulator and through Bring's Shipping Guide.
import { expect, Page, test } from "@playwright/test";
import { openHydrated, searchUrl } from "./helpers";
import { startOnBring } from "./server";

const card = (page: Page, id: string) => page.locator(`[data-product-id="${id}"]`);

async function expectGreenCards(page: Page, words: { mark: string; oslo: string }) {
  await expect(card(page, "5600")).toHaveAttribute("data-state", "offer");
  await expect(card(page, "5600").getByTestId("fossil-free")).toHaveText(`${words.mark} ${words.oslo}`);
  // Collected at a pickup point: Bring reports nothing for it.
  await expect(card(page, "5800")).toHaveAttribute("data-state", "offer");
  await expect(card(page, "5800").getByTestId("fossil-free")).toHaveCount(0);
}

test("with JavaScript, in English: electric in Oslo, not yet in the far north", async ({ page }) => {
  await openHydrated(page, searchUrl({ from: "5003", to: "0560", weight: "1" }));
  await expectGreenCards(page, { mark: "Fossil-free delivery", oslo: "Last mile: 100 % electric" });
  await expect(card(page, "5000").getByTestId("fossil-free")).toHaveText("Fossil-free delivery Last mile: 100 % electric");
  await openHydrated(page, searchUrl({ from: "0150", to: "9900", weight: "1" }));
  await expect(card(page, "5600")).toHaveAttribute("data-state", "offer");
  await expect(page.getByTestId("fossil-free")).toHaveCount(0);
});

test.describe("without JavaScript, in bokmål", () => {
  test.use({ javaScriptEnabled: false, locale: "nb-NO" });
  test("fossilfri levering står på kortene", async ({ page }) => {
    await page.goto(searchUrl({ from: "0150", to: "5003", weight: "1" }));
    await expect(card(page, "5600").getByTestId("fossil-free")).toHaveText(
      "Fossilfri levering Siste strekning: 60 % elektrisk, 40 % biodrivstoff",
    );
    await expect(card(page, "5800").getByTestId("fossil-free")).toHaveCount(0);
  });
});

// Every tier on both backends: the mark as the server renders it and as the page hydrates it.
const GREEN = {
  "en-US": { mark: "Fossil-free delivery", oslo: "Last mile: 100 % electric" },
  "nb-NO": { mark: "Fossilfri levering", oslo: "Siste strekning: 100 % elektrisk" },
};
let onBring: { server: { url: string }; stop: () => void } | undefined;
test.beforeAll(async () => {
  onBring = await startOnBring(3140, 4340);
});
test.afterAll(() => onBring?.stop());

for (const backend of ["simulator", "Bring"] as const) {
  for (const locale of ["en-US", "nb-NO"] as const) {
    for (const javaScriptEnabled of [true, false]) {
      test.describe(`${backend}, ${locale}, ${javaScriptEnabled ? "with" : "without"} JavaScript`, () => {
        test.use({ locale, javaScriptEnabled });
        test("the fossil-free mark reaches the cards", async ({ page, baseURL }) => {
          const base = backend === "Bring" ? onBring!.server.url : baseURL!;
          await page.goto(`${base}${searchUrl({ from: "5003", to: "0560", weight: "1" })}`);
          if (javaScriptEnabled) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
          await expectGreenCards(page, GREEN[locale]);
        });
      });
    }
  }
}
