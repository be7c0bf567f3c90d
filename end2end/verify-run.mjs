// Compares a Playwright run's JSON report with the listing of the same specs: exits 1 unless
// every test the specs declare ran and passed (none skipped, failed, flaky or missing), so a
// run cannot pass by running less. Usage: node verify-run.mjs <list.json> <run.json>
import { readFileSync } from "fs";

const [listPath, runPath] = process.argv.slice(2);
const read = (path) => {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    console.error(`verify-run: cannot read ${path}: ${e.message}`);
    process.exit(1);
  }
};

/** Every test in a report's suites, with its full title. */
function tests(report) {
  const out = [];
  const walk = (suite, titles) => {
    const here = suite.title ? [...titles, suite.title] : titles;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) out.push({ title: [...here, spec.title].join(" › "), status: test.status });
    }
    for (const child of suite.suites ?? []) walk(child, here);
  };
  for (const suite of report.suites ?? []) walk(suite, []);
  return out;
}

const declared = tests(read(listPath));
const run = read(runPath);
const ran = tests(run);
const passed = ran.filter((t) => t.status === "expected");
const problems = [];
for (const error of run.errors ?? []) problems.push(`run error: ${error.message ?? JSON.stringify(error)}`);
for (const t of ran.filter((t) => t.status !== "expected")) problems.push(`${t.status}: ${t.title}`);
const ranTitles = new Set(ran.map((t) => t.title));
for (const t of declared.filter((t) => !ranTitles.has(t.title))) problems.push(`did not run: ${t.title}`);
if (declared.length === 0) problems.push("the specs declare no tests");
if (passed.length !== declared.length) problems.push(`${passed.length} passed of ${declared.length} declared`);

console.log(`verify-run: ${declared.length} tests declared, ${ran.length} ran, ${passed.length} passed`);
if (problems.length) {
  for (const p of problems) console.error(`verify-run: ${p}`);
  process.exit(1);
}
