import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachments, outbox, requests, verificationTokens } from "../db/schema";
import { dueDate, parisDate } from "../app/services/deadlines";
import { expireUnverified } from "../app/services/requests.server";
import { lastCode } from "./mocks/sms";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";
import { pdf, png } from "./helpers/files";
import { signedIn } from "./helpers/staff";
import { mailTo } from "./helpers/smtp-sink";
import { fileOne, linkIn } from "./helpers/requester";
import { first } from "../app/utils/db.server";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

async function requestByRef(reference: string) {
  return await first(app.db().select().from(requests).where(eq(requests.reference, reference)));
}

describe("public home page", () => {
  it("explains the rights in French by default and in English on demand", async () => {
    const browser = app.browser();
    const fr = await (await browser.get("/")).text();
    expect(fr).toContain('<html lang="fr"');
    expect(textOf(fr)).toContain("C'est gratuit.");
    expect(textOf(fr)).toContain("un mois");
    const switched = await browser.get("/langue?to=en&back=/");
    expect(switched.status).toBe(302);
    const en = await (await browser.get("/")).text();
    expect(en).toContain('<html lang="en"');
    expect(textOf(en)).toContain("It is free of charge.");
  });

  it("refuses to send the language switch to another site", async () => {
    const res = await app.browser().get("/langue?to=en&back=//evil.example/x");
    expect(res.headers.get("location")).toBe("/");
  });
});

describe("filing and verifying by email", () => {
  it("takes a request through verification to `received` with the legal due date", async () => {
    const filedAt = new Date();
    const { browser, reference, page } = await fileOne(app, );
    expect(reference).toMatch(new RegExp(`^DSR-${parisDate(filedAt).slice(0, 4)}-\\d{6}$`));
    expect(textOf(page)).toContain("confirmez votre identité en cliquant sur le lien");

    const row = (await requestByRef(reference))!;
    expect(row.status).toBe("awaiting_verification");
    expect(row.email).toBe("desmarc.corinne@orange.fr");
    expect(row.dueOn).toBeNull();

    const mail = await mailTo(app, "desmarc.corinne@orange.fr", "Confirmez votre demande");
    expect(mail.subject).toBe(`Confirmez votre demande ${reference}`);
    const verifyPath = linkIn(mail.text!, "/verification/");

    // Opening the link (as a mail scanner would) changes nothing.
    const confirmPage = await browser.get(verifyPath);
    expect(confirmPage.status).toBe(200);
    expect(textOf(await confirmPage.text())).toContain("Je confirme ma demande");
    expect((await requestByRef(reference))!.status).toBe("awaiting_verification");

    const confirmed = await browser.post(verifyPath, {});
    expect(confirmed.status).toBe(302);
    const status = await browser.follow(confirmed);
    const html = await status.text();
    expect(status.status).toBe(200);
    expect(textOf(html)).toContain("Reçue : nous allons rechercher vos données");
    const expectedDue = dueDate(parisDate(filedAt), { pausedDays: 0 });
    expect(html).toContain(`data-due="${expectedDue}"`);
    expect(textOf(html)).toContain("Identité confirmée");

    const verified = (await requestByRef(reference))!;
    expect(verified.status).toBe("received");
    expect(verified.dueOn).toBe(expectedDue);

    const ack = await mailTo(app, "desmarc.corinne@orange.fr", "Nous avons bien reçu");
    expect(ack.text).toContain(reference);
    const [y, m, d] = expectedDue.split("-").map(Number) as [number, number, number];
    const dueInWords = new Intl.DateTimeFormat("fr-FR", { dateStyle: "full", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
    expect(ack.text).toContain(dueInWords);
    expect(ack.html).toContain("Suivre ma demande");

    // The link is single-use.
    const again = await app.browser().post(verifyPath, {});
    expect(again.status).toBe(400);
    expect(textOf(await again.text())).toContain("Ce lien ne fonctionne pas");
  });

  it("refuses forged and expired links without changing anything", async () => {
    const forged = await app.browser().get(`/verification/${"A".repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(textOf(await forged.text())).toContain("invalide, a déjà été utilisé ou a expiré");
    expect((await app.browser().post("/verification/not-a-token", {})).status).toBe(400);

    const { reference } = await fileOne(app, { email: "expire.test@example.fr" });
    const mail = await mailTo(app, "expire.test@example.fr", "Confirmez");
    const verifyPath = linkIn(mail.text!, "/verification/");
    const row = (await requestByRef(reference))!;
    await app.db().update(verificationTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(verificationTokens.requestId, row.id));
    const res = await app.browser().post(verifyPath, {});
    expect(res.status).toBe(400);
    expect((await requestByRef(reference))!.status).toBe("awaiting_verification");
  });

  it("expires requests left unverified for 14 days, after which the link is dead", async () => {
    const { reference } = await fileOne(app, { email: "lapse@example.fr" });
    const verifyPath = linkIn((await mailTo(app, "lapse@example.fr", "Confirmez")).text!, "/verification/");
    const in13Days = new Date(Date.now() + 13 * 86_400_000);
    await expireUnverified({ ctx: { db: app.db(), now: in13Days, actor: { kind: "system" } } });
    expect((await requestByRef(reference))!.status).toBe("awaiting_verification");
    const in15Days = new Date(Date.now() + 15 * 86_400_000);
    expect(await expireUnverified({ ctx: { db: app.db(), now: in15Days, actor: { kind: "system" } } })).toBeGreaterThanOrEqual(1);
    expect((await requestByRef(reference))!.status).toBe("expired_unverified");
    expect((await app.browser().post(verifyPath, {})).status).toBe(400);
  });
});

describe("filing and verifying by SMS", () => {
  it("normalises a French mobile number, sends a code, and counts attempts", async () => {
    const { browser, reference, page } = await fileOne(app, { email: "", phone: "06 12 34 56 78", verificationMethod: "sms" });
    expect(textOf(page)).toContain("code à 6 chiffres");
    expect((await requestByRef(reference))!.phone).toBe("+33612345678");
    await app.deliver();
    const code = lastCode(app.sms.sent, "+33612345678");
    expect(app.sms.sent.at(-1)!.authorization).toBe("Bearer sms-test-token");
    const wrong = code === "000000" ? "111111" : "000000";

    const bad = await browser.post("/demande/envoyee", { intent: "verify", code: wrong });
    expect(bad.status).toBe(400);
    expect(textOf(await bad.text())).toContain("Il vous reste 4 essais.");

    const ok = await browser.post("/demande/envoyee", { intent: "verify", code });
    expect(ok.status).toBe(302);
    const status = await browser.follow(ok);
    expect(textOf(await status.text())).toContain("Reçue : nous allons rechercher vos données");
    expect((await requestByRef(reference))!.status).toBe("received");
    // No email on file: the acknowledgement goes by SMS, with the reference.
    await app.deliver();
    expect(app.sms.sent.at(-1)!.text).toContain(`demande ${reference} confirmée`);
  });

  it("locks the code after 5 wrong attempts, even for the right code", async () => {
    const { browser, reference } = await fileOne(app, { email: "", phone: "07 98 76 54 32", verificationMethod: "sms" });
    await app.deliver();
    const code = lastCode(app.sms.sent, "+33798765432");
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) await browser.post("/demande/envoyee", { intent: "verify", code: wrong });
    const res = await browser.post("/demande/envoyee", { intent: "verify", code });
    expect(res.status).toBe(400);
    expect(textOf(await res.text())).toContain("Trop d'essais");
    expect((await requestByRef(reference))!.status).toBe("awaiting_verification");
  });
});

describe("bad input", () => {
  it("answers 400 with a message next to each field, in French, and stores nothing", async () => {
    const before = (await app.db().select().from(requests)).length;
    const outboxBefore = (await app.db().select().from(outbox)).length;
    const res = await app.browser().post("/demande", validRequest({ rights: [], email: "pas-une-adresse", lastName: "" }));
    expect(res.status).toBe(400);
    const html = await res.text();
    const text = textOf(html);
    expect(text).toContain("Le formulaire contient 3 erreurs");
    expect(text).toContain("Choisissez au moins un droit.");
    expect(text).toContain("Saisissez une adresse électronique valide");
    expect(text).toContain("Ce champ est obligatoire.");
    expect(html).toMatch(/id="email"[^>]*aria-invalid="true"[^>]*aria-describedby="email-hint email-error"/);
    expect((await app.db().select().from(requests)).length).toBe(before);
    expect((await app.db().select().from(outbox)).length).toBe(outboxBefore);
  });

  it("speaks English when English was chosen", async () => {
    const browser = app.browser();
    await browser.get("/langue?to=en&back=/demande");
    const res = await browser.post("/demande", validRequest({ email: "", phone: "12" }));
    expect(res.status).toBe(400);
    const text = textOf(await res.text());
    expect(text).toContain("Enter a valid phone number");
  });

  it("requires a way to reach the person and the details of a rectification", async () => {
    const res = await app.browser().post("/demande", validRequest({ email: "", phone: "", rights: ["rectification"] }));
    expect(res.status).toBe(400);
    const text = textOf(await res.text());
    expect(text).toContain("Indiquez une adresse électronique ou un numéro de téléphone.");
    expect(text).toContain("Pour une rectification, indiquez la donnée inexacte et la valeur correcte.");
  });

  it("never answers 500 to a body that is not a form", async () => {
    const browser = app.browser();
    const res = await browser.request("/demande", { method: "POST", body: "\u0000garbage", headers: { "content-type": "multipart/form-data; boundary=x" } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("refuses a NUL character in a free-text field with a 400 in French, on either store, and stores nothing", async () => {
    const before = (await app.db().select().from(requests)).length;
    const res = await app.browser().post("/demande", validRequest({ details: "Mes données\u0000 de sondage" }));
    expect(res.status).toBe(400);
    expect(textOf(await res.text())).toContain("Votre envoi n'a pas pu être lu. Vérifiez le formulaire et envoyez-le de nouveau.");
    expect(await app.db().select().from(requests)).toHaveLength(before);
  });
});

describe("representatives and mandates", () => {
  function representativeForm(file: Blob | null, filename = "mandat.pdf") {
    const form = new FormData();
    for (const [k, v] of Object.entries(validRequest({
      onBehalf: "other",
      subjectLastName: "Desmarc",
      subjectFirstName: "Paul",
      subjectEmail: "paul.desmarc@example.fr",
      mandateUntil: "2099-12-31",
      mandateScope: "Toutes ses données",
      email: "mandataire@example.fr",
    }))) {
      for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
    }
    if (file) form.append("mandate", file, filename);
    return form;
  }

  it("stores a PDF mandate encrypted", async () => {
    const pdf = Buffer.from("%PDF-1.4\nMandat de représentation signé par Paul Desmarc\n%%EOF");
    const res = await app.browser().post("/demande", representativeForm(new Blob([pdf], { type: "application/pdf" })));
    expect(res.status).toBe(302);
    const stored = (await app.db().select().from(attachments)).at(-1)!;
    expect(stored.mimeType).toBe("application/pdf");
    expect(stored.size).toBe(pdf.length);
    expect(stored.ciphertext.includes(Buffer.from("Mandat de représentation"))).toBe(false);
  });

  it("refuses a file that is not PDF/JPEG/PNG whatever its name, and a missing mandate", async () => {
    const before = (await app.db().select().from(requests)).length;
    const fake = await app.browser().post("/demande", representativeForm(new Blob(["MZ executable"], { type: "application/pdf" })));
    expect(fake.status).toBe(400);
    expect(textOf(await fake.text())).toContain("Le fichier doit être au format PDF, JPEG ou PNG.");
    const missing = await app.browser().post("/demande", representativeForm(null));
    expect(missing.status).toBe(400);
    expect(textOf(await missing.text())).toContain("Joignez le mandat");
    expect((await app.db().select().from(requests)).length).toBe(before);
  });

  /** What a refused upload must not leave behind. */
  const stored = async () => ({ requests: (await app.db().select().from(requests)).length, attachments: (await app.db().select().from(attachments)).length, outbox: (await app.db().select().from(outbox)).length });

  it("refuses a PNG that is also a PDF (a polyglot) with a clear message, in French and in English, and stores nothing", async () => {
    const polyglot = png({ extra: [{ type: "pdFm", data: pdf({ text: "Je suis aussi un PDF" }) }] });
    const before = await stored();
    const fr = await app.browser().post("/demande", representativeForm(new Blob([new Uint8Array(polyglot)], { type: "image/png" }), "mandat.png"));
    expect(fr.status).toBe(400);
    const frHtml = await fr.text();
    expect(textOf(frHtml)).toContain("Ce fichier est de plusieurs formats à la fois (par exemple une image qui contient aussi un PDF) : nous ne pouvons pas l'accepter.");
    expect(frHtml).toContain('value="mandataire@example.fr"');
    const english = app.browser();
    await english.get("/langue?to=en&back=/");
    const en = await english.post("/demande", representativeForm(new Blob([new Uint8Array(polyglot)], { type: "image/png" }), "mandat.png"));
    expect(en.status).toBe(400);
    expect(textOf(await en.text())).toContain("This file is of several formats at once (an image that also holds a PDF, for instance): we cannot accept it.");
    expect(await stored()).toEqual(before);
  });

  it("refuses a PDF that runs JavaScript when opened, in French and in English, and stores nothing", async () => {
    const scripted = pdf({ catalog: "/OpenAction << /S /JavaScript /JS (app.launchURL('https://evil.example/')) >>" });
    const before = await stored();
    const fr = await app.browser().post("/demande", representativeForm(new Blob([new Uint8Array(scripted)], { type: "application/pdf" })));
    expect(fr.status).toBe(400);
    expect(textOf(await fr.text())).toContain("Ce PDF contient des éléments actifs (script, action automatique, fichier joint) ou est protégé : nous ne pouvons pas l'accepter.");
    const english = app.browser();
    await english.get("/langue?to=en&back=/");
    const en = await english.post("/demande", representativeForm(new Blob([new Uint8Array(scripted)], { type: "application/pdf" })));
    expect(en.status).toBe(400);
    expect(textOf(await en.text())).toContain("This PDF holds active content (a script, an automatic action, an attached file) or is protected: we cannot accept it.");
    expect(await stored()).toEqual(before);
  });

  it("accepts a plain PDF and gives it back to staff only as a download, under a sandbox CSP", async () => {
    const file = pdf({ text: "Mandat signe par Paul Desmarc" });
    const browser = app.browser();
    expect((await browser.post("/demande", representativeForm(new Blob([new Uint8Array(file)], { type: "application/pdf" })))).status).toBe(302);
    const reference = textOf(await (await browser.get("/demande/envoyee")).text()).match(/DSR-\d{4}-\d{6}/)![0];
    expect((await browser.post(linkIn((await mailTo(app, "mandataire@example.fr", "Confirmez")).text!, "/verification/"), {})).status).toBe(302);

    const support = await signedIn(app, "support");
    const ticket = await (await support.browser.get(`/admin/demandes/${reference}`)).text();
    expect(ticket).toContain(`href="/admin/demandes/${reference}/mandat" download=""`);
    const res = await support.browser.get(`/admin/demandes/${reference}/mandat`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="mandat-${reference}.pdf"`);
    const csp = (res.headers.get("content-security-policy") ?? "").split(";").map((d) => d.trim());
    expect(csp).toEqual(expect.arrayContaining(["default-src 'none'", "sandbox"]));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
  });

  it("refuses an oversized file cleanly and keeps what was typed", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 10, 0x41);
    big.write("%PDF-1.4");
    const res = await app.browser().post("/demande", representativeForm(new Blob([big], { type: "application/pdf" })));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(textOf(html)).toContain("Le fichier dépasse la taille maximale de 5 Mo.");
    expect(html).toContain('value="mandataire@example.fr"');
  });
});

describe("without JavaScript", () => {
  it("renders the representative and rectification fields visible, so the form works in one go", async () => {
    const html = await (await app.browser().get("/demande")).text();
    expect(html).toMatch(/<div id="representative-fields">/);
    expect(html).not.toMatch(/<div hidden="" id="representative-fields">/);
    expect(html).toContain('id="rectificationWrong"');
    expect(html).toContain("<title>Faire une demande — CentreCall</title>");
  });
});

describe("development outbox", () => {
  it("lists messages and opens one with its link clickable", async () => {
    await fileOne(app, { email: "outbox.page@example.fr" });
    const browser = app.browser();
    const list = await (await browser.get("/dev/outbox")).text();
    const id = list.match(/href="\/dev\/outbox\/(\d+)"/)![1];
    const page = await (await browser.get(`/dev/outbox/${id}`)).text();
    expect(page).toMatch(/<a href="http:\/\/127\.0\.0\.1:\d+\/verification\/[A-Za-z0-9_-]{43}">/);
    expect(textOf(page)).not.toContain("Aucun message");
  });
});

describe("status page", () => {
  it("sends a status link without revealing whether the reference and email match", async () => {
    const { browser, reference } = await fileOne(app, { email: "suivi@example.fr" });
    const verifyPath = linkIn((await mailTo(app, "suivi@example.fr", "Confirmez")).text!, "/verification/");
    await browser.post(verifyPath, {});

    const known = await app.browser().post("/suivi", { reference, contact: "SUIVI@example.fr" });
    const unknownPair = await app.browser().post("/suivi", { reference, contact: "someone.else@example.fr" });
    const unknownRef = await app.browser().post("/suivi", { reference: "DSR-2026-999999", contact: "suivi@example.fr" });
    const bodies = await Promise.all([known, unknownPair, unknownRef].map(async (r) => [r.status, textOf(await r.text())]));
    expect(bodies[0]).toEqual(bodies[1]);
    expect(bodies[0]).toEqual(bodies[2]);
    expect(bodies[0]![1]).toContain("Si cette référence correspond à ces coordonnées");

    const mail = await mailTo(app, "suivi@example.fr", "Suivre votre demande");
    const statusPath = linkIn(mail.text!, "/suivi/lien/");
    const visitor = app.browser();
    const landed = await visitor.get(statusPath);
    expect(landed.headers.get("location")).toBe("/suivi/demande");
    const page = await visitor.follow(landed);
    const text = textOf(await page.text());
    expect(text).toContain(reference);
    expect(text).toContain("Demande déposée");
    expect(text).toContain("Identité confirmée");
    // The page shows the life of the request, not the person.
    expect(text).not.toContain("suivi@example.fr");
  });

  it("explains a malformed reference or contact next to the field", async () => {
    const res = await app.browser().post("/suivi", { reference: "123", contact: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(textOf(html)).toContain("Cette référence n'a pas la forme attendue");
    expect(textOf(html)).toContain("Indiquez l'adresse électronique ou le numéro de téléphone utilisés pour déposer la demande.");
    expect(html).toMatch(/id="reference"[^>]*aria-invalid="true"/);
  });

  it("asks for a new link when there is no session", async () => {
    const res = await app.browser().get("/suivi/demande");
    expect(res.status).toBe(401);
    expect(textOf(await res.text())).toContain("Demandez un nouveau lien");
  });
});

describe("no personal data in URLs", () => {
  it("never puts the email, phone or name in a redirect", async () => {
    const browser = app.browser();
    const res = await browser.post("/demande", validRequest({ email: "url.check@example.fr", phone: "06 55 44 33 22" }));
    const location = res.headers.get("location") ?? "";
    for (const piece of ["url.check", "example.fr", "655443322", "Desmarc", "Corinne"]) expect(location).not.toContain(piece);
  });
});

describe("cross-site requests", () => {
  it("accepts a plain form post from a browser that sends Origin: null under no-referrer", async () => {
    const res = await app.browser().post("/demande", validRequest({ email: "nojs@example.fr" }), { origin: null });
    expect(res.status).toBe(302);
    const browser = app.browser();
    const nullOrigin = await browser.request("/demande", {
      method: "POST",
      body: new URLSearchParams(validRequest({ email: "nojs2@example.fr" }) as Record<string, string>),
      headers: { origin: "null", "sec-fetch-site": "same-origin" },
      origin: null,
    });
    expect(nullOrigin.status).toBe(302);
  });

  it("refuses Origin: null without a same-origin signal, and any cross-site signal", async () => {
    const browser = app.browser();
    const bare = await browser.request("/demande", { method: "POST", body: new URLSearchParams({ rights: "access" }), headers: { origin: "null" }, origin: null });
    expect(bare.status).toBe(403);
    const cross = await browser.request("/demande", { method: "POST", body: new URLSearchParams({ rights: "access" }), headers: { "sec-fetch-site": "cross-site" }, origin: null });
    expect(cross.status).toBe(403);
  });

  it("refuses a POST from another origin and stores nothing", async () => {
    const before = (await app.db().select().from(requests)).length;
    const res = await app.browser().post("/demande", validRequest(), { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect((await app.db().select().from(requests)).length).toBe(before);
  });
});
