import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requests } from "../db/schema";
import { hit } from "../app/utils/rate-limit.server";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";

const HOUR = 3_600_000;
let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { RATE_LIMIT_FILING_PER_HOUR: "3", RATE_LIMIT_VERIFY_PER_HOUR: "4" } });
});
afterAll(async () => {
  await app?.stop();
});

describe("rate limits", () => {
  it("limits filing per address with a clear message and stores nothing over the limit", async () => {
    const browser = app.browser();
    for (let i = 0; i < 3; i++) {
      expect((await browser.post("/demande", validRequest({ email: `rl${i}@example.fr` }))).status).toBe(302);
    }
    const blocked = await browser.post("/demande", validRequest({ email: "rl-extra@example.fr" }));
    expect(blocked.status).toBe(429);
    // The window opened with the first filing, a moment ago: about an hour to wait.
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(3_500);
    expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(3_600);
    expect(textOf(await blocked.text())).toContain("Trop de tentatives");
    expect(await app.db().select().from(requests)).toHaveLength(3);
  });

  it("opens a new window once the hour is over, per bucket and subject", async () => {
    const db = app.db();
    const t0 = new Date("2026-03-01T10:00:00Z");
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    expect(await hit(db, "test", "a", 2, HOUR, at(0))).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await hit(db, "test", "a", 2, HOUR, at(10))).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await hit(db, "test", "a", 2, HOUR, at(20))).toEqual({ allowed: false, retryAfterSeconds: 40 * 60 });
    expect((await hit(db, "test", "b", 2, HOUR, at(20))).allowed).toBe(true);
    expect((await hit(db, "other", "a", 2, HOUR, at(20))).allowed).toBe(true);
    expect(await hit(db, "test", "a", 2, HOUR, at(60))).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect((await hit(db, "test", "a", 2, HOUR, at(61))).allowed).toBe(true);
    expect(await hit(db, "test", "a", 2, HOUR, at(62))).toEqual({ allowed: false, retryAfterSeconds: 58 * 60 });
  });

  it("limits guessing on the status form per address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await app.browser().post("/suivi", { reference: `DSR-2026-00000${i}`, contact: `guess${i}@example.fr` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });
});
