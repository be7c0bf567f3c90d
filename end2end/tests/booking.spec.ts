// From a price to a booked parcel: a card's "Choose", the booking form (pickup point, every
// field checked), the confirmation and the label, in both languages, with and without
// JavaScript, on the simulator and through Bring's APIs (served by bring-simulator); a double
// submit books once; a booking is still there after a restart; a failing booking service
// loses nothing typed.
import { expect, Page, test } from "@playwright/test";
import { downloadLabel, fill, health, OLA, openHydrated, searchUrl } from "./helpers";
import { dataDir, Server, startOnBring, startServer } from "./server";

const ROUTE = { from: "0150", to: "9900", weight: "1.2" };

/** From the search's results to the booking form of one service; returns the card's price. */
async function choose(page: Page, product: string): Promise<string> {
  const card = page.locator(`[data-product-id="${product}"][data-state="offer"]`);
  await expect(card).toBeVisible();
  const price = (await card.locator(".price-amount").textContent())!;
  await card.getByTestId("choose").click();
  await expect(page).toHaveURL(new RegExp(`/book\\?.*product=${product}`));
  return price;
}

/** "370123456789012345" as the label prints it: "370 1234 5678 9012 345". */
function grouped(n: string): string {
  return [n.slice(0, 3), ...n.slice(3).match(/.{1,4}/g)!].join(" ");
}

/** Words the checks read, per language. */
const WORDS = {
  "en-US": { heading: "Book your parcel", submit: "Book shipment", booked: "Your parcel is booked", route: "0150 OSLO → 9900 KIRKENES · 1.2 kg" },
  "nb-NO": { heading: "Bestill frakt", submit: "Bestill frakt", booked: "Pakken din er bestilt", route: "0150 OSLO → 9900 KIRKENES · 1,2 kg" },
};

/** The simulator behind the main server, or Bring's three APIs served by bring-simulator. */
const BACKENDS = ["simulator", "Bring"] as const;
let bring: Server | undefined;
let onBring: Server | undefined;
let stopBring = () => {};
test.beforeAll(async () => {
  ({ server: onBring, bring, stop: stopBring } = await startOnBring(3122, 4320, { BRING_CUSTOMER_NUMBER: "PARCELS_NORWAY-00012345678" }));
});
test.afterAll(() => stopBring());

for (const backend of BACKENDS) {
  for (const locale of ["en-US", "nb-NO"] as const) {
    for (const javaScriptEnabled of [true, false]) {
      test.describe(`${backend}, ${locale}, ${javaScriptEnabled ? "with" : "without"} JavaScript`, () => {
        test.use({ locale, javaScriptEnabled });
        test("choose a pickup point parcel, pick a pickup point, book it, download its label", async ({ page, baseURL }) => {
          const words = WORDS[locale];
          const base = backend === "Bring" ? onBring!.url : baseURL!;
          const bookedBefore = backend === "Bring" ? (await (await fetch(`${bring!.url}/booking/stats`)).json()).test_bookings : 0;
          const hydrated = async () => {
            if (javaScriptEnabled) await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
          };
          await page.goto(`${base}${searchUrl(ROUTE)}`);
          await hydrated();
          const price = await choose(page, "5800");
          await hydrated();
          await expect(page.locator("h1")).toHaveText(words.heading);
          // Quoted again by the server: the same price as the card's.
          await expect(page.getByTestId("chosen-price")).toHaveText(price);
          await expect(page.getByTestId("chosen")).toContainText(words.route);
          // The nearest pickup point is chosen; the customer takes the second.
          const points = page.getByTestId("pickup-points").locator("input[type=radio]");
          await expect(points).toHaveCount(10);
          await expect(points.first()).toBeChecked();
          const second = page.getByTestId("pickup-points").locator("li").nth(1);
          const pointName = (await second.locator(".point-name").textContent())!;
          await second.locator("label").click();
          await fill(page, OLA);
          await page.getByRole("button", { name: words.submit }).click();
          await expect(page.locator("h1")).toHaveText(words.booked);
          const number = (await page.getByTestId("shipment-number").textContent())!;
          // Ours: an 18-digit parcel number; Bring's: its 17-digit consignment number.
          expect(number).toMatch(backend === "Bring" ? /^7\d{16}$/ : /^370\d{15}$/);
          await expect(page.getByTestId("booked-point")).toContainText(pointName);
          await expect(page.getByTestId("booked-recipient")).toContainText("Ola Nordmann");
          const pdf = await downloadLabel(page);
          expect(pdf).toContain(pointName);
          expect(pdf).toContain("Ola Nordmann");
          if (backend === "Bring") {
            const stats = await (await fetch(`${bring!.url}/booking/stats`)).json();
            expect(stats.test_bookings - bookedBefore, "booked through Bring, as a test booking").toBe(1);
            expect(stats.live_bookings).toBe(0);
          } else {
            expect(pdf).toContain(grouped(number));
          }
        });
      });
    }
  }
}

test.describe("with JavaScript, in English", () => {
  test("a field's problem shows as the customer leaves it, and nothing is sent until all are right", async ({ page }) => {
    await openHydrated(page, searchUrl(ROUTE));
    await choose(page, "5600");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const posts: string[] = [];
    page.on("request", (r) => r.method() === "POST" && r.url().includes("/book") && posts.push(r.url()));
    // Leaving a bad field: its error, in the page's words; an empty one waits for the submit.
    await page.fill("#recipient_phone", "12345");
    await page.focus("#recipient_email");
    await expect(page.getByTestId("error-recipient_phone")).toHaveText(/Enter a mobile number, e\.g\. 912 34 567/);
    await expect(page.getByTestId("error-recipient_email")).toBeHidden();
    await page.fill("#recipient_email", "ola@example");
    await page.getByTestId("book-submit").click();
    await expect(page.getByTestId("book-errors")).toBeVisible();
    for (const field of ["sender_name", "sender_street", "recipient_name", "recipient_street", "recipient_phone", "recipient_email"]) {
      await expect(page.getByTestId(`error-${field}`)).toBeVisible();
      await expect(page.locator(`#${field}`)).toHaveAttribute("aria-invalid", "true");
    }
    await expect(page.locator("#sender_name")).toBeFocused();
    expect(posts).toEqual([]);
    // Corrected: each error goes as its field is fixed, and the form is sent.
    await fill(page, { ...OLA, reference: "" });
    await page.focus("#reference");
    await expect(page.getByTestId("error-recipient_phone")).toBeHidden();
    await page.getByTestId("book-submit").click();
    await expect(page.getByTestId("booked")).toBeVisible();
    expect(posts).toHaveLength(1);
  });

  test("a double click books once", async ({ page, baseURL }) => {
    await openHydrated(page, searchUrl(ROUTE));
    await choose(page, "5600");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await fill(page, OLA);
    const before = (await health(baseURL!)).bookings_made;
    await page.getByTestId("book-submit").dblclick();
    await expect(page.getByTestId("booked")).toBeVisible();
    expect((await health(baseURL!)).bookings_made - before).toBe(1);
  });
});

test.describe("without JavaScript, in bokmål", () => {
  test.use({ javaScriptEnabled: false, locale: "nb-NO" });

  test("feil i hvert felt kommer tilbake med en forklaring, og alt som ble skrevet står der", async ({ page }) => {
    await page.goto(searchUrl(ROUTE));
    await choose(page, "5800");
    await fill(page, { senderName: "", senderStreet: "12", name: "x".repeat(36), street: "Kongens gate 2", phone: "12345", email: "ola@", reference: "r".repeat(36) });
    await page.getByRole("button", { name: "Bestill frakt" }).click();
    await expect(page.getByTestId("book-errors")).toHaveText(/Sjekk feltene/);
    await expect(page.getByTestId("error-sender_name")).toHaveText("Fyll ut dette feltet.");
    await expect(page.getByTestId("error-sender_street")).toHaveText("Skriv gate og nummer, f.eks. Storgata 1.");
    await expect(page.getByTestId("error-recipient_name")).toHaveText(/Høyst 35 tegn/);
    await expect(page.getByTestId("error-recipient_phone")).toHaveText(/Skriv et mobilnummer/);
    await expect(page.getByTestId("error-recipient_email")).toHaveText(/Skriv en e-postadresse/);
    await expect(page.getByTestId("error-reference")).toHaveText(/Høyst 35 tegn/);
    await expect(page.getByTestId("error-recipient_street")).toBeHidden();
    await expect(page.locator("#recipient_street")).toHaveValue("Kongens gate 2");
    await expect(page.locator("#recipient_phone")).toHaveValue("12345");
    await expect(page.locator("#reference")).toHaveValue("r".repeat(36));
    // Put right, the same form books.
    await fill(page, OLA);
    await page.getByRole("button", { name: "Bestill frakt" }).click();
    await expect(page.locator("h1")).toHaveText("Pakken din er bestilt");
  });
});

test("the same form sent twice at once books once", async ({ page, baseURL }) => {
  await openHydrated(page, searchUrl(ROUTE));
  await choose(page, "5800");
  await fill(page, OLA);
  // What a double submit on a slow line sends: the form's own fields, twice, at once.
  const form = await page.getByTestId("booking-form").evaluate((f) => new URLSearchParams(new FormData(f as HTMLFormElement) as any).toString());
  const before = (await health(baseURL!)).bookings_made;
  const send = () =>
    page.request.post(`/book`, {
      headers: { "content-type": "application/x-www-form-urlencoded", origin: baseURL! },
      data: form,
      maxRedirects: 0,
    });
  const [first, second] = await Promise.all([send(), send()]);
  expect([first.status(), second.status()]).toEqual([303, 303]);
  expect(second.headers()["location"]).toBe(first.headers()["location"]);
  expect((await health(baseURL!)).bookings_made - before).toBe(1);
  await page.goto(first.headers()["location"]);
  await expect(page.getByTestId("booked-recipient")).toContainText("Ola Nordmann");
});

test("a booking is there after the server restarts", async ({ page }) => {
  const data = dataDir();
  let server = await startServer(3120, { DATA_DIR: data, GUIDE_LATENCY_SCALE: "0" });
  try {
    await page.goto(`${server.url}${searchUrl(ROUTE)}`);
    await choose(page, "5800");
    await fill(page, OLA);
    await page.getByTestId("book-submit").click();
    await expect(page.getByTestId("booked")).toBeVisible();
    const confirmation = page.url();
    const number = (await page.getByTestId("shipment-number").textContent())!;
    server.stop();
    await expect.poll(() => fetch(`${server.url}/healthz`).then(() => "up", () => "down")).toBe("down");
    server = await startServer(3120, { DATA_DIR: data, GUIDE_LATENCY_SCALE: "0" });
    await page.goto(confirmation);
    await expect(page.getByTestId("shipment-number")).toHaveText(number);
    expect(await downloadLabel(page)).toContain(grouped(number));
  } finally {
    server.stop();
  }
});

test("a booking service that fails is said plainly and nothing typed is lost", async ({ page }) => {
  const server = await startServer(3121, { BOOKING_SIMULATOR_FAILURE_RATE: "1", GUIDE_LATENCY_SCALE: "0" });
  try {
    await openHydrated(page, `${server.url}${searchUrl(ROUTE)}`);
    await choose(page, "5800");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const third = page.getByTestId("pickup-points").locator("li").nth(2);
    await third.locator("label").click();
    await fill(page, OLA);
    await page.getByTestId("book-submit").click();
    await expect(page.getByTestId("book-failed")).toContainText("Nothing was booked");
    await expect(page.locator("#recipient_email")).toHaveValue(OLA.email);
    await expect(page.locator("#reference")).toHaveValue(OLA.reference!);
    await expect(third.locator("input")).toBeChecked();
    expect((await health(server.url)).bookings_failed).toBe(1);
  } finally {
    server.stop();
  }
});
