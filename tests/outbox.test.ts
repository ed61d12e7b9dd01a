import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "../db/schema";
import { backoffMs } from "../app/services/outbox.server";
import { freePort, startSmtpSink } from "./helpers/smtp-sink";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";
import { lastCode } from "./mocks/sms";

describe("SMTP outage", () => {
  let app: TestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    app = await startApp({ smtpUrl: `smtp://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("accepts requests while SMTP is down and delivers every email once it is back", async () => {
    const browser = app.browser();
    for (const email of ["a.outage@example.fr", "b.outage@example.fr", "c.outage@example.fr"]) {
      const res = await browser.post("/demande", validRequest({ email }));
      expect(res.status).toBe(302);
    }
    const first = await app.deliver();
    expect(first).toEqual({ sent: 0, failed: 3, expired: 0 });
    const pending = await app.db().select().from(outbox).where(eq(outbox.status, "pending"));
    expect(pending).toHaveLength(3);
    for (const m of pending) {
      expect(m.attempts).toBe(1);
      expect(m.lastError).toBeTruthy();
      // The error kept on the row never quotes the address.
      expect(m.lastError).not.toContain("@example.fr");
    }

    // Retries wait for their backoff: nothing is attempted before it.
    expect(await app.deliver(new Date(Date.now() + 1_000))).toEqual({ sent: 0, failed: 0, expired: 0 });

    const sink = await startSmtpSink(port);
    try {
      const report = await app.deliver(new Date(Date.now() + backoffMs(1) + 1_000));
      expect(report).toEqual({ sent: 3, failed: 0, expired: 0 });
      const recipients = sink.received.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text).sort();
      expect(recipients).toEqual(["a.outage@example.fr", "b.outage@example.fr", "c.outage@example.fr"]);
      expect(sink.received.every((m) => m.subject?.startsWith("Confirmez votre demande DSR-"))).toBe(true);
      // Sent once: another tick sends nothing again.
      expect(await app.deliver(new Date(Date.now() + 3_600_000))).toEqual({ sent: 0, failed: 0, expired: 0 });
      expect(sink.received).toHaveLength(3);
    } finally {
      await sink.close();
    }
  });
});

describe("SMS gateway outage", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("keeps the code SMS pending while the gateway fails, then delivers it", async () => {
    app.sms.state.mode = "down";
    const res = await app.browser().post("/demande", validRequest({ email: "", phone: "06 11 22 33 44", verificationMethod: "sms" }));
    expect(res.status).toBe(302);
    expect(await app.deliver()).toEqual({ sent: 0, failed: 1, expired: 0 });
    app.sms.state.mode = "malformed";
    expect(await app.deliver(new Date(Date.now() + backoffMs(1) + 1_000))).toEqual({ sent: 0, failed: 1, expired: 0 });
    app.sms.state.mode = "ok";
    expect(await app.deliver(new Date(Date.now() + backoffMs(1) + backoffMs(2) + 5_000))).toEqual({ sent: 1, failed: 0, expired: 0 });
    expect(app.sms.sent.map((s) => s.to)).toEqual(["+33611223344"]);
  });
});

describe("a code that expires before the gateway is back", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("is never sent late: the person is told to ask for a new code, and the new one works", async () => {
    app.sms.state.mode = "down";
    const browser = app.browser();
    expect((await browser.post("/demande", validRequest({ email: "", phone: "06 11 22 33 55", verificationMethod: "sms" }))).status).toBe(302);
    expect(await app.deliver()).toEqual({ sent: 0, failed: 1, expired: 0 });
    // The gateway is back 11 minutes later: the 10-minute code has expired.
    app.sms.state.mode = "ok";
    const later = new Date(Date.now() + 11 * 60_000);
    expect(await app.deliver(later)).toEqual({ sent: 0, failed: 0, expired: 1 });
    expect(await app.deliver(new Date(later.getTime() + 1_000))).toEqual({ sent: 1, failed: 0, expired: 0 });
    expect(app.sms.sent).toHaveLength(1);
    const notice = app.sms.sent[0]!;
    expect(notice.to).toBe("+33611223355");
    expect(notice.text).toMatch(/^CentreCall : le code de la demande DSR-\d{4}-\d{6} a expiré avant de pouvoir vous être envoyé\. Demandez-en un nouveau sur la page où vous avez fait votre demande, ou avec « Suivre une demande » sur notre site \(votre référence et votre numéro de portable\)\.$/);
    expect(notice.text).not.toMatch(/(?<![-\d])\d{6}(?!\d)/);
    const codes = await app.db().select().from(outbox).where(eq(outbox.template, "sms_code"));
    expect(codes.map((m) => m.status)).toEqual(["expired"]);

    // As the notice says: a new code from the page where the request was made, and it verifies the request.
    const page = await browser.get("/demande/envoyee");
    expect(page.status).toBe(200);
    expect((await browser.post("/demande/envoyee", { intent: "resend" })).status).toBeLessThan(400);
    await app.deliver();
    expect(app.sms.sent).toHaveLength(2);
    expect((await browser.post("/demande/envoyee", { intent: "verify", code: lastCode(app.sms.sent, "+33611223355") })).status).toBe(302);
    expect(textOf(await (await browser.get("/suivi/demande")).text())).toContain("DSR-");
  });
});

describe("a confirmation link that expires before the mail server takes it", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("is never sent late: the person is told to ask for a new link with « Suivre une demande », and that link confirms the request", async () => {
    const browser = app.browser();
    expect((await browser.post("/demande", validRequest({ email: "lien.perime@example.fr" }))).status).toBe(302);
    const reference = textOf(await (await browser.get("/demande/envoyee")).text()).match(/DSR-\d{4}-\d{6}/)![0];
    // Nothing could be sent for 25 hours; the 24-hour link has expired by the time the mail server answers.
    const later = new Date(Date.now() + 25 * 3_600_000);
    expect(await app.deliver(later)).toEqual({ sent: 0, failed: 0, expired: 1 });
    expect(await app.deliver(new Date(later.getTime() + 1_000))).toEqual({ sent: 1, failed: 0, expired: 0 });
    expect(app.sink!.received).toHaveLength(1);
    const notice = app.sink!.received[0]!;
    expect(notice.subject).toBe(`Demande ${reference} : demandez un nouveau lien`);
    expect(notice.text).toContain("Nous n'avons pas pu vous envoyer à temps le lien de la demande");
    expect(notice.text).toContain("Demandez-en un nouveau avec « Suivre une demande » sur notre site (votre référence et votre adresse électronique).");
    expect(notice.text).not.toContain("/verification/");

    // As it says: the follow-up form, with the reference and the address, sends a new confirmation link.
    const follow = await app.browser().post("/suivi", { reference, contact: "lien.perime@example.fr" });
    expect(follow.status).toBe(200);
    expect(textOf(await follow.text())).toContain("c'est un nouveau lien de confirmation qui vient d'être envoyé à cette adresse");
    expect(await app.deliver()).toEqual({ sent: 1, failed: 0, expired: 0 });
    const fresh = app.sink!.received[1]!;
    expect(fresh.subject).toContain("Confirmez votre demande");
    const verifyPath = new URL(fresh.text!.match(/https?:\/\/\S+\/verification\/\S+/)![0]).pathname;
    const person = app.browser();
    expect((await person.post(verifyPath, {})).status).toBe(302);
    expect((await app.db().select().from(outbox).where(eq(outbox.template, "verification"))).map((m) => m.status)).toEqual(["expired", "sent"]);
  });
});

describe("backoff", () => {
  it("grows and is capped so a message is retried for as long as it takes", () => {
    expect(backoffMs(1)).toBe(30_000);
    expect(backoffMs(2)).toBe(60_000);
    expect(backoffMs(20)).toBe(30 * 60_000);
  });
});
