// The transport benchmark (scripts/bench): not part of the test run.
import base from "./playwright.config";
import { defineConfig } from "@playwright/test";

export default defineConfig({ ...base, testDir: "./bench", testMatch: "**/*.bench.ts", timeout: 1_800_000 });
