import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requests } from "../db/schema";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";

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
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(textOf(await blocked.text())).toContain("Trop de tentatives");
    expect(app.db().select().from(requests).all()).toHaveLength(3);
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
