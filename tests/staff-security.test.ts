import { and, eq, gt } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { staff } from "../db/schema/staff";
import { startApp, textOf, type Browser, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { current } from "../app/utils/rate-limit.server";
import { mailsTo } from "./helpers/smtp-sink";
import { first } from "../app/utils/db.server";

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

const STEP_MS = 30_000;
/** Per account, the latest time-step a code was taken from: the server accepts each step once per account. */
const stepsUsed = new Map<string, number>();

/**
 * The next code the account's owner would type: a code opens an account
 * once (ASVS V2.8.4), so each call takes a time-step later than the last one
 * used, the current one or the next (which the server accepts as clock
 * drift either way round a step's boundary), and waits for the clock when
 * both are used. A test that needs more than two codes in a row waits.
 */
async function freshCode(email: string, secret: string) {
  for (;;) {
    const now = Date.now();
    const step = Math.floor(now / STEP_MS);
    const free = [step, step + 1].find((s) => s > (stepsUsed.get(email) ?? 0));
    if (free !== undefined) {
      stepsUsed.set(email, free);
      return codeFor(secret, free * STEP_MS);
    }
    await new Promise((resolve) => setTimeout(resolve, (step + 1) * STEP_MS - now + 100));
  }
}

/** The first code of a new app confirmed in place of the current one: it needs no later step than the current code, but it is spent too. */
function newAppCode(email: string, secret: string) {
  const step = Math.floor(Date.now() / STEP_MS);
  stepsUsed.set(email, Math.max(stepsUsed.get(email) ?? 0, step));
  return codeFor(secret, step * STEP_MS);
}

const PASSWORD = "correct horse battery staple";

/** Starts enrolment on the account page: the key shown, and the sealed form field that carries it to confirmation. */
async function beginEnrolment(browser: Browser) {
  const res = await browser.post("/admin/compte", { intent: "totp-begin" });
  expect(res.status).toBe(200);
  const html = await res.text();
  return { secret: textOf(html).match(/Clé : ([A-Z2-7]+)/)![1]!, pending: html.match(/name="pending" value="([^"]+)"/)![1]! };
}

/** A new browser signed in with the password and `code`. */
async function signInWithCode(email: string, code: string) {
  const b = app.browser();
  expect((await b.post("/admin/connexion", { email, password: PASSWORD })).headers.get("location")).toBe("/admin/connexion/code");
  const res = await b.post("/admin/connexion/code", { code });
  return { browser: b, res };
}

const staffRow = async (id: number) => (await first(app.db().select().from(staff).where(eq(staff.id, id))))!;
const auditAfter = async (seq: number) => await app.db().select().from(auditLog).where(gt(auditLog.seq, seq));
const lastSeq = async () => (await app.db().select({ seq: auditLog.seq }).from(auditLog)).reduce((m, r) => Math.max(m, r.seq), 0);
/** A support account (REQUIRE_2FA does not apply to it) with TOTP on, as its owner set it up. */
async function supportWithTotp() {
  const me = await signedIn(app, "support");
  const setup = await beginEnrolment(me.browser);
  expect((await me.browser.post("/admin/compte", { intent: "totp-confirm", pending: setup.pending, password: PASSWORD, code: await freshCode(me.email, setup.secret) })).status).toBe(200);
  return { ...me, secret: setup.secret };
}

describe("second factor", () => {
  it("makes a DPO set up TOTP before reaching the queue, then asks for a code at every sign-in", async () => {
    const { browser, email } = await signedIn(app, "dpo");
    expect((await browser.get("/admin")).headers.get("location")).toBe("/admin/compte");
    const setup = await beginEnrolment(browser);
    const wrong = await browser.post("/admin/compte", { intent: "totp-confirm", pending: setup.pending, password: PASSWORD, code: "000000" === codeFor(setup.secret) ? "111111" : "000000" });
    expect(wrong.status).toBe(400);
    // A failed confirmation means starting again with a fresh secret.
    const again = await beginEnrolment(browser);
    const secret2 = again.secret;
    expect((await browser.post("/admin/compte", { intent: "totp-confirm", pending: again.pending, password: PASSWORD, code: await freshCode(email, secret2) })).status).toBe(200);
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
    const good = await next.post("/admin/connexion/code", { code: await freshCode(email, secret2) });
    expect(good.headers.get("location")).toBe("/admin");
    expect((await next.get("/admin")).status).toBe(200);
  });

  it("does not require it of support staff", async () => {
    const { browser } = await signedIn(app, "support");
    expect((await browser.get("/admin")).status).toBe(200);
  });
});

describe("changing or removing the second factor", () => {
  const factor = async (id: number) => {
    const { totpEnabled, totpSecret, passwordHash } = await staffRow(id);
    return { totpEnabled, totpSecret, passwordHash };
  };

  it("turning it on asks for the password, and is audited and emailed", async () => {
    const me = await signedIn(app, "support");
    const setup = await beginEnrolment(me.browser);
    const seq = await lastSeq();
    const bare = await me.browser.post("/admin/compte", { intent: "totp-confirm", pending: setup.pending, code: codeFor(setup.secret) });
    expect(bare.status).toBe(400);
    expect(textOf(await bare.text())).toContain("Saisissez votre mot de passe actuel");
    expect((await staffRow(me.id)).totpEnabled).toBe(false);
    expect(await auditAfter(seq)).toEqual([]);
    const ok = await me.browser.post("/admin/compte", { intent: "totp-confirm", pending: setup.pending, password: PASSWORD, code: await freshCode(me.email, setup.secret) });
    expect(ok.status).toBe(200);
    expect(textOf(await ok.text())).toContain("Double authentification activée.");
    expect((await auditAfter(seq)).map((e) => e.action)).toEqual(["staff.totp_enabled"]);
    const mail = (await mailsTo(app, me.email)).at(-1)!;
    expect(mail.subject).toBe("RightsDesk : double authentification activée sur votre compte");
  });

  it("keeps the current factor while a new one is set up, and changes nothing, audits nothing and sends nothing without the password and the current code", async () => {
    const me = await supportWithTotp();
    const before = await factor(me.id);
    const mailsBefore = (await mailsTo(app, me.email)).length;
    const seq = await lastSeq();

    // What the attack test did: start an enrolment from the live session. The current factor stays.
    const next = await beginEnrolment(me.browser);
    expect(await factor(me.id)).toEqual(before);
    const relogin = await signInWithCode(me.email, await freshCode(me.email, me.secret));
    expect(relogin.res.headers.get("location")).toBe("/admin");

    const attempts: Record<string, string>[] = [
      { intent: "totp-confirm", pending: next.pending, code: codeFor(next.secret) },
      { intent: "totp-confirm", pending: next.pending, code: codeFor(next.secret), password: PASSWORD },
      { intent: "totp-confirm", pending: next.pending, code: codeFor(next.secret), currentCode: codeFor(me.secret) },
      { intent: "totp-remove" },
      { intent: "totp-remove", password: PASSWORD },
      { intent: "totp-remove", currentCode: codeFor(me.secret) },
    ];
    for (const form of attempts) {
      const res = await me.browser.post("/admin/compte", form);
      expect(res.status, JSON.stringify(Object.keys(form))).toBe(400);
      expect(textOf(await res.text())).toContain("Saisissez votre mot de passe actuel et, si la double authentification est activée, le code de votre application.");
    }
    expect(await factor(me.id)).toEqual(before);
    // The new sign-in above is the only entry since: no change, no failure recorded for a form sent incomplete.
    expect((await auditAfter(seq)).map((e) => e.action)).toEqual(["staff.login"]);
    expect((await mailsTo(app, me.email)).length).toBe(mailsBefore);

    // A wrong password or a wrong current code is a failed authentication: refused and recorded as such, nothing else.
    const wrongCode = codeFor(me.secret) === "000000" ? "111111" : "000000";
    expect((await me.browser.post("/admin/compte", { intent: "totp-remove", password: "not my password", currentCode: codeFor(me.secret) })).status).toBe(400);
    expect((await me.browser.post("/admin/compte", { intent: "totp-confirm", pending: next.pending, code: codeFor(next.secret), password: PASSWORD, currentCode: wrongCode })).status).toBe(400);
    expect(await factor(me.id)).toEqual(before);
    const failures = (await auditAfter(seq)).filter((e) => e.action !== "staff.login");
    expect(failures.map((e) => [e.action, e.details])).toEqual([
      ["staff.login_failed", { staffId: me.id, factor: "password", during: "totp_change" }],
      ["staff.login_failed", { staffId: me.id, factor: "totp", during: "totp_change" }],
    ]);
  });

  it("moves to a new app with the password and the current code: audited, emailed, the other sessions ended", async () => {
    const me = await supportWithTotp();
    const elsewhere = await signInWithCode(me.email, await freshCode(me.email, me.secret));
    expect((await elsewhere.browser.get("/admin")).status).toBe(200);
    const next = await beginEnrolment(me.browser);
    const seq = await lastSeq();
    // Its third code in a row: this waits for the clock (see freshCode).
    const currentCode = await freshCode(me.email, me.secret);
    const res = await me.browser.post("/admin/compte", { intent: "totp-confirm", pending: next.pending, code: newAppCode(me.email, next.secret), password: PASSWORD, currentCode });
    expect(res.status).toBe(200);
    expect(textOf(await res.text())).toContain("Nouvelle application enregistrée.");
    expect((await auditAfter(seq)).map((e) => [e.action, e.actorId])).toEqual([["staff.totp_changed", me.id]]);
    const mail = (await mailsTo(app, me.email)).at(-1)!;
    expect(mail.subject).toBe("RightsDesk : double authentification changée sur votre compte");
    expect(mail.text).toContain("transférée sur une nouvelle application d'authentification");
    expect(mail.text).not.toContain(next.secret);
    // This session goes on; the other one is over; the old app's codes no longer open the account.
    expect((await me.browser.get("/admin")).status).toBe(200);
    expect((await elsewhere.browser.get("/admin")).headers.get("location")).toBe("/admin/connexion");
    expect((await signInWithCode(me.email, codeFor(me.secret))).res.status).toBe(401);
    expect((await signInWithCode(me.email, await freshCode(me.email, next.secret))).res.headers.get("location")).toBe("/admin");
  }, 100_000);

  it("turns it off with the password and the current code, audited and emailed; an account REQUIRE_2FA applies to cannot", async () => {
    const me = await supportWithTotp();
    const seq = await lastSeq();
    const res = await me.browser.post("/admin/compte", { intent: "totp-remove", password: PASSWORD, currentCode: await freshCode(me.email, me.secret) });
    expect(res.status).toBe(200);
    expect(await staffRow(me.id)).toMatchObject({ totpEnabled: false, totpSecret: null });
    expect((await auditAfter(seq)).map((e) => e.action)).toEqual(["staff.totp_disabled"]);
    expect((await mailsTo(app, me.email)).at(-1)!.subject).toBe("RightsDesk : double authentification désactivée sur votre compte");
    const plain = app.browser();
    expect((await plain.post("/admin/connexion", { email: me.email, password: PASSWORD })).headers.get("location")).toBe("/admin");

    // The DPO (REQUIRE_2FA=1): no way to turn it off, even with every proof.
    const dpo = await signedIn(app, "dpo");
    const setup = await beginEnrolment(dpo.browser);
    expect((await dpo.browser.post("/admin/compte", { intent: "totp-confirm", pending: setup.pending, password: PASSWORD, code: await freshCode(dpo.email, setup.secret) })).status).toBe(200);
    const page = textOf(await (await dpo.browser.get("/admin/compte")).text());
    expect(page).toContain("Votre rôle exige la double authentification : elle ne peut pas être désactivée.");
    expect(page).not.toContain("Désactiver la double authentification");
    const dpoSeq = await lastSeq();
    const refused = await dpo.browser.post("/admin/compte", { intent: "totp-remove", password: PASSWORD, currentCode: codeFor(setup.secret) });
    expect(refused.status).toBe(403);
    expect((await staffRow(dpo.id)).totpEnabled).toBe(true);
    expect(await app.db().select().from(auditLog).where(and(gt(auditLog.seq, dpoSeq), eq(auditLog.action, "staff.totp_disabled")))).toEqual([]);
  });

  it("says it in English too", async () => {
    const me = await signedIn(app, "support");
    await me.browser.get("/langue?to=en&back=/admin/compte");
    const setup = await me.browser.post("/admin/compte", { intent: "totp-begin" });
    const html = await setup.text();
    const secret = textOf(html).match(/Key : ([A-Z2-7]+)/)![1]!;
    const pending = html.match(/name="pending" value="([^"]+)"/)![1]!;
    const bare = await me.browser.post("/admin/compte", { intent: "totp-confirm", pending, code: codeFor(secret) });
    expect(textOf(await bare.text())).toContain("Enter your current password and, when two-factor authentication is on, the code from your app.");
    expect((await me.browser.post("/admin/compte", { intent: "totp-confirm", pending, password: PASSWORD, code: await freshCode(me.email, secret) })).status).toBe(200);
    const mail = (await mailsTo(app, me.email)).at(-1)!;
    expect(mail.subject).toBe("RightsDesk: two-factor authentication turned on for your account");
  });
});

describe("a code from the app opens the account once", () => {
  const totpFailures = async (id: number) => await current(app.db(), "totp-fail:account", String(id), 3_600_000, new Date());

  it("is refused when it is used again to sign in, with the answer a wrong code gets, and counts towards the lockout like one", async () => {
    const me = await supportWithTotp();
    const code = await freshCode(me.email, me.secret);
    expect((await signInWithCode(me.email, code)).res.headers.get("location")).toBe("/admin");

    const seq = await lastSeq();
    const other = app.browser();
    expect((await other.post("/admin/connexion", { email: me.email, password: PASSWORD })).headers.get("location")).toBe("/admin/connexion/code");
    for (let i = 0; i < 10; i++) {
      const replay = await other.post("/admin/connexion/code", { code });
      expect(replay.status).toBe(401);
      expect(textOf(await replay.text())).toContain("Code incorrect.");
    }
    expect((await other.get("/admin")).headers.get("location")).toBe("/admin/connexion/code");
    expect(await totpFailures(me.id)).toBe(10);
    expect((await auditAfter(seq)).filter((e) => e.action === "staff.login_failed").map((e) => e.details)).toEqual(
      Array.from({ length: 10 }, () => ({ staffId: me.id, factor: "totp", replayed: true })),
    );
    // Ten in the hour: the account is locked out, as after ten wrong codes.
    const locked = await other.post("/admin/connexion/code", { code });
    expect(locked.status).toBe(429);
    expect(textOf(await locked.text())).toContain("Trop de tentatives");
  });

  it("lets one of two sign-ins sent at once with the same code through, not both", async () => {
    const me = await supportWithTotp();
    const browsers = [app.browser(), app.browser()];
    for (const b of browsers) expect((await b.post("/admin/connexion", { email: me.email, password: PASSWORD })).headers.get("location")).toBe("/admin/connexion/code");
    const code = await freshCode(me.email, me.secret);
    const answers = await Promise.all(browsers.map((b) => b.post("/admin/connexion/code", { code })));
    expect(answers.map((r) => r.status).sort()).toEqual([302, 401]);
    const pages = await Promise.all(browsers.map((b) => b.get("/admin")));
    expect(pages.map((r) => r.status).sort()).toEqual([200, 302]);
    expect(await totpFailures(me.id)).toBe(1);
  });

  it("refuses a code used to sign in when it is given again to turn the factor off: a failed authentication, audited and counted, nothing changed", async () => {
    const me = await supportWithTotp();
    const code = await freshCode(me.email, me.secret);
    const signed = await signInWithCode(me.email, code);
    expect(signed.res.headers.get("location")).toBe("/admin");
    const mailsBefore = (await mailsTo(app, me.email)).length;
    const seq = await lastSeq();

    const res = await signed.browser.post("/admin/compte", { intent: "totp-remove", password: PASSWORD, currentCode: code });
    expect(res.status).toBe(400);
    expect((await staffRow(me.id)).totpEnabled).toBe(true);
    expect((await auditAfter(seq)).map((e) => [e.action, e.details])).toEqual([["staff.login_failed", { staffId: me.id, factor: "totp", during: "totp_change", replayed: true }]]);
    expect(await totpFailures(me.id)).toBe(1);
    expect((await mailsTo(app, me.email)).length).toBe(mailsBefore);
    expect((await me.browser.get("/admin")).status).toBe(200);
    expect(textOf(await res.text())).toContain("Le code de l'application utilisée jusqu'ici est incorrect.");
  });

  it("lets one of two changes sent at once with the same current code through, not both", async () => {
    const me = await supportWithTotp();
    const code = await freshCode(me.email, me.secret);
    const seq = await lastSeq();
    const answers = await Promise.all([0, 1].map(() => me.browser.post("/admin/compte", { intent: "totp-remove", password: PASSWORD, currentCode: code })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
    expect((await staffRow(me.id)).totpEnabled).toBe(false);
    expect(
      (await auditAfter(seq))
        .map((e) => e.action)
        .sort(),
    ).toEqual(["staff.login_failed", "staff.totp_disabled"]);
    expect((await mailsTo(app, me.email)).filter((m) => m.subject === "RightsDesk : double authentification désactivée sur votre compte")).toHaveLength(1);
  });

  it("refuses the new app's first code at the next sign-in: confirming the app used it", async () => {
    const me = await signedIn(app, "support");
    const setup = await beginEnrolment(me.browser);
    const code = await freshCode(me.email, setup.secret);
    expect((await me.browser.post("/admin/compte", { intent: "totp-confirm", pending: setup.pending, password: PASSWORD, code })).status).toBe(200);

    const replay = await signInWithCode(me.email, code);
    expect(replay.res.status).toBe(401);
    expect(textOf(await replay.res.text())).toContain("Code incorrect.");
    expect(await totpFailures(me.id)).toBe(1);
    // The app's next code is fine.
    expect((await signInWithCode(me.email, await freshCode(me.email, setup.secret))).res.headers.get("location")).toBe("/admin");
  });
});

describe("changing the password", () => {
  const NEW_PASSWORD = "a brand new passphrase for 2026";
  /** A second browser signed in to the same account, with the password only (support staff have no second factor here). */
  async function elsewhere(email: string, password = PASSWORD) {
    const b = app.browser();
    expect((await b.post("/admin/connexion", { email, password })).headers.get("location")).toBe("/admin");
    return b;
  }

  it("ends the account's other sessions, keeps this one, is audited and emailed, and the notice never carries the password", async () => {
    const me = await signedIn(app, "support");
    const other = await elsewhere(me.email);
    expect((await other.get("/admin")).status).toBe(200);
    const mailsBefore = (await mailsTo(app, me.email)).length;
    const seq = await lastSeq();

    const res = await me.browser.post("/admin/compte", { intent: "password", current: PASSWORD, next: NEW_PASSWORD });
    expect(res.status).toBe(200);
    const page = textOf(await res.text());
    expect((await me.browser.get("/admin")).status).toBe(200);
    expect((await other.get("/admin")).headers.get("location")).toBe("/admin/connexion");
    expect((await auditAfter(seq)).map((e) => [e.action, e.actorId, e.details])).toEqual([["staff.password_changed", me.id, {}]]);

    const mails = await mailsTo(app, me.email);
    expect(mails.length).toBe(mailsBefore + 1);
    const mail = mails.at(-1)!;
    expect(mail.subject).toBe("RightsDesk : mot de passe changé sur votre compte");
    expect(mail.text).toContain("Le mot de passe de votre compte RightsDesk a été changé le ");
    expect(mail.text).toContain("Vos autres sessions ouvertes ont été fermées.");
    expect(mail.text).toContain("/admin/compte");
    for (const part of [mail.text, mail.html]) {
      expect(part).not.toContain(NEW_PASSWORD);
      expect(part).not.toContain(PASSWORD);
    }
    // The new password opens the account, the old one no longer does.
    await elsewhere(me.email, NEW_PASSWORD);
    expect((await app.browser().post("/admin/connexion", { email: me.email, password: PASSWORD })).status).toBe(401);
    expect(page).toContain("Mot de passe changé. Vos autres sessions ont été fermées et un message vous a été envoyé.");
  });

  it("changes nothing, ends nothing and sends nothing without the right current password; wrong ones count towards the sign-in lockout", async () => {
    const me = await signedIn(app, "support");
    const other = await elsewhere(me.email);
    const mailsBefore = (await mailsTo(app, me.email)).length;
    const seq = await lastSeq();

    for (let i = 0; i < 10; i++) {
      const wrong = await me.browser.post("/admin/compte", { intent: "password", current: `not my password ${i}`, next: NEW_PASSWORD });
      expect(wrong.status).toBe(400);
      expect(textOf(await wrong.text())).toContain("Le mot de passe actuel est incorrect.");
    }
    expect((await auditAfter(seq)).map((e) => [e.action, e.details])).toEqual(
      Array.from({ length: 10 }, () => ["staff.login_failed", { staffId: me.id, factor: "password", during: "password_change" }]),
    );
    // Locked out, here and at the sign-in page, even with the right password.
    const locked = await me.browser.post("/admin/compte", { intent: "password", current: PASSWORD, next: NEW_PASSWORD });
    expect(locked.status).toBe(429);
    expect(textOf(await locked.text())).toContain("Trop de tentatives");
    expect((await app.browser().post("/admin/connexion", { email: me.email, password: PASSWORD })).status).toBe(429);

    expect((await auditAfter(seq)).filter((e) => e.action !== "staff.login_failed")).toEqual([]);
    expect((await other.get("/admin")).status).toBe(200);
    expect((await mailsTo(app, me.email)).length).toBe(mailsBefore);

    // A form sent without the current password is not a failed authentication: said so, not counted.
    const failures = (await auditAfter(seq)).length;
    const missing = await me.browser.post("/admin/compte", { intent: "password", next: NEW_PASSWORD });
    expect(missing.status).toBe(400);
    expect(textOf(await missing.text())).toContain("Saisissez votre mot de passe actuel.");
    expect((await auditAfter(seq)).length).toBe(failures);
  });

  it("says it in English too, in the language the back office is used in", async () => {
    const me = await signedIn(app, "support");
    await me.browser.get("/langue?to=en&back=/admin/compte");
    const res = await me.browser.post("/admin/compte", { intent: "password", current: PASSWORD, next: NEW_PASSWORD });
    expect(res.status).toBe(200);
    const page = textOf(await res.text());
    const mails = await mailsTo(app, me.email);
    expect(mails.map((m) => m.subject)).toEqual(["RightsDesk: password changed for your account"]);
    expect(mails[0]!.text).toContain("The password of your RightsDesk account was changed: ");
    expect(mails[0]!.text).not.toContain(NEW_PASSWORD);
    expect(page).toContain("Password changed. Your other sessions were signed out and a message was sent to you.");
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
