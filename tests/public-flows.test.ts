import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox, requests, verificationTokens } from "../db/schema";
import { lastCode } from "./mocks/sms";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";
import { mailTo } from "./helpers/smtp-sink";
import { fileOne, linkIn, smsCountTo } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { verifiedTicket } from "./helpers/tickets";
import { first } from "../app/utils/db.server";

/**
 * Issue 16, item 8: the public flows a person can get stuck in — the
 * follow-up form's messages, a lost SMS code, the page after filing by SMS,
 * the answer page.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

async function row(reference: string) {
  return (await first(app.db().select().from(requests).where(eq(requests.reference, reference))))!;
}
async function liveCodes(requestId: number) {
  return (await app.db().select().from(verificationTokens).where(and(eq(verificationTokens.requestId, requestId), eq(verificationTokens.purpose, "sms_code")))).filter((c) => !c.usedAt);
}

describe("/suivi: each field says what is wrong with itself", () => {
  async function post(fields: Record<string, string>, lang: "fr" | "en" = "fr") {
    const browser = app.browser();
    if (lang === "en") await browser.get("/langue?to=en&back=/");
    const res = await browser.post("/suivi", fields);
    const html = await res.text();
    return { status: res.status, html, text: textOf(html) };
  }

  it("flags only the reference when the reference is wrong and the email right", async () => {
    const r = await post({ reference: "DSR-26-12", contact: "corinne@example.fr" });
    expect(r.status).toBe(400);
    expect(r.text).toContain("Cette référence n'a pas la forme attendue");
    expect(r.html).toMatch(/id="reference"[^>]*aria-invalid="true"/);
    expect(r.html).not.toMatch(/id="contact"[^>]*aria-invalid="true"/);
    expect(r.html).not.toContain('id="contact-error"');
    expect(r.text).not.toContain("Saisissez une adresse électronique");
  });

  it("asks for the reference, with an example, when it is empty, in French and English", async () => {
    const fr = await post({ reference: "", contact: "corinne@example.fr" });
    expect(fr.status).toBe(400);
    expect(fr.text).toContain("Indiquez la référence de votre demande, par exemple DSR-2026-000123.");
    expect(fr.html).not.toContain('id="contact-error"');
    const en = await post({ reference: "", contact: "corinne@example.fr" }, "en");
    expect(en.text).toContain("Enter your request reference, for example DSR-2026-000123.");
  });

  it("flags only the contact when the reference is right and the contact is not a phone or an email", async () => {
    const r = await post({ reference: "DSR-2026-000123", contact: "pas un numéro" });
    expect(r.status).toBe(400);
    expect(r.text).toContain("Saisissez une adresse électronique (par exemple prenom.nom@exemple.fr) ou un numéro de portable");
    // What was typed is still there to correct.
    expect(r.html).toMatch(/id="contact"[^>]*value="pas un numéro"|value="pas un numéro"[^>]*id="contact"/);
    expect(r.html).not.toContain('id="reference-error"');
    const both = await post({ reference: "", contact: "" });
    expect(both.text).toContain("Indiquez la référence de votre demande");
    expect(both.text).toContain("Indiquez l'adresse électronique ou le numéro de téléphone utilisés pour déposer la demande.");
  });

  it("never answers « Cette valeur n'est pas valide. » on the public forms", async () => {
    const pages = [
      await post({ reference: "x", contact: "y" }),
      await post({ reference: "", contact: "" }, "en"),
      await post({}),
    ];
    const filing = await app.browser().post("/demande", { rights: "nonsense", verificationMethod: "pigeon" });
    const filingText = textOf(await filing.text());
    expect(filing.status).toBe(400);
    for (const t of [...pages.map((p) => p.text), filingText]) {
      expect(t).not.toContain("Cette valeur n'est pas valide");
      expect(t).not.toContain("Invalid value");
    }
  });
});

describe("a lost SMS code", () => {
  it("the page after filing by SMS gives SMS advice, not the spam folder; the email page keeps the spam advice", async () => {
    const sms = await fileOne(app, { email: "", phone: "06 52 00 00 01", verificationMethod: "sms" });
    const page = textOf(await (await sms.browser.get("/demande/envoyee")).text());
    expect(page).toContain("qui se termine par 01");
    expect(page).toContain("Le SMS arrive en général en quelques minutes");
    expect(page).toContain("Recevoir un nouveau code");
    expect(page).not.toContain("courriers indésirables");

    const mail = await fileOne(app, { email: "pubflow.spam@example.fr" });
    const mailPage = textOf(await (await mail.browser.get("/demande/envoyee")).text());
    expect(mailPage).toContain("Vérifiez vos courriers indésirables");
    expect(mailPage).not.toContain("Recevoir un nouveau code");

    const en = app.browser();
    await en.get("/langue?to=en&back=/");
    await en.post("/demande", validRequest({ email: "", phone: "06 52 00 00 02", verificationMethod: "sms" }));
    const enPage = textOf(await (await en.get("/demande/envoyee")).text());
    expect(enPage).toContain("which ends in 02");
    expect(enPage).not.toContain("spam");
  });

  it("a new code from the confirmation page replaces the old one, for the filer", async () => {
    const filed = await fileOne(app, { email: "", phone: "06 52 00 00 03", verificationMethod: "sms" });
    await app.deliver();
    const first = lastCode(app.sms.sent, "+33652000003");
    const res = await filed.browser.post("/demande/envoyee", { intent: "resend" });
    expect(res.status).toBe(200);
    expect(textOf(await res.text())).toContain("Un nouveau code vient d'être envoyé.");
    await app.deliver();
    const second = lastCode(app.sms.sent, "+33652000003");
    expect(second).not.toBe(first);
    expect(await liveCodes((await row(filed.reference)).id)).toHaveLength(1);
    // The old code no longer works; the new one does.
    const old = await filed.browser.post("/demande/envoyee", { intent: "verify", code: first });
    expect(old.status).toBe(400);
    const ok = await filed.browser.post("/demande/envoyee", { intent: "verify", code: second });
    expect(ok.status).toBe(302);
    expect((await row(filed.reference)).status).toBe("received");
  });

  it("a browser that came through /suivi can ask for a new code there too, with one answer whatever the pair, and a limit", async () => {
    const me = await fileOne(app, { email: "", phone: "06 52 00 00 04", verificationMethod: "sms" });
    await app.deliver();
    const via = async (contact: string, reference = me.reference) => {
      const b = app.browser();
      expect((await b.post("/suivi", { reference, contact })).status).toBe(200);
      return b;
    };
    const mine = await via("06 52 00 00 04");
    const stranger = await via("06 52 00 99 99");
    await app.deliver();
    const before = await smsCountTo(app, "+33652000004");
    const strangerBefore = await smsCountTo(app, "+33652009999");

    const fromStranger = await stranger.post("/demande/envoyee", { intent: "resend" });
    const fromMine = await mine.post("/demande/envoyee", { intent: "resend" });
    const [a, b] = [textOf(await fromStranger.text()), textOf(await fromMine.text())];
    expect(fromStranger.status).toBe(fromMine.status);
    expect(a).toBe(b);
    expect(b).toContain("Si la référence et le numéro indiqués correspondent");
    // One code went, to the phone on file only; the stranger's number got nothing.
    expect(await smsCountTo(app, "+33652000004")).toBe(before + 1);
    expect(await smsCountTo(app, "+33652009999")).toBe(strangerBefore);
    const code = lastCode(app.sms.sent, "+33652000004");
    expect((await mine.post("/demande/envoyee", { intent: "verify", code })).status).toBe(302);

    // The limit: three new codes per window per request, whoever asks.
    const other = await fileOne(app, { email: "", phone: "06 52 00 00 05", verificationMethod: "sms" });
    await app.deliver();
    const start = await smsCountTo(app, "+33652000005");
    const b2 = await via("06 52 00 00 05", other.reference); // a new code (1)
    for (let i = 0; i < 5; i++) await b2.post("/demande/envoyee", { intent: "resend" });
    expect(await smsCountTo(app, "+33652000005")).toBe(start + 3);
  });

  it("/suivi for an unconfirmed email request sends a new confirmation link, and nothing for a wrong address", async () => {
    const filed = await fileOne(app, { email: "pubflow.relink@example.fr" });
    await mailTo(app, "pubflow.relink@example.fr", "Confirmez");
    const count = async () => (await app.db().select().from(outbox).where(eq(outbox.recipient, "pubflow.relink@example.fr"))).length;
    const before = await count();
    const right = await app.browser().post("/suivi", { reference: filed.reference, contact: "pubflow.relink@example.fr" });
    const wrong = await app.browser().post("/suivi", { reference: filed.reference, contact: "someone@example.fr" });
    expect(textOf(await right.text())).toBe(textOf(await wrong.text()));
    expect(await count()).toBe(before + 1);
    const link = linkIn((await mailTo(app, "pubflow.relink@example.fr", "Confirmez")).text!, "/verification/");
    expect((await app.browser().post(link, {})).status).toBe(302);
    expect((await row(filed.reference)).status).toBe("received");
  });
});

describe("the answer page", () => {
  async function asked(question: string) {
    const t = await verifiedTicket({ email: `pubflow.answer.${Math.random().toString(36).slice(2)}@example.fr` });
    const { browser } = await signedIn(app, "support");
    await browser.post(`/admin/demandes/${t.reference}`, { intent: "ask", reason: "scope", question });
    const mail = await mailTo(app, t.email, "Précisions nécessaires");
    return { ...t, path: linkIn(mail.text!, "/reponse/") };
  }

  it("shows the question, the reference and its date, and what happens next, above a labelled box", async () => {
    const t = await asked("Quelle période de vos appels souhaitez-vous recevoir ?");
    const res = await app.browser().get(t.path);
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = textOf(html);
    expect(text).toContain(t.reference);
    expect(text).toContain("Quelle période de vos appels souhaitez-vous recevoir ?");
    expect(text).toContain("Demande reçue le");
    expect(text).toContain("Et ensuite ?");
    expect(text).toMatch(/Sans réponse de votre part, votre demande sera close le \S+ \d/);
    expect(html.indexOf("Quelle période")).toBeLessThan(html.indexOf("<textarea"));
    expect(html).toMatch(/<label for="message">Votre réponse \*<\/label>/);
  });

  it("in English too", async () => {
    const t = await asked("Which period do you want?");
    const b = app.browser();
    await b.get("/langue?to=en&back=/");
    const text = textOf(await (await b.get(t.path)).text());
    expect(text).toContain("Our question, asked on");
    expect(text).toContain("What happens next?");
    expect(text).toContain(t.reference);
  });

  it("a used or forged link gets a page that says what to do, and never the question", async () => {
    const t = await asked("Question secrète pour le test ?");
    const b = app.browser();
    expect((await b.post(t.path, { message: "De janvier à mars." })).status).toBe(302);
    for (const path of [t.path, "/reponse/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/reponse/x"]) {
      const res = await app.browser().get(path);
      expect(res.status).toBe(400);
      const text = textOf(await res.text());
      expect(text).toContain("Ce lien de réponse ne fonctionne plus");
      expect(text).toContain("Si vous avez déjà répondu");
      expect(text).not.toContain("Question secrète");
    }
  });
});
