// Prints the brotli-compressed size of what a visitor downloads (WASM + JS + CSS of the release
// build) and fails when it is over the budget.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const BUDGET = 250 * 1024;
const dir = "target/site/pkg";
let total = 0;
for (const name of readdirSync(dir).filter((n) => /\.(wasm|js|css)$/.test(n)).sort()) {
  const raw = readFileSync(join(dir, name));
  const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  total += br;
  console.log(`${name.padEnd(24)} ${(raw.length / 1024).toFixed(1).padStart(8)} KB raw ${(br / 1024).toFixed(1).padStart(8)} KB brotli`);
}
console.log(`${"total".padEnd(24)} ${" ".repeat(15)} ${(total / 1024).toFixed(1).padStart(8)} KB brotli (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
