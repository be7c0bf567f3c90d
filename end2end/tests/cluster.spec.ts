// The local deployment (scripts/cluster): nginx with TLS and HTTP/2 in front of two instances
// sharing Redis and PostgreSQL. Searches over wss://, the quote cache and the per-address
// budget shared by the instances, Redis taken away mid-run, rolling restarts, and a booking
// found on every instance and after restarts.
import { expect, Page, test } from "@playwright/test";
import { execFileSync, spawn } from "child_process";
import * as path from "path";
import { fill, OLA, openHydrated, submitSearch } from "./helpers";

const ROOT = path.join(__dirname, "..", "..");
const ORIGIN = "https://127.0.0.1:8443";
const INSTANCES = [1, 2];
const instanceUrl = (n: number) => `http://127.0.0.1:${3200 + n}`;
/** What every instance gets besides what scripts/cluster sets. */
const ENV = {
  QUOTE_CACHE_TTL_SECS: "300",
  SEARCHES_PER_MINUTE_PER_ADDRESS: "40",
};

function cluster(...args: string[]): string {
  const { SENTRY_DSN: _, ...env } = process.env; // the reporting tests count Kent's events
  return execFileSync(path.join(ROOT, "scripts", "cluster"), args, { cwd: ROOT, env: { ...env, ...ENV }, encoding: "utf8" });
}

/** Starts a cluster command without waiting for it (SIGTERM drains for a while). */
function clusterInBackground(...args: string[]): Promise<number | null> {
  const child = spawn(path.join(ROOT, "scripts", "cluster"), args, { cwd: ROOT, stdio: "ignore" });
  return new Promise((resolve) => child.on("exit", resolve));
}

async function health(n: number): Promise<any> {
  return (await fetch(`${instanceUrl(n)}/healthz`)).json();
}

/** The instance holding the page's socket. */
async function socketInstance(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    for (const n of INSTANCES) {
      const h = await health(n).catch(() => null);
      if (h?.sockets === 1) return n;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no instance holds the page's socket");
}

async function openOnSocket(page: Page) {
  await openHydrated(page, `${ORIGIN}/`);
  await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
}

const offers = (page: Page) => page.locator('[data-state="offer"]');
const route = (to: string) => ({ from: "0150", to, weight: "1.2" });

/** A search on the socket with its express card still out; returns the socket's instance. */
async function midSearchOnSocket(page: Page, to: string): Promise<number> {
  await openOnSocket(page);
  const instance = await socketInstance();
  await submitSearch(page, route(to));
  await expect(offers(page).first()).toBeVisible();
  expect(await offers(page).count(), "the express card is still outstanding").toBeLessThan(5);
  return instance;
}

test.describe("through nginx, two instances and Redis", () => {
  test.describe.configure({ mode: "serial" });
  test.use({ ignoreHTTPSErrors: true }); // the certificate scripts/cluster made for 127.0.0.1

  test.beforeAll(() => {
    cluster("up", "--no-build");
  });
  test.afterAll(() => {
    cluster("down");
  });

  test("the page searches over wss:// through nginx", async ({ page }) => {
    const socketUrls: string[] = [];
    page.on("websocket", (ws) => socketUrls.push(ws.url()));
    await openOnSocket(page);
    await submitSearch(page, route("9900"));
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
    await expect(page.getByTestId("transport-notice")).toHaveCount(0);
    // The page names its language, for what the server writes.
    expect(socketUrls).toEqual(["wss://127.0.0.1:8443/ws/promotions?lang=en"]);
    expect(INSTANCES).toContain(await socketInstance());
  });

  test("a search over HTTP streams through nginx line by line, not held back", async ({ page }) => {
    await openOnSocket(page);
    const lines = await page.evaluate(async () => {
      // A weight no other test asks for: the instances share a quote cache.
      const request = { from: { country: "NO", postal_code: "0150" }, to: { country: "NO", postal_code: "9900" }, parcel: { weight_grams: 1700 } };
      const started = performance.now();
      const response = await fetch("/api/search", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ search_id: 1, request }),
      });
      const reader = response.body!.getReader();
      const seen: { type: string; ms: number }[] = [];
      let text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
          seen.push({ type: JSON.parse(text.slice(0, nl)).type, ms: performance.now() - started });
          text = text.slice(nl + 1);
        }
      }
      return seen;
    });
    expect(lines.map((l) => l.type)).toEqual(["accepted", "offer", "offer", "offer", "offer", "offer", "done"]);
    // Express takes 1-2.5 s; the fast products' lines came long before it.
    const [accepted, first, last] = [lines[0].ms, lines[1].ms, lines[5].ms];
    expect(last - first, JSON.stringify(lines)).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(first);
  });

  test("the connection test through nginx: ok, the TLS version, and nginx's own forwarding is no proxy hint", async ({ page }) => {
    await page.goto(`${ORIGIN}/diagnostics`);
    await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-verdict", "ok", { timeout: 10_000 });
    const seen = page.getByTestId("seen-headers");
    await expect(seen).toContainText("X-Forwarded-Proto");
    await expect(seen).toContainText("https");
    await expect(seen).toContainText(/TLSv1\.[23]/);
    await expect(page.locator("[data-check=proxy-hints]")).toHaveAttribute("data-result", "pass");
    await expect(page.locator("[data-check=error-reporting]")).toHaveAttribute("data-result", "warn"); // no DSN here

    // A proxy on the customer's side: its address reaches us ahead of the one nginx adds.
    await page.setExtraHTTPHeaders({ "x-forwarded-for": "10.9.8.7" });
    await page.goto(`${ORIGIN}/diagnostics`);
    await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-verdict", "ok", { timeout: 10_000 });
    await expect(page.locator("[data-check=proxy-hints]")).toHaveAttribute("data-result", "warn");
    await expect(page.getByTestId("proxy-hints")).toContainText("forwarded the request for 10.9.8.7");
  });

  test("requests alternating between instances share the quote cache and the address's budget", async () => {
    const request = { from: { country: "NO", postal_code: "0150" }, to: { country: "NO", postal_code: "8001" }, parcel: { weight_grams: 2500 } };
    const post = (n: number, endpoint: string, body: object, headers: Record<string, string> = {}) =>
      fetch(`${instanceUrl(n)}/api/${endpoint}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const hitsBefore = (await health(2)).guide.cache_hits;
    const first = await (await post(1, "quote_product", { request, product_id: "5800" })).json();
    const second = await (await post(2, "quote_product", { request, product_id: "5800" })).json();
    expect(second).toEqual(first);
    expect((await health(2)).guide.cache_hits).toBe(hitsBefore + 1);

    // 40 searches a minute for one office address, from 40 browser sessions, each handed out
    // by one instance and used on the other (they sign with one secret), alternating.
    const office = { "x-forwarded-for": "198.51.100.7" };
    const newSession = async (n: number) => {
      const first = await fetch(`${instanceUrl(n)}/api/search`, { headers: office });
      const cookie = first.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("__Host-promo_session="));
      expect(cookie, "an https deployment's session is __Host- and Secure").toBeTruthy();
      return cookie as string;
    };
    for (let i = 0; i < 40; i++) {
      const cookie = await newSession(1 + ((i + 1) % 2));
      const answer = await post(1 + (i % 2), "plan_search", { request }, { ...office, cookie });
      expect(answer.status, `search ${i}`).toBe(200);
      expect(answer.headers.getSetCookie(), "the other instance took the session").toEqual([]);
    }
    for (const n of INSTANCES) {
      const refused = await post(n, "plan_search", { request }, { ...office, cookie: await newSession(n) });
      expect(refused.status).toBe(429);
      expect((await refused.json()).message).toContain("from your network");
    }
  });

  test("Redis going away mid-run loses no search", async ({ page }) => {
    await openOnSocket(page);
    await submitSearch(page, route("5003"));
    await expect(offers(page).first()).toBeVisible();
    cluster("redis-stop");
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
    await submitSearch(page, route("7010"));
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
    await expect(page.getByTestId("transport-notice")).toHaveCount(0);
    // Each instance notices within its next ping (one a second), busy or not.
    for (const n of INSTANCES) await expect.poll(async () => (await health(n)).redis, { timeout: 5_000 }).toBe("unreachable");
    cluster("redis-start");
    for (const n of INSTANCES) await expect.poll(async () => (await health(n)).redis, { timeout: 10_000 }).toBe("up");
    await submitSearch(page, route("4006"));
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
  });

  test("a parcel booked through nginx is found on every instance, and after both restart", async ({ page }) => {
    for (const n of INSTANCES) expect((await health(n)).database).toBe("postgresql");
    await openHydrated(page, `${ORIGIN}/book?from_country=NO&from_postal=0150&to_country=NO&to_postal=9900&weight=2&product=5800`);
    await fill(page, OLA);
    await page.getByTestId("book-submit").click();
    await expect(page.getByTestId("booked")).toBeVisible();
    const number = (await page.getByTestId("shipment-number").textContent())!;
    const confirmation = new URL(page.url()).pathname;
    // Once more on a fresh connection: the test's own pooled one dies with a restarted instance.
    const get = (url: string) => fetch(url).catch(() => fetch(url));
    const seenOnEvery = async () => {
      for (const n of INSTANCES) {
        const html = await (await get(`${instanceUrl(n)}${confirmation}`)).text();
        expect(html, `instance ${n}`).toContain(`>${number}<`);
        const label = await get(`${instanceUrl(n)}${confirmation}/label.pdf`);
        expect(label.headers.get("content-type")).toBe("application/pdf");
      }
    };
    await seenOnEvery();
    for (const n of INSTANCES) {
      cluster("stop", String(n));
      cluster("start", String(n));
    }
    await seenOnEvery();
  });

  test("SIGTERM to the instance holding the socket mid-search costs the customer nothing", async ({ page }) => {
    const victim = await midSearchOnSocket(page, "3015");
    const stopped = clusterInBackground("stop", String(victim));
    // Its search finishes on it, then the socket closes with 1001: no notice, no lost card.
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
    await expect(page.getByTestId("transport-notice")).toHaveCount(0);
    expect(await stopped).toBe(0);
    // The next search reopens the socket through nginx, onto the other instance.
    await submitSearch(page, route("2000"));
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
    await expect(page.locator("body")).toHaveAttribute("data-transport", "socket");
    await expect(page.getByTestId("transport-notice")).toHaveCount(0);
    expect(await socketInstance()).not.toBe(victim);
    cluster("start", String(victim));
  });

  test("an instance killed outright mid-search: the page falls back and loses nothing", async ({ page }) => {
    const victim = await midSearchOnSocket(page, "6003");
    cluster("kill", String(victim));
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
    await expect(page.locator("body")).toHaveAttribute("data-transport", "http");
    cluster("start", String(victim));
    await submitSearch(page, route("1001"));
    await expect(offers(page)).toHaveCount(5, { timeout: 15_000 });
  });
});
