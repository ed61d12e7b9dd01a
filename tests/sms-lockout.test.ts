import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox, requests, verificationTokens } from "../db/schema";
import { lastCode } from "./mocks/sms";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { fileOne, smsCountTo } from "./helpers/requester";
import { first } from "../app/utils/db.server";

/**
 * Issue 14, item 7: `/demande/envoyee` took a `reference=` without the
 * filing browser's cookie, and references are sequential, so a stranger
 * could lock anyone's SMS code with five wrong guesses and have them sent
 * texts. Codes are now tried, and new ones asked for, only from the browser
 * that filed, or from one that went through `/suivi` with the reference and
 * the phone; a lock-out lasts SMS_LOCKOUT_MINUTES (15) at most.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const WRONG = (code: string) => (code === "000000" ? "111111" : "000000");

async function filedBySms(phoneTyped: string, e164: string) {
  const filed = await fileOne(app, { email: "", phone: phoneTyped, verificationMethod: "sms" });
  await app.deliver();
  return { ...filed, e164, code: lastCode(app.sms.sent, e164), id: (await row(filed.reference)).id };
}

async function row(reference: string) {
  return (await first(app.db().select().from(requests).where(eq(requests.reference, reference))))!;
}
async function codes(requestId: number) {
  return await app.db().select().from(verificationTokens).where(and(eq(verificationTokens.requestId, requestId), eq(verificationTokens.purpose, "sms_code")));
}
async function outboxTo(e164: string) {
  return (await app.db().select().from(outbox).where(eq(outbox.recipient, e164))).length;
}
/** Moves the request's codes back in time, as the clock moving forward would. */
async function age(requestId: number, minutes: number) {
  for (const c of (await codes(requestId))) {
    await app.db()
      .update(verificationTokens)
      .set({ createdAt: new Date(c.createdAt.getTime() - minutes * 60_000), expiresAt: new Date(c.expiresAt.getTime() - minutes * 60_000) })
      .where(eq(verificationTokens.id, c.id));
  }
}

describe("SMS codes, for a stranger who knows only the reference", () => {
  it("change nothing: wrong codes are not counted and resends send nothing, and the filer's own code still works", async () => {
    const victim = await filedBySms("06 41 00 00 01", "+33641000001");
    const texts = await smsCountTo(app, victim.e164);
    const stranger = app.browser();
    for (let i = 0; i < 6; i++) {
      const res = await stranger.post("/demande/envoyee", { intent: "verify", reference: victim.reference, code: WRONG(victim.code) });
      expect(res.status).toBe(400);
      expect(textOf(await res.text())).toContain("Nous ne retrouvons pas de demande en attente de confirmation dans ce navigateur.");
    }
    for (let i = 0; i < 3; i++) expect((await stranger.post("/demande/envoyee", { intent: "resend", reference: victim.reference })).status).toBe(400);
    // The same through the client-side router's data requests.
    expect((await stranger.post("/demande/envoyee.data", { intent: "verify", reference: victim.reference, code: WRONG(victim.code) })).status).toBe(400);
    expect((await stranger.post("/demande/envoyee.data", { intent: "resend", reference: victim.reference })).status).toBe(400);

    expect((await codes(victim.id)).map((c) => c.attempts)).toEqual([0]);
    expect(await smsCountTo(app, victim.e164)).toBe(texts);

    const ok = await victim.browser.post("/demande/envoyee", { intent: "verify", code: victim.code });
    expect(ok.status).toBe(302);
    expect((await row(victim.reference)).status).toBe("received");
  });

  it("cannot have texts sent or codes locked through /suivi with a wrong phone", async () => {
    const victim = await filedBySms("06 41 00 00 02", "+33641000002");
    const texts = await smsCountTo(app, victim.e164);
    const stranger = app.browser();
    expect((await stranger.post("/suivi", { reference: victim.reference, contact: "06 99 99 99 99" })).status).toBe(200);
    for (let i = 0; i < 6; i++) await stranger.post("/demande/envoyee", { intent: "verify", code: WRONG(victim.code) });
    expect((await codes(victim.id)).map((c) => c.attempts)).toEqual([0]);
    expect(await smsCountTo(app, victim.e164)).toBe(texts);
    expect((await victim.browser.post("/demande/envoyee", { intent: "verify", code: victim.code })).status).toBe(302);
  });
});

describe("a lock-out, for the person who filed", () => {
  it("lasts until the cool-down is over, then a new code with fresh attempts is one click away", async () => {
    const me = await filedBySms("06 41 00 00 03", "+33641000003");
    for (let i = 0; i < 5; i++) await me.browser.post("/demande/envoyee", { intent: "verify", code: WRONG(me.code) });
    const locked = await me.browser.post("/demande/envoyee", { intent: "verify", code: me.code });
    expect(locked.status).toBe(400);
    expect(textOf(await locked.text())).toContain("Trop d'essais pour ce code. Vous pourrez demander un nouveau code 15 minutes au plus après l'envoi de celui-ci.");

    // Within the cool-down: no new code, and the page says how long to wait.
    const texts = await smsCountTo(app, me.e164);
    const early = await me.browser.post("/demande/envoyee", { intent: "resend" });
    expect(early.status).toBe(429);
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThan(13 * 60);
    expect(Number(early.headers.get("retry-after"))).toBeLessThanOrEqual(15 * 60);
    expect(textOf(await early.text())).toMatch(/Vous pourrez demander un nouveau code dans 1[45] minutes\./);
    expect(await smsCountTo(app, me.e164)).toBe(texts);

    // Fifteen minutes later (the codes' clock moved back): a fresh code, fresh attempts.
    await age(me.id, 16);
    const resent = await me.browser.post("/demande/envoyee", { intent: "resend" });
    expect(resent.status).toBe(200);
    expect(textOf(await resent.text())).toContain("Un nouveau code vient d'être envoyé.");
    expect(await smsCountTo(app, me.e164)).toBe(texts + 1);
    const fresh = lastCode(app.sms.sent, me.e164);
    const wrong = await me.browser.post("/demande/envoyee", { intent: "verify", code: WRONG(fresh) });
    expect(textOf(await wrong.text())).toContain("Il vous reste 4 essais.");
    expect((await me.browser.post("/demande/envoyee", { intent: "verify", code: fresh })).status).toBe(302);
    expect((await row(me.reference)).status).toBe("received");
  });

  it("says so in English too", async () => {
    const me = await filedBySms("06 41 00 00 04", "+33641000004");
    me.browser.cookies.set("lang", "en");
    for (let i = 0; i < 5; i++) await me.browser.post("/demande/envoyee", { intent: "verify", code: WRONG(me.code) });
    const early = await me.browser.post("/demande/envoyee", { intent: "resend" });
    expect(early.status).toBe(429);
    expect(textOf(await early.text())).toMatch(/You can ask for a new code in 1[45] minutes\./);
  });

  it("limits new codes per request to 3 per cool-down window, whoever asks", async () => {
    const me = await filedBySms("06 41 00 00 05", "+33641000005");
    const texts = await smsCountTo(app, me.e164);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await me.browser.post("/demande/envoyee", { intent: "resend" })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // /suivi with the right phone counts in the same window, and still says nothing.
    const viaFollow = await app.browser().post("/suivi", { reference: me.reference, contact: "06 41 00 00 05" });
    expect(viaFollow.status).toBe(200);
    expect(await smsCountTo(app, me.e164)).toBe(texts + 3);
  });
});

describe("/suivi for a request still awaiting its SMS code", () => {
  it("sends a new code to the phone given, says the same thing whatever the pair, and the code works from that browser", async () => {
    const me = await filedBySms("06 41 00 00 06", "+33641000006");
    const other = await filedBySms("06 41 00 00 07", "+33641000007");
    const texts = await smsCountTo(app, me.e164);
    const outboxBefore = await outboxTo(other.e164);

    const answer = async (reference: string, contact: string) => {
      const browser = app.browser();
      const res = await browser.post("/suivi", { reference, contact });
      const cookies = res.headers.getSetCookie().map((c) => c.split("=")[0]);
      return { browser, status: res.status, text: textOf(await res.text()), cookies };
    };
    const right = await answer(me.reference, "06 41 00 00 06");
    const wrongPhone = await answer(me.reference, "06 41 00 00 99");
    const unknown = await answer("DSR-2026-999999", "06 41 00 00 06");
    for (const a of [right, wrongPhone, unknown]) {
      expect(a.status).toBe(200);
      expect(a.text).toBe(right.text);
      expect(a.cookies).toEqual(right.cookies);
    }
    expect(right.text).toContain("c'est un nouveau code à 6 chiffres qui vient d'être envoyé à ce numéro");

    // Exactly one new code, to the phone on file; nothing to anyone else.
    expect(await smsCountTo(app, me.e164)).toBe(texts + 1);
    expect(await outboxTo(other.e164)).toBe(outboxBefore);
    const code = lastCode(app.sms.sent, me.e164);
    expect(code).not.toBe(me.code);

    // A wrong code reads the same from the matching browser and from the others.
    const tries = await Promise.all(
      [right, wrongPhone, unknown].map(async (a) => {
        const page = await a.browser.get("/demande/envoyee");
        const res = await a.browser.post("/demande/envoyee", { intent: "verify", code: WRONG(code) });
        return { page: textOf(await page.text()), status: res.status, text: textOf(await res.text()) };
      }),
    );
    for (const t of tries) expect(t).toEqual(tries[0]);
    expect(tries[0]!.text).toContain("Il vous reste 4 essais.");

    // The right code, from the browser that asked: confirmed, and the status page opens.
    const ok = await right.browser.post("/demande/envoyee", { intent: "verify", code });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/suivi/demande?confirmee=1");
    expect((await row(me.reference)).status).toBe("received");
    expect(textOf(await (await right.browser.follow(ok)).text())).toContain(me.reference);
    // The filer's old code is gone: a new one replaced it.
    expect((await me.browser.post("/demande/envoyee", { intent: "verify", code: me.code })).status).toBe(400);
  });
});
