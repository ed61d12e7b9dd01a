import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../app/services/audit.server";
import { startApp, type TestApp } from "./helpers/app";
import { run } from "./helpers/processes";

/**
 * Issue 14: several processes on one SQLite file — the server's workers, a
 * second server, the operator's CLI — each doing its job once. Every test
 * here starts real separate processes.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

describe("write transactions across processes", () => {
  it("loses no audit entry when two processes append 3,000 each at the same time, and the chain stays valid", async () => {
    const before = verifyChain(app.db());
    expect(before.ok).toBe(true);
    const runs = await Promise.all(["a", "b"].map((label) => run("tests/fixtures/append-audit.ts", [], { ...process.env, COUNT: "3000", LABEL: label })));
    const results = runs.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { ok: number; errors: Record<string, number> };
    });
    expect(results.map((r) => r.errors)).toEqual([{}, {}]);
    expect(results.map((r) => r.ok)).toEqual([3000, 3000]);
    const after = verifyChain(app.db());
    expect(after.ok).toBe(true);
    expect(after.count).toBe(before.count + 6000);
  });
});
