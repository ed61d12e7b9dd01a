import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { REQUIRE_2FA: "1" } });
});
afterAll(async () => {
  await app?.stop();
});

function codeFor(secret: string, at = Date.now()) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });
}

describe("second factor", () => {
  it("makes a DPO set up TOTP before reaching the queue, then asks for a code at every sign-in", async () => {
    const { browser, email } = await signedIn(app, "dpo");
    expect((await browser.get("/admin")).headers.get("location")).toBe("/admin/compte");
    const setup = await browser.post("/admin/compte", { intent: "totp-begin" });
    const secret = textOf(await setup.text()).match(/Clé : ([A-Z2-7]+)/)![1]!;
    const wrong = await browser.post("/admin/compte", { intent: "totp-confirm", code: "000000" === codeFor(secret) ? "111111" : "000000" });
    expect(wrong.status).toBe(400);
    // A failed confirmation means starting again with a fresh secret.
    const again = await browser.post("/admin/compte", { intent: "totp-begin" });
    const secret2 = textOf(await again.text()).match(/Clé : ([A-Z2-7]+)/)![1]!;
    expect((await browser.post("/admin/compte", { intent: "totp-confirm", code: codeFor(secret2) })).status).toBe(200);
    expect((await browser.get("/admin")).status).toBe(200);

    const next = app.browser();
    const login = await next.post("/admin/connexion", { email, password: "correct horse battery staple" });
    expect(login.headers.get("location")).toBe("/admin/connexion/code");
    const codePage = await next.get("/admin/connexion/code");
    expect(codePage.status).toBe(200);
    expect(textOf(await codePage.text())).toContain("Code à 6 chiffres de votre application d'authentification");
    expect((await next.get("/admin")).headers.get("location")).toBe("/admin/connexion/code");
    const bad = await next.post("/admin/connexion/code", { code: codeFor(secret2, Date.now() - 10 * 60_000) });
    expect(bad.status).toBe(401);
    expect(textOf(await bad.text())).toContain("Code incorrect.");
    const good = await next.post("/admin/connexion/code", { code: codeFor(secret2) });
    expect(good.headers.get("location")).toBe("/admin");
    expect((await next.get("/admin")).status).toBe(200);
  });

  it("does not require it of support staff", async () => {
    const { browser } = await signedIn(app, "support");
    expect((await browser.get("/admin")).status).toBe(200);
  });
});

describe("sign-in throttling", () => {
  it("locks an account out after 10 failures in an hour, with the same answer for the right password", async () => {
    const { email } = await signedIn(app, "support", "paris");
    const browser = app.browser();
    for (let i = 0; i < 10; i++) expect((await browser.post("/admin/connexion", { email, password: `wrong ${i}` })).status).toBe(401);
    const locked = await browser.post("/admin/connexion", { email, password: "correct horse battery staple" });
    expect(locked.status).toBe(429);
    expect(textOf(await locked.text())).toContain("Trop de tentatives");
  });
});
