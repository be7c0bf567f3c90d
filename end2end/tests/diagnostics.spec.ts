// The connection self-test: through every mode of the hostile proxy the customer gets the right
// verdict within 10 s, a support code, and support finds the full report at the error tracker.
import { expect, Page, test } from "@playwright/test";
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { MODES, proxyUrl, startProxy } from "./proxy";

const KENT = process.env.KENT_URL ?? "http://127.0.0.1:5123";
const ARTIFACTS = path.join(__dirname, "..", "artifacts");
const CODE = /^[23456789ABCDEFGHJKMNPQRSTWXYZ]{6,8}$/;
const CHECKS = ["websocket-open", "websocket-echo", "websocket-stream", "server-function", "proxy-hints", "error-reporting"];

/** Per mode: the verdict and what each check must find. */
const EXPECTED: Record<string, { verdict: string; results: Record<string, string> }> = {
  pass: { verdict: "ok", results: { "websocket-open": "pass", "websocket-echo": "pass", "websocket-stream": "pass", "server-function": "pass", "proxy-hints": "pass" } },
  "inject-via": { verdict: "ok", results: { "websocket-stream": "pass", "server-function": "pass", "proxy-hints": "warn" } },
  "rst-after-upgrade": { verdict: "websocket-blocked", results: { "websocket-open": "pass", "websocket-echo": "fail", "server-function": "pass" } },
  "fin-after-upgrade": { verdict: "websocket-blocked", results: { "websocket-open": "pass", "websocket-echo": "fail", "server-function": "pass" } },
  stall: { verdict: "websocket-blocked", results: { "websocket-open": "pass", "websocket-echo": "fail", "server-function": "pass" } },
  "refuse-upgrade": { verdict: "websocket-blocked", results: { "websocket-open": "fail", "server-function": "pass" } },
  "rst-mid-stream": { verdict: "websocket-interrupted", results: { "websocket-open": "pass", "websocket-echo": "pass", "websocket-stream": "fail", "server-function": "pass" } },
  "buffer-http": { verdict: "websocket-blocked", results: { "websocket-open": "fail", "server-function": "pass" } },
};

let proxy: ChildProcess;
test.beforeAll(async () => {
  const up = await fetch(`${KENT}/api/eventlist/`).then((r) => r.ok, () => false);
  if (!up) throw new Error(`Kent is not running at ${KENT}: run ./scripts/test, or ./scripts/kent start and serve with SENTRY_DSN=$(./scripts/kent dsn)`);
  proxy = await startProxy();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
test.afterAll(() => proxy?.kill());

async function kentEventWithCode(code: string): Promise<any | undefined> {
  const list = (await (await fetch(`${KENT}/api/eventlist/`)).json()).events as { event_id: string }[];
  for (const e of list) {
    const body = (await (await fetch(`${KENT}/api/event/${e.event_id}`)).json()).payload.body;
    if (body?.tags?.support_code === code) return body;
  }
  return undefined;
}

async function results(page: Page): Promise<Record<string, string>> {
  return page.locator("[data-check]").evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute("data-check"), e.getAttribute("data-result") ?? ""])),
  );
}

async function screenshots(page: Page, name: string) {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.screenshot({ path: path.join(ARTIFACTS, `diagnostics-${name}-${width}.png`), fullPage: true });
  }
}

for (const mode of MODES) {
  test(`through ${mode}: verdict ${EXPECTED[mode]?.verdict}, and the report reaches support by its code`, async ({ page }) => {
    const expected = EXPECTED[mode];
    expect(expected, `no expectation for mode ${mode}`).toBeDefined();
    const started = Date.now();
    await page.goto(`${proxyUrl(mode)}/diagnostics`);
    const diagnosis = page.getByTestId("diagnosis");
    await expect(diagnosis).toHaveAttribute("data-verdict", /.+/, { timeout: 10_000 });
    const elapsed = Date.now() - started;
    console.log(`diagnostics through ${mode}: verdict in ${elapsed} ms`);
    await expect(diagnosis).toHaveAttribute("data-verdict", expected.verdict);

    // Every check ran, in order, with a result and a sentence.
    const found = await results(page);
    expect(Object.keys(found)).toEqual(CHECKS);
    for (const [check, result] of Object.entries(expected.results)) expect(found[check], check).toBe(result);
    for (const check of CHECKS) {
      expect(found[check], check).toMatch(/^(pass|warn|fail)$/);
      await expect(page.locator(`[data-check=${check}] .check-sentence`)).not.toBeEmpty();
    }
    expect(found["error-reporting"]).toBe("pass");

    const advice = await diagnosis.locator(".advice").innerText();
    const port = new URL(proxyUrl(mode)).port;
    if (expected.verdict === "websocket-blocked") {
      expect(advice).toContain("IT department");
      expect(advice).toContain(`127.0.0.1 on port ${port}`);
    }
    if (mode === "inject-via") {
      await expect(page.locator("[data-check=proxy-hints] .check-sentence")).toContainText("Via: 1.1 hostile-proxy");
      await expect(page.getByTestId("proxy-hints")).toContainText("hostile-proxy");
    }

    const code = (await page.getByTestId("support-code").innerText()).trim();
    expect(code).toMatch(CODE);
    let event: any;
    await expect
      .poll(async () => (event = await kentEventWithCode(code)) !== undefined, { timeout: 10_000, message: `no event with support code ${code}` })
      .toBe(true);
    expect(event.tags.verdict).toBe(expected.verdict);
    for (const [check, result] of Object.entries(expected.results)) expect(event.tags[check], check).toBe(result);
    expect(event.extra.report).toContain(`Support code: ${code}`);
    expect(event.extra.report).toContain("websocket-stream:");
    expect(event.extra.user_agent).toContain("Chrome");
    if (mode === "inject-via") expect(event.extra.report).toContain("Via: 1.1 hostile-proxy");

    await screenshots(page, mode);
  });
}

test("copy details puts the same report on the clipboard", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/diagnostics");
  await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-verdict", "ok", { timeout: 10_000 });
  await page.getByTestId("copy-details").click();
  await expect(page.getByTestId("copy-details")).toHaveText("Copied");
  const copied: string = await page.evaluate(() => navigator.clipboard.readText());
  const code = (await page.getByTestId("support-code").innerText()).trim();
  expect(copied).toContain(`Support code: ${code}`);
  expect(copied).toContain("Verdict: ok");
  for (const check of CHECKS) expect(copied).toMatch(new RegExp(`^${check}: (pass|warn|fail)`, "m"));
  expect(copied).toBe(await page.getByTestId("report").textContent());
});

test("blocked ordinary requests give http-blocked; running again gives a new code", async ({ page }) => {
  await page.route("**/api/connection_check", (route) => route.abort());
  await page.goto("/diagnostics");
  const diagnosis = page.getByTestId("diagnosis");
  await expect(diagnosis).toHaveAttribute("data-verdict", "http-blocked", { timeout: 10_000 });
  await expect(page.locator("[data-check=server-function]")).toHaveAttribute("data-result", "fail");
  await expect(diagnosis.locator(".advice")).toContainText("POST requests to http://127.0.0.1/api/");
  await screenshots(page, "http-blocked");
  const first = await page.getByTestId("support-code").innerText();
  await page.unroute("**/api/connection_check");
  await page.getByTestId("run-again").click();
  await expect(diagnosis).toHaveAttribute("data-verdict", "ok", { timeout: 10_000 });
  expect(await page.getByTestId("support-code").innerText()).not.toBe(first);
});

test("a device that went offline gets offline", async ({ page, context }) => {
  await page.goto("/diagnostics");
  await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-verdict", "ok", { timeout: 10_000 });
  await context.setOffline(true);
  await page.getByTestId("run-again").click();
  await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-verdict", "offline", { timeout: 10_000 });
  await expect(page.locator("[data-check=server-function]")).toHaveAttribute("data-result", "fail");
  await screenshots(page, "offline");
  await context.setOffline(false);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("the page shows what the server saw and says the checks need JavaScript", async ({ page }) => {
    await page.goto(`${proxyUrl("inject-via")}/diagnostics`);
    await expect(page.getByTestId("no-js-note")).toBeVisible();
    await expect(page.getByTestId("no-js-note")).toContainText("need JavaScript");
    await expect(page.getByTestId("seen-headers")).toContainText("User-Agent");
    await expect(page.getByTestId("proxy-hints")).toContainText("Via: 1.1 hostile-proxy");
    await expect(page.getByTestId("diagnosis")).toBeHidden();
  });
});

test("the footer and the fallback notice link to the test", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("footer a[href='/diagnostics']")).toBeVisible();
  await page.goto(`${proxyUrl("refuse-upgrade")}/`);
  const notice = page.getByTestId("transport-notice");
  await expect(notice).toBeVisible();
  await notice.locator("a[href='/diagnostics']").click();
  await expect(page).toHaveURL(/\/diagnostics$/);
  await expect(page.getByTestId("diagnosis")).toHaveAttribute("data-verdict", "websocket-blocked", { timeout: 10_000 });
});
