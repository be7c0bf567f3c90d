// Cut-off times and delivery dates: each card says whether the parcel ships today if ordered
// now (each service has its own cut-off on Norway's clock) or on which day, when it arrives,
// and for home delivery the other days the recipient could choose. Both languages, with and
// without JavaScript, on the simulator and through Bring's Shipping Guide; the sort by
// delivery and the marks follow the dates. The servers' clock starts on Friday 4 December
// 2026 at 14:30 in Oslo (CLOCK_START): past home delivery's 14:00, before the others'.
import { expect, Page, test } from "@playwright/test";
import * as path from "path";
import { downloadLabel, fill, OLA, searchUrl, violations } from "./helpers";
import { Server, startOnBring, startServer } from "./server";

const CLOCK = { CLOCK_START: "2026-12-04T14:30:00+01:00" };
const ROUTE = searchUrl({ from: "0150", to: "0560", weight: "1" });

const WORDS = {
  "en-US": {
    today: "Order by 15:00 today to ship today",
    express: "Order by 17:00 today to ship today",
    monday: "Ships Mon 7 Dec if ordered now (same-day cut-off 14:00)",
    delivered: "Delivered by Tue 8 Dec",
    other: "Other delivery days:",
    dates: ["Wed 9 Dec", "Thu 10 Dec", "Fri 11 Dec"],
  },
  "nb-NO": {
    today: "Bestill innen kl. 15.00 i dag, så sendes pakken i dag",
    express: "Bestill innen kl. 17.00 i dag, så sendes pakken i dag",
    monday: "Sendes man. 7. des. om du bestiller nå (frist kl. 14.00 for sending samme dag)",
    delivered: "Levert innen tir. 8. des.",
    other: "Andre leveringsdager:",
    dates: ["ons. 9. des.", "tor. 10. des.", "fre. 11. des."],
  },
};

const card = (page: Page, id: string) => page.locator(`[data-product-id="${id}"]`);

async function expectDispatch(page: Page, words: (typeof WORDS)["en-US"]) {
  for (const id of ["5800", "5600", "3584", "5000", "4850"]) {
    await expect(card(page, id)).toHaveAttribute("data-state", "offer");
  }
  const pickup = card(page, "5800").getByTestId("dispatch");
  await expect(pickup).toHaveText(words.today);
  await expect(pickup).toHaveAttribute("data-today", "");
  await expect(card(page, "4850").getByTestId("dispatch")).toHaveText(words.express);
  // Home delivery missed its cut-off: it ships Monday, arrives Tuesday, or a later day.
  const home = card(page, "5600");
  await expect(home.getByTestId("dispatch")).toHaveText(words.monday);
  await expect(home.getByTestId("dispatch")).not.toHaveAttribute("data-today");
  await expect(home.locator(".lead-date")).toHaveText(words.delivered);
  await expect(home.getByTestId("alternatives")).toContainText(words.other);
  await expect(home.locator(".alternative")).toHaveText(words.dates);
  await expect(card(page, "5800").getByTestId("alternatives")).toHaveCount(0);
}

let simulator: Server | undefined;
let onBring: { server: Server; stop: () => void } | undefined;
test.beforeAll(async () => {
  simulator = await startServer(3150, CLOCK);
  onBring = await startOnBring(3151, 4350, CLOCK);
});
test.afterAll(() => {
  simulator?.stop();
  onBring?.stop();
});

for (const backend of ["simulator", "Bring"] as const) {
  for (const locale of ["en-US", "nb-NO"] as const) {
    for (const javaScriptEnabled of [true, false]) {
      test.describe(`${backend}, ${locale}, ${javaScriptEnabled ? "with" : "without"} JavaScript`, () => {
        test.use({ locale, javaScriptEnabled });
        test("each card says when the parcel ships and arrives", async ({ page }) => {
          const base = backend === "Bring" ? onBring!.server.url : simulator!.url;
          await page.goto(`${base}${ROUTE}`);
          if (javaScriptEnabled) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
          await expectDispatch(page, WORDS[locale]);
        });
      });
    }
  }
}

test("sorted by delivery, the cards go by date, and the fastest mark is on the earliest", async ({ page }) => {
  await page.goto(`${simulator!.url}${ROUTE}&sort=delivery`);
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const dates = await page.locator('[data-state="offer"] .lead-date').allTextContents();
  // Pickup point, business and express arrive Monday; mailbox (two days) and home delivery
  // (shipped Monday) on Tuesday.
  expect(dates).toEqual(["Delivered by Mon 7 Dec", "Delivered by Mon 7 Dec", "Delivered by Mon 7 Dec", "Delivered by Tue 8 Dec", "Delivered by Tue 8 Dec"]);
  const fastest = page.locator("[data-fastest]");
  await expect(fastest).toHaveCount(1);
  await expect(fastest.locator(".lead-date")).toHaveText("Delivered by Mon 7 Dec");
});

test("the booking page says when the chosen service ships, and the label carries that day", async ({ page }) => {
  await page.goto(`${simulator!.url}/book${ROUTE.slice(1)}&product=5600`);
  await expect(page.getByTestId("chosen").getByTestId("dispatch")).toHaveText(WORDS["en-US"].monday);
  await fill(page, OLA);
  await page.getByTestId("book-submit").click();
  await expect(page.getByTestId("booked")).toBeVisible();
  expect(await downloadLabel(page)).toContain("Shipped 2026-12-07");
});

for (const width of [375, 1280]) {
  test(`axe finds nothing on cards with cut-offs and other days at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${simulator!.url}${ROUTE}`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expectDispatch(page, WORDS["en-US"]);
    expect(await violations(page)).toEqual([]);
  });
}

// The README's screenshots (copied from end2end/artifacts to docs/screenshots): a medium parcel
// from Oslo to Oslo, so the cards show every fact — volume pricing, fossil-free, both cut-off
// states, other delivery days and a service the parcel is too large for.
test("screenshots of the result cards at 375 and 1280 px", async ({ page }) => {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: width < 600 ? 900 : 1000 });
    await page.goto(`${simulator!.url}${searchUrl({ from: "0150", to: "0560", weight: "2" })}&size=medium`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // A medium parcel does not fit a mailbox.
    await expect(page.locator('[data-state="offer"]')).toHaveCount(4);
    await expect(card(page, "3584")).toHaveAttribute("data-state", "unavailable");
    await expect(card(page, "5600").locator(".alternative")).toHaveCount(3);
    await expect(card(page, "5600").getByTestId("fossil-free")).toBeVisible();
    await expect(card(page, "5800").getByTestId("priced-by-volume")).toHaveText("Priced by volume: 19.2 kg");
    await page.screenshot({ path: path.join(__dirname, "..", "artifacts", `cards-${width}.png`), fullPage: true });
  }
});
