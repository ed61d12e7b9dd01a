import Database from "better-sqlite3";
import { and, eq } from "drizzle-orm";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, outbox, requestEvents, requests } from "../db/schema";
import { expireUnverified, remindUnverified } from "../app/services/requests.server";
import { lastCode } from "./mocks/sms";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";
import { cli } from "./helpers/processes";
import { mailTo } from "./helpers/smtp-sink";
import { fileOne, linkIn, smsTo } from "./helpers/requester";
import { first } from "../app/utils/db.server";

/**
 * Issue 16, item 8: a person who has not confirmed their request after
 * VERIFICATION_REMINDER_HOURS (48) gets one reminder, by the channel they
 * chose, before it lapses; and a notice when it lapses.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const HOUR = 3_600_000;
const sweep = async () => await remindUnverified({ ctx: { db: app.db(), now: new Date(), actor: { kind: "system" } } });
const lapse = async () => await expireUnverified({ ctx: { db: app.db(), now: new Date(), actor: { kind: "system" } } });

async function row(reference: string) {
  return (await first(app.db().select().from(requests).where(eq(requests.reference, reference))))!;
}
/** As if the request had been filed `hours` ago. */
async function filedAgo(reference: string, hours: number) {
  await app.db().update(requests).set({ receivedAt: new Date(Date.now() - hours * HOUR) }).where(eq(requests.reference, reference));
}
async function messagesTo(recipient: string, template: string) {
  return await app.db().select().from(outbox).where(and(eq(outbox.recipient, recipient), eq(outbox.template, template)));
}

describe("the reminder to confirm", () => {
  it("goes once, by email, after 48 hours, with a new link that works and the day the request lapses", async () => {
    const email = "rappel.courriel@example.fr";
    const { reference } = await fileOne(app, { email });
    await mailTo(app, email, "Confirmez");
    await filedAgo(reference, 47);
    await sweep();
    expect(await messagesTo(email, "verification_reminder")).toHaveLength(0);

    await filedAgo(reference, 49);
    await sweep();
    await sweep();
    expect(await messagesTo(email, "verification_reminder")).toHaveLength(1);
    const mail = await mailTo(app, email, "Rappel : confirmez votre demande");
    expect(mail.subject).toBe(`Rappel : confirmez votre demande ${reference}`);
    const lapseDay = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", day: "numeric" }).format(new Date(Date.now() - 49 * HOUR + 14 * 24 * HOUR));
    expect(mail.text).toMatch(new RegExp(`la demande expirera le \\S+ ${lapseDay}(er)? `));
    expect(mail.text).toContain("Nous ne vous relancerons pas.");
    expect(await app.db().select().from(requestEvents).where(and(eq(requestEvents.requestId, (await row(reference)).id), eq(requestEvents.type, "verification_reminded")))).toHaveLength(1);

    // The link in the reminder confirms the request.
    expect((await app.browser().post(linkIn(mail.text!, "/verification/"), {})).status).toBe(302);
    expect((await row(reference)).status).toBe("received");
  });

  it("goes by SMS with a new code, which the filer's browser can type, in the request's language", async () => {
    const { reference, browser } = await fileOne(app, { email: "", phone: "06 53 00 00 01", verificationMethod: "sms" });
    await app.deliver();
    const first = lastCode(app.sms.sent, "+33653000001");
    await filedAgo(reference, 50);
    expect(await sweep()).toBeGreaterThanOrEqual(1);
    const sms = await smsTo(app, "+33653000001");
    expect(sms.text).toContain(`la demande ${reference} n'est pas encore confirmée`);
    expect(sms.text).toMatch(/elle expirera le \d{2}\/\d{2}\/\d{4}\./);
    const code = lastCode(app.sms.sent, "+33653000001");
    expect(code).not.toBe(first);
    expect((await browser.post("/demande/envoyee", { intent: "verify", code })).status).toBe(302);

    const en = app.browser();
    await en.get("/langue?to=en&back=/");
    expect((await en.post("/demande", validRequest({ email: "", phone: "06 53 00 00 02", verificationMethod: "sms" }))).status).toBe(302);
    const enRef = textOf(await (await en.get("/demande/envoyee")).text()).match(/DSR-\d{4}-\d{6}/)![0];
    await filedAgo(enRef, 50);
    await sweep();
    expect((await smsTo(app, "+33653000002")).text).toContain(`request ${enRef} is not confirmed yet`);
  });

  it("waits while a code locked by wrong tries cools down, then goes", async () => {
    const { reference, browser } = await fileOne(app, { email: "", phone: "06 53 00 00 04", verificationMethod: "sms" });
    await app.deliver();
    const code = lastCode(app.sms.sent, "+33653000004");
    for (let i = 0; i < 5; i++) await browser.post("/demande/envoyee", { intent: "verify", code: code === "000000" ? "111111" : "000000" });
    await filedAgo(reference, 49);
    await sweep();
    expect(await messagesTo("+33653000004", "sms_verification_reminder")).toHaveLength(0);
    const later = new Date(Date.now() + 16 * 60_000);
    await remindUnverified({ ctx: { db: app.db(), now: later, actor: { kind: "system" } } });
    expect(await messagesTo("+33653000004", "sms_verification_reminder")).toHaveLength(1);
  });

  it("does not go to a confirmed request, nor to one already due to lapse", async () => {
    const email = "rappel.confirme@example.fr";
    const { reference, browser } = await fileOne(app, { email });
    expect((await browser.post(linkIn((await mailTo(app, email, "Confirmez")).text!, "/verification/"), {})).status).toBe(302);
    await filedAgo(reference, 60);
    const late = "rappel.tard@example.fr";
    const old = await fileOne(app, { email: late });
    await filedAgo(old.reference, 15 * 24);
    await sweep();
    expect(await messagesTo(email, "verification_reminder")).toHaveLength(0);
    expect(await messagesTo(late, "verification_reminder")).toHaveLength(0);
    await lapse();
  });
});

describe("the notice when a request lapses", () => {
  it("says by email that it was not confirmed, that nothing was done, when its details go, and how to file again", async () => {
    const email = "expiree.courriel@example.fr";
    const { reference } = await fileOne(app, { email });
    await filedAgo(reference, 14 * 24 + 1);
    expect(await lapse()).toBeGreaterThanOrEqual(1);
    await lapse();
    expect((await row(reference)).status).toBe("expired_unverified");
    expect(await messagesTo(email, "unconfirmed_lapsed")).toHaveLength(1);
    const mail = await mailTo(app, email, "a expiré");
    expect(mail.subject).toBe(`Votre demande ${reference} a expiré`);
    const text = mail.text!.replace(/\s+/g, " ");
    expect(text).toContain(`sous la référence ${reference} n'a pas été confirmée au`);
    expect(text).toContain("nous n'en avons rien fait");
    // Retention removes the identity of a lapsed request after UNVERIFIED_PURGE_GRACE_DAYS (30), on its next daily run.
    const purge = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", month: "long", year: "numeric" }).format(new Date(Date.now() + 31 * 24 * HOUR));
    expect(text).toMatch(new RegExp(`seront effacés au plus tard le \\S+ \\d+(er)? ${purge}`));
    expect(linkIn(mail.text!, "/demande")).toBe("/demande");
  });

  it("goes by SMS to an SMS request, and the timeline says so", async () => {
    const { reference } = await fileOne(app, { email: "", phone: "06 53 00 00 03", verificationMethod: "sms" });
    await filedAgo(reference, 15 * 24);
    await lapse();
    const sms = await smsTo(app, "+33653000003");
    expect(sms.text).toContain(`la demande ${reference} n'a pas été confirmée et a expiré`);
    const event = (await first(app.db().select().from(requestEvents).where(and(eq(requestEvents.requestId, (await row(reference)).id), eq(requestEvents.type, "expired")))))!;
    expect(event.data).toMatchObject({ notified: "sms" });
  });
});

describe("two processes sweeping at once", () => {
  it("send one reminder per request", async () => {
    const refs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { reference } = await fileOne(app, { email: `rappel.double.${i}@example.fr` });
      await filedAgo(reference, 49);
      refs.push(reference);
    }
    const env = { ...process.env, LOG_LEVEL: "silent" };
    // Both processes read what is due, then wait for the write lock held here, and go on together.
    const writer = new Database(path.join(app.dir, "rightsdesk.sqlite"));
    writer.exec("BEGIN IMMEDIATE");
    const runs = [cli(["expire"], env), cli(["expire"], env)] as const;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    writer.exec("COMMIT");
    writer.close();
    const [a, b] = await Promise.all(runs);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    for (let i = 0; i < 3; i++) {
      expect(await messagesTo(`rappel.double.${i}@example.fr`, "verification_reminder")).toHaveLength(1);
      expect(await app.db().select().from(auditLog).where(and(eq(auditLog.reference, refs[i]!), eq(auditLog.action, "ticket.verification_reminded")))).toHaveLength(1);
    }
    const said = [a, b].reduce((sum, r) => sum + Number(r.stdout.match(/confirmation reminders (\d+)/)![1]), 0);
    expect(said).toBe(3);
  }, 60_000);
});
