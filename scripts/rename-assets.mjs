// Names the release build's /pkg files so that a name never stands for two contents.
//
// cargo-leptos names each file by the MD5 of its content, then writes hashed names into some
// of them (the main WASM and JS import the split loader by its hashed name; the loader names
// the chunks): those keep their names while their bytes change. Two builds can so serve the
// same `promotions.<hash>.wasm` importing different loaders, and a browser that kept the first
// for a year (immutable) imports a loader the second no longer has: the page never hydrates.
// The loader and the main JS also name each other, so no file's own hash can settle it.
//
// Here every hashed file is renamed from one digest of all of them, each with every hashed
// name in it blanked out: the same build gives the same names, any change gives every file a
// new one. The names inside the files, target/release/hash.txt (which the server reads) and
// the precompressed copies follow. `end2end/tests/assets.spec.ts` checks the names by the same
// rule. Usage: node scripts/rename-assets.mjs [pkg dir] [hash file]
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";

export const HASHED = /^(.+)\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9]+)$/;
const BLANK = "_".repeat(22);

/** Every occurrence of `from` in `buf` replaced by `to` (the same length). */
function replaceAll(buf, from, to) {
  const out = Buffer.from(buf);
  const needle = Buffer.from(from);
  for (let at = out.indexOf(needle); at !== -1; at = out.indexOf(needle, at + needle.length)) {
    out.write(to, at);
  }
  return out;
}

/** The new hash of each file: `files` maps each hashed name to its content. */
export function names(files) {
  const tokens = [...files.keys()].map((name) => name.match(HASHED)[2]);
  const blanked = (name) => name.replace(HASHED, `$1.${BLANK}.$3`);
  const digest = createHash("sha256");
  for (const name of [...files.keys()].sort((a, b) => blanked(a).localeCompare(blanked(b)))) {
    let content = files.get(name);
    for (const token of tokens) content = replaceAll(content, token, BLANK);
    digest.update(`${blanked(name)}\0${content.length}\0`).update(content);
  }
  const all = digest.digest("hex");
  return new Map(
    [...files.keys()].map((name) => [
      name,
      createHash("md5").update(`${all}\0${blanked(name)}`).digest("base64url"),
    ]),
  );
}

function main([pkg = "target/site/pkg", hashFile = "target/release/hash.txt"]) {
  const files = new Map(
    fs
      .readdirSync(pkg)
      .filter((n) => HASHED.test(n) && fs.statSync(path.join(pkg, n)).isFile())
      .map((n) => [n, fs.readFileSync(path.join(pkg, n))]),
  );
  const fresh = names(files);
  const renames = [...files.keys()].map((name) => [name.match(HASHED)[2], fresh.get(name)]);
  const rename = (buf) => renames.reduce((b, [old, now]) => replaceAll(b, old, now), buf);
  const pack = {
    ".br": (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
    ".gz": (b) => zlib.gzipSync(b, { level: 9 }),
  };
  const hashText = rename(fs.readFileSync(hashFile));
  const written = [hashText];
  for (const [name, content] of files) {
    const now = name.replace(HASHED, `$1.${fresh.get(name)}.$3`);
    const renamed = rename(content);
    written.push(renamed);
    const unchanged = renamed.equals(content);
    // An unchanged file and its copies only move; a rewritten one is compressed again.
    for (const ext of ["", ...Object.keys(pack)]) {
      const [from, to] = [path.join(pkg, name + ext), path.join(pkg, now + ext)];
      if (!fs.existsSync(from)) continue;
      if (unchanged) fs.renameSync(from, to);
      else {
        fs.writeFileSync(to, ext ? pack[ext](renamed) : renamed);
        if (to !== from) fs.rmSync(from);
      }
    }
  }
  fs.writeFileSync(hashFile, hashText);
  // Nothing may still point at an old name (a new hash equal to another file's old one).
  for (const [old, now] of renames) {
    if (old !== now && written.some((b) => b.includes(old))) {
      throw new Error(`a /pkg file or ${hashFile} still names ${old}`);
    }
  }
  console.log(`rename-assets: ${files.size} files named from their contents`);
}

// Run as a script; imported by the tests for `names` alone.
if (fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main(process.argv.slice(2));
