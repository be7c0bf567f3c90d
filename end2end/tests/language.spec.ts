// The page speaks bokmål to a Norwegian browser and English to anyone else; `?lang=` wins and
// stays with the searches made from it; every word, number and date follows the language.
import { expect, Page, test } from "@playwright/test";
import { ChildProcess } from "child_process";
import * as path from "path";
import { openHydrated, searchUrl, submitSearch } from "./helpers";
import { proxyUrl, startProxy } from "./proxy";

const OSLO_KIRKENES = { from: "0150", to: "9900", weight: "1.2" };
const ARTIFACTS = path.join(__dirname, "..", "artifacts");
const NB_DATE = /^Levert innen (man|tir|ons|tor|fre)\. \d{1,2}\. (jan\.|feb\.|mar\.|apr\.|mai|jun\.|jul\.|aug\.|sep\.|okt\.|nov\.|des\.)$/;
const EN_DATE = /^Delivered by (Mon|Tue|Wed|Thu|Fri) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$/;

let proxy: ChildProcess;
test.beforeAll(async () => {
  proxy = await startProxy();
});
test.afterAll(() => {
  proxy?.kill();
});

test.beforeEach(async ({ page }) => {
  page.on("pageerror", (e) => {
    throw new Error(`page error: ${e.message}`);
  });
});

/** Every card answered, and each in the language's formats. */
async function expectCards(page: Page, price: RegExp, date: RegExp) {
  const cards = page.locator("[data-product-id]");
  await expect(cards).toHaveCount(5);
  for (const card of await cards.all()) {
    await expect(card).toHaveAttribute("data-state", "offer", { timeout: 10_000 });
    await expect(card.locator("[data-price]")).toHaveText(price);
    await expect(card.locator(".lead-date")).toHaveText(date);
  }
}

test.describe("a Norwegian browser", () => {
  test.use({ locale: "nb-NO" });

  test("gets the page in bokmål, with Norwegian money, dates and weights", async ({ page }) => {
    await openHydrated(page);
    await expect(page.locator("html")).toHaveAttribute("lang", "nb");
    await expect(page).toHaveTitle("Send pakke – priser og leveringstid | Fjordpost");
    await expect(page.locator("h1")).toHaveText("Send en pakke");
    await expect(page.locator("button[type=submit]")).toHaveText("Vis priser");
    await expect(page.locator("select[name=to_country] option[value=SE]")).toHaveText("Sverige");
    await submitSearch(page, OSLO_KIRKENES);
    await expect(page.getByTestId("summary")).toHaveText(
      "5 tjenester fra Norge 0150 OSLO til Norge 9900 KIRKENES · 1,2 kg",
    );
    await expectCards(page, /^kr \d{1,3}(\u00a0\d{3})*,\d{2}$/, NB_DATE);
    await expect(page.locator('[data-product-id="3584"] .card-name')).toHaveText("Pakke i postkassen");
    await expect(page.locator('[data-product-id="3584"] .price-note')).toHaveText("inkl. mva.");
  });

  test("sees field errors in bokmål, from the page and from the server", async ({ page }) => {
    await openHydrated(page);
    await submitSearch(page, { from: "12", to: "9900", weight: "0" });
    await expect(page.getByTestId("error-from_postal")).toHaveText(
      "Ikke et postnummer i Norge: forventet noe som 1234.",
    );
    await expect(page.getByTestId("error-weight")).toHaveText("Vekten må være mellom 0,001 og 1000 kg.");
    // Only the server knows the register.
    await submitSearch(page, { from: "0150", to: "1111", weight: "1" });
    await expect(page.getByTestId("error-to_postal")).toHaveText("1111 er ikke et postnummer i Norge.");
  });

  test("gets the fallback notice in bokmål", async ({ page }) => {
    await page.goto(`${proxyUrl("refuse-upgrade")}/`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const notice = page.getByTestId("transport-notice");
    await expect(notice.locator("h2")).toHaveText("Direkteoppdateringer er blokkert på dette nettverket");
    await expect(notice.getByRole("link")).toHaveText("Kjør en tilkoblingstest for IT");
    await expect(notice.getByRole("button")).toHaveText("Lukk");
  });

  test("?lang=en wins, the switch goes back with the search, and searches keep the language", async ({ page }) => {
    await openHydrated(page, `${searchUrl(OSLO_KIRKENES)}&lang=en`);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.locator("h1")).toHaveText("Send a parcel");
    await expectCards(page, /^NOK \d{1,3}(,\d{3})*\.\d{2}$/, EN_DATE);
    // A search made here keeps ?lang=en in its URL, so it can be shared as it is.
    await submitSearch(page, { from: "0150", to: "5003", weight: "2" });
    await expect(page).toHaveURL(/to_postal=5003.*lang=en|lang=en.*to_postal=5003/);
    await expect(page.getByTestId("summary")).toContainText("to Norway 5003 BERGEN · 2 kg");

    const toNorwegian = page.getByTestId("language-switch");
    await expect(toNorwegian).toHaveText("Norsk");
    await expect(toNorwegian).toHaveAttribute("lang", "nb");
    await toNorwegian.click();
    await expect(page).toHaveURL(/to_postal=5003.*lang=nb$/);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(page.locator("html")).toHaveAttribute("lang", "nb");
    await expect(page.getByTestId("summary")).toContainText("til Norge 5003 BERGEN · 2 kg");
    await expect(page.getByTestId("language-switch")).toHaveText("English");
    await expect(page.locator("footer a")).toHaveAttribute("href", "/diagnostics?lang=nb");
  });

  test("gets the connection test in bokmål", async ({ page }) => {
    await page.goto("/diagnostics");
    await expect(page.locator("html")).toHaveAttribute("lang", "nb");
    await expect(page.locator("h1")).toHaveText("Tilkoblingstest");
    const diagnosis = page.getByTestId("diagnosis");
    await expect(diagnosis).toHaveAttribute("data-verdict", "ok", { timeout: 10_000 });
    await expect(diagnosis.locator("h2")).toHaveText("Tilkoblingen din virker med denne siden");
    const open = page.locator('[data-check="websocket-open"]');
    await expect(open.locator(".check-title")).toHaveText("Direkteforbindelsen åpner seg");
    await expect(open.locator(".check-status")).toHaveText(/^Bestått · \d+ ms$/);
    await expect(open.locator(".check-sentence")).toHaveText("Direkteforbindelsen (WebSocket) åpnet seg.");
    await expect(page.locator('[data-check="websocket-stream"] .check-sentence')).toHaveText(
      /^Alle 12 meldingene kom slik de ble sendt, over \d,\d s\.$/,
    );
    await expect(page.getByTestId("copy-details")).toHaveText("Kopier detaljene");
  });

  test("screenshots in bokmål at 375 and 1280 px", async ({ page }) => {
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: width < 600 ? 900 : 1000 });
      await openHydrated(page, searchUrl(OSLO_KIRKENES));
      await expectCards(page, /^kr /, NB_DATE);
      await page.screenshot({ path: path.join(ARTIFACTS, `search-nb-${width}.png`), fullPage: true });
    }
  });

  test.describe("without JavaScript", () => {
    test.use({ javaScriptEnabled: false });

    test("the server renders the results in bokmål", async ({ page }) => {
      await page.goto(searchUrl(OSLO_KIRKENES));
      await expect(page.locator("html")).toHaveAttribute("lang", "nb");
      await expect(page.getByTestId("summary")).toHaveText(
        "5 tjenester fra Norge 0150 OSLO til Norge 9900 KIRKENES · 1,2 kg",
      );
      await expectCards(page, /^kr \d/, NB_DATE);
      await expect(page.getByTestId("language-switch")).toHaveAttribute("href", /lang=en$/);
    });
  });
});

test.describe("another browser", () => {
  for (const locale of ["en-GB", "sv-SE", "de-DE"]) {
    test.describe(locale, () => {
      test.use({ locale });

      test(`${locale} gets English`, async ({ page }) => {
        await openHydrated(page, searchUrl(OSLO_KIRKENES));
        await expect(page.locator("html")).toHaveAttribute("lang", "en");
        await expect(page.getByTestId("summary")).toHaveText(
          "5 services from Norway 0150 OSLO to Norway 9900 KIRKENES · 1.2 kg",
        );
        await expectCards(page, /^NOK \d{1,3}(,\d{3})*\.\d{2}$/, EN_DATE);
      });
    });
  }

  test("an Accept-Language naming bokmål after an unsupported language gets bokmål", async ({ request }) => {
    // The exact header (a browser's locale setting writes its own).
    for (const [header, lang] of [
      ["sv-SE,nb;q=0.8,en;q=0.5", "nb"],
      ["da-DK,en;q=0.9,nn;q=0.8", "en"],
      ["no", "nb"],
    ]) {
      const reply = await request.get("/", { headers: { "accept-language": header } });
      expect(await reply.text(), header).toContain(`<html lang="${lang}">`);
    }
  });

  test("what the server writes follows ?lang=nb on every tier, over an English browser", async ({ page, browser }) => {
    // 10 kg: the mailbox parcel carries up to 5 kg, and the server says so.
    const heavy = { from: "0150", to: "9900", weight: "10" };
    const reason = page.locator('[data-product-id="3584"] .card-reason');
    await openHydrated(page, "/?lang=nb");
    await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
    await submitSearch(page, heavy);
    await expect(reason).toHaveText("Tar opptil 5 kg");

    await page.goto(`${proxyUrl("refuse-upgrade")}/?lang=nb`);
    await expect(page.locator("body")).toHaveAttribute("data-transport", "http");
    await submitSearch(page, heavy);
    await expect(reason).toHaveText("Tar opptil 5 kg");

    const noScript = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    const plain = await noScript.newPage();
    await plain.goto(`${searchUrl(heavy)}&lang=nb`);
    await expect(plain.locator('[data-product-id="3584"] .card-reason')).toHaveText("Tar opptil 5 kg");
    await noScript.close();
  });

  test("?lang=nb wins over an English browser, and the form carries it on", async ({ page }) => {
    await openHydrated(page, "/?lang=nb");
    await expect(page.locator("h1")).toHaveText("Send en pakke");
    await expect(page.locator("form input[type=hidden][name=lang]")).toHaveValue("nb");
    await submitSearch(page, OSLO_KIRKENES);
    await expect(page).toHaveURL(/lang=nb/);
    await expect(page.getByTestId("summary")).toContainText("5 tjenester");
  });
});
