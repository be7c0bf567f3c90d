// What the browser benchmarks share: the hostile proxy for the whole file, and medians.
import { test } from "@playwright/test";
import { ChildProcess } from "child_process";
import { startProxy } from "../tests/proxy";

/** Starts the hostile proxy before the file's tests and stops it after. */
export function useProxy() {
  let proxy: ChildProcess;
  test.beforeAll(async () => {
    proxy = await startProxy();
  });
  test.afterAll(() => proxy?.kill());
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
