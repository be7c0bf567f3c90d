// Client errors reach the error tracker (Kent, a fake Sentry) through the same-origin tunnel.
import { expect, Page, test } from "@playwright/test";
import { ChildProcess } from "child_process";
import { openHydrated, submitSearch } from "./helpers";
import { proxyUrl, startProxy } from "./proxy";

// scripts/test starts Kent and the server with SENTRY_DSN pointing at it.
const KENT = process.env.KENT_URL ?? "http://127.0.0.1:5123";

type KentEvent = { event_id: string; summary: string };

async function kentEvents(): Promise<KentEvent[]> {
  const res = await fetch(`${KENT}/api/eventlist/`);
  return (await res.json()).events;
}

async function kentEvent(id: string): Promise<any> {
  return (await (await fetch(`${KENT}/api/event/${id}`)).json()).payload.body;
}

/** The page's posts to the tunnel: started, and answered (or failed). */
function watchTunnel(page: Page) {
  const posts = { started: 0, answered: 0 };
  const isTunnel = (url: string) => url.endsWith("/api/sentry-tunnel");
  page.on("request", (r) => isTunnel(r.url()) && (posts.started += 1));
  page.on("requestfinished", (r) => isTunnel(r.url()) && (posts.answered += 1));
  page.on("requestfailed", (r) => isTunnel(r.url()) && (posts.answered += 1));
  return posts;
}

/** Waits until every report the page posted has been answered and has reached Kent; returns
 * how many there were. The page posts a report the moment it reports (no batching), so once
 * what triggered it is over (the cards are in, the panic has surfaced), this is all of them. */
async function allReportsDelivered(posts: { started: number; answered: number }): Promise<number> {
  await expect
    .poll(async () => posts.started > 0 && posts.answered === posts.started && (await kentEvents()).length === posts.started, {
      timeout: 10_000,
    })
    .toBe(true);
  return posts.started;
}

let proxy: ChildProcess;
test.beforeAll(async () => {
  const up = await fetch(`${KENT}/api/eventlist/`).then((r) => r.ok, () => false);
  if (!up) throw new Error(`Kent is not running at ${KENT}: run ./scripts/test, or ./scripts/kent start and serve with SENTRY_DSN=$(./scripts/kent dsn)`);
  proxy = await startProxy();
});
test.afterAll(() => proxy?.kill());
test.beforeEach(async () => {
  await fetch(`${KENT}/api/flush/`, { method: "POST" });
});

test("a fallback through a resetting proxy is reported once, with its close code and trigger", async ({ page }) => {
  const posts = watchTunnel(page);
  await openHydrated(page, `${proxyUrl("rst-after-upgrade")}/`);
  await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
  await expect(page.getByTestId("transport-notice")).toBeVisible();
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
  expect(await allReportsDelivered(posts)).toBe(1);
  const events = await kentEvents();
  expect(events.map((e) => e.summary)).toEqual([expect.stringContaining("TransportFallback")]);
  const body = await kentEvent(events[0].event_id);
  expect(body.tags.trigger).toBe("closed_before_done");
  expect(body.tags.close_code).toBe("1006");
  expect(body.tags.was_clean).toBe("false");
  expect(body.extra.user_agent).toContain("Chrome");
  expect(body.request.url).not.toContain("?");
  expect(body.breadcrumbs.values.map((b: any) => b.message)).toContain("close");
});

test("a refused upgrade (error, then close) is reported with the close's code", async ({ page }) => {
  await openHydrated(page, `${proxyUrl("refuse-upgrade")}/`);
  await expect(page.getByTestId("transport-notice")).toBeVisible();
  await expect.poll(async () => (await kentEvents()).length, { timeout: 10_000 }).toBeGreaterThan(0);
  const events = await kentEvents();
  expect(events.map((e) => e.summary)).toEqual([expect.stringContaining("TransportFallback")]);
  const body = await kentEvent(events[0].event_id);
  expect(body.tags.trigger).toBe("error_event");
  expect(body.tags.close_code).toBe("1006");
  expect(body.tags.was_clean).toBe("false");
});

test("a Rust panic in the page is reported once, with its message", async ({ page }) => {
  const posts = watchTunnel(page);
  const surfaced = page.waitForEvent("pageerror");
  await page.goto("/?debug_panic=1");
  // The panic surfaces as the page's uncaught error after the panic hook has reported it.
  await surfaced;
  expect(await allReportsDelivered(posts)).toBe(1);
  const events = await kentEvents();
  expect(events.map((e) => e.summary)).toEqual(["panic: deliberate client panic for error-reporting tests"]);
  const body = await kentEvent(events[0].event_id);
  expect(body.platform).toBe("javascript");
  expect(body.release).toMatch(/^promotions@/);
});

test("the page keeps working when the tunnel is down", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.route("**/api/sentry-tunnel", (route) => route.abort());
  await openHydrated(page, `${proxyUrl("rst-after-upgrade")}/`);
  await submitSearch(page, { from: "0150", to: "9900", weight: "1.2" });
  await expect(page.getByTestId("transport-notice")).toBeVisible();
  await expect(page.locator('[data-state="offer"]')).toHaveCount(5);
  expect(errors).toEqual([]);
  expect(await kentEvents()).toEqual([]);
});
