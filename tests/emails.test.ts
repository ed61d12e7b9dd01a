import { describe, expect, it } from "vitest";
import * as emails from "../emails";
import { LOCALES } from "../db/schema/enums";
import type { OutcomeLine, ProofRecord } from "../app/i18n/erasure-outcome";

const link = "https://droits.centrecall.example/verification/abc";

/** Every outcome an erasure can have, as the certificate lists them (values as in the demo mapping and register). */
const erasureLines: OutcomeLine[] = [
  {
    system: "Base études de marché (ComPlus)",
    dataset: "respondents",
    outcome: "pseudonymised",
    count: 1,
    removed: ["last_name", "first_name", "address", "phone"],
    kept: [
      { field: "postcode", form: "generalised", legalBasis: "Statistiques de l'étude remises au client commanditaire, sans nom ni coordonnées (OP-02)", until: "P2Y" },
      { field: "email", form: "keyed-hash", legalBasis: "Statistiques de l'étude remises au client commanditaire, sans nom ni coordonnées (OP-02)", until: "P2Y" },
      { field: "city", form: "unchanged", legalBasis: "Statistiques de l'étude remises au client commanditaire, sans nom ni coordonnées (OP-02)", until: "P2Y" },
    ],
  },
  { system: "Base études de marché (ComPlus)", dataset: "answers", outcome: "deleted", count: 4, removed: [], kept: [] },
  { system: "Base études de marché (ComPlus)", dataset: "panels", outcome: "anonymised", count: 1, removed: ["name", "email"], kept: [] },
  { system: "Facturation", dataset: "invoices", outcome: "kept", count: 2, removed: [], kept: [{ field: null, form: "unchanged", legalBasis: "Obligation comptable (art. L. 123-22 du code de commerce)", until: "2036-12-31" }] },
  { system: "Enregistrements d'appels", dataset: "recordings", outcome: "deleted", count: 2, removed: [], kept: [] },
  { system: "CRM client", dataset: "contacts", outcome: "deleted", count: 1, removed: [], kept: [] },
];
const proof: ProofRecord[] = [
  { record: "ticket", operation: "OP-07", legalBasis: "Obligation légale (art. 6, paragraphe 1, point c) du RGPD).", retention: "5 ans après la clôture de la demande, à titre de preuve." },
  { record: "audit", operation: "OP-07", legalBasis: "Obligation légale (art. 6, paragraphe 1, point c) du RGPD).", retention: "5 ans après la clôture de la demande, à titre de preuve." },
  { record: "suppression", kinds: ["phone", "email"] },
];
/** What a search answered, as the no-data answer quotes it. */
const report = {
  on: "2026-11-24",
  identifiers: [
    { kind: "email" as const, shown: "marc.personne@example.org", origin: "proven_email", on: "2026-11-23" },
    { kind: "phone" as const, shown: "06 55 44 33 22", origin: "found", source: "Études de marché", on: "2026-11-24" },
  ],
  systems: [
    { label: "Études de marché", outcome: "nothing" as const, records: 0, kinds: ["email", "phone"], missing: [], waiver: null },
    { label: "Enregistrements d'appels", outcome: "not_searched" as const, records: 0, kinds: [], missing: ["phone"], waiver: "Aucun numéro connu pour cette personne." },
    { label: "CRM client", outcome: "failed" as const, records: 0, kinds: [], missing: [], waiver: "CRM en maintenance ; un second envoi suivra." },
  ],
};
const cases = {
  noDataAnswer: (l: (typeof LOCALES)[number]) =>
    emails.noDataAnswer({ reference: "DSR-2026-000123", rights: ["access", "erasure"], report, proofRetention: l === "fr" ? "pendant 5 ans après la clôture de la demande (registre des traitements, OP-07)" : "for 5 years after the request is closed (our record of processing, OP-07)" }, l),
  closingCompleted: (l: (typeof LOCALES)[number]) =>
    emails.closingNotice({ reference: "DSR-2026-000123", outcome: "completed", done: [{ kind: "archive_access", on: "2026-11-20" }, { kind: "rectification", on: "2026-11-22" }] }, l),
  infoReminder: (l: (typeof LOCALES)[number]) =>
    emails.infoReminder({ reference: "DSR-2026-000123", question: "Quelle période est concernée ?", link, closeOn: "2026-12-23" }, l),
  closedNoReply: (l: (typeof LOCALES)[number]) => emails.closedNoReply({ reference: "DSR-2026-000123", askedOn: "2026-10-20", days: 30 }, l),
  postalCode: (l: (typeof LOCALES)[number]) => emails.postalCode({ code: "123456", reference: "DSR-2026-000123", days: 30 }, l),
  subjectConfirmation: (l: (typeof LOCALES)[number]) =>
    emails.subjectConfirmation({ reference: "DSR-2026-000123", representative: "Sophie Lambert", rights: ["access"], link }, l),
  mandateRejected: (l: (typeof LOCALES)[number]) => emails.mandateRejected({ reference: "DSR-2026-000123", reason: "Le mandat n'est pas signé par la personne représentée." }, l),
  verification: (l: (typeof LOCALES)[number]) => emails.verification({ link, reference: "DSR-2026-000123", ttlHours: 24 }, l),
  verificationReminder: (l: (typeof LOCALES)[number]) =>
    emails.verificationReminder({ link, reference: "DSR-2026-000123", filedOn: "2026-11-21", lapsesOn: "2026-12-05", ttlHours: 24 }, l),
  unconfirmedLapsed: (l: (typeof LOCALES)[number]) =>
    emails.unconfirmedLapsed({ reference: "DSR-2026-000123", filedOn: "2026-11-21", lapsedOn: "2026-12-05", purgeOn: "2027-01-05", fileLink: "https://droits.centrecall.example/demande" }, l),
  acknowledgement: (l: (typeof LOCALES)[number]) =>
    emails.acknowledgement(
      { reference: "DSR-2026-000123", rights: ["access", "erasure"], receivedOn: "2026-11-23", dueOn: "2026-12-23", statusLink: "https://droits.centrecall.example/suivi/lien/xyz" },
      l,
    ),
  statusLink: (l: (typeof LOCALES)[number]) => emails.statusLink({ link, reference: "DSR-2026-000123", ttlDays: 30 }, l),
  extensionNotice: (l: (typeof LOCALES)[number]) =>
    emails.extensionNotice({ reference: "DSR-2026-000123", reasons: "Trois bases d'enquêtes et des enregistrements à rechercher.", dueOn: "2027-02-23" }, l),
  refusalNotice: (l: (typeof LOCALES)[number]) =>
    emails.refusalNotice({ reference: "DSR-2026-000123", reasons: ["excessive", "identity_not_established"], text: "Quatrième demande identique ce mois-ci." }, l),
  infoRequest: (l: (typeof LOCALES)[number]) =>
    emails.infoRequest({ reference: "DSR-2026-000123", question: "Quelle période est concernée ?", link, ttlDays: 30, closeDays: 30 }, l),
  erasureCertificate: (l: (typeof LOCALES)[number]) =>
    emails.erasureCertificate({ reference: "DSR-2026-000123", lines: erasureLines, proof, statusLink: "https://droits.centrecall.example/suivi/lien/xyz" }, l),
  reminderDigest: (l: (typeof LOCALES)[number]) =>
    emails.reminderDigest(
      {
        scope: "all",
        today: "2026-11-23",
        tickets: [
          { reference: "DSR-2026-000123", status: "in_progress", dueOn: "2026-11-20", overdue: true },
          { reference: "DSR-2026-000102", status: "received", dueOn: "2026-11-27", overdue: false, unassigned: true },
        ],
        more: 0,
        overdue: 1,
        link: "https://droits.centrecall.example/admin",
      },
      l,
    ),
};

describe("email templates", () => {
  for (const [name, render] of Object.entries(cases)) {
    for (const locale of LOCALES) {
      it(`${name} (${locale}) renders the same text as reviewed`, () => {
        const m = render(locale);
        expect({ subject: m.subject, text: m.text }).toMatchSnapshot();
        expect(m.html).toContain(`<html lang="${locale}">`);
        expect(m.html).toContain("DSR-2026-000123");
      });
    }
  }

  it("recipientErasureNotice (fr) renders the same text as reviewed, in the certificate's words", () => {
    const sender = { name: "CentreCall", dpoName: "Délégué à la protection des données de CentreCall", dpoEmail: "dpo@centrecall.example", dpoAddress: "10, rue de la Préfecture, 37000 Tours" };
    const m = emails.recipientErasureNotice({ reference: "DSR-2026-000123", recipient: "Osiris", records: ["Base études de marché (ComPlus) — respondents n° 17"], lines: erasureLines, sender });
    expect({ subject: m.subject, text: m.text }).toMatchSnapshot();
    // Business to business: no word meant for a data subject.
    expect(m.text).not.toContain("CNIL");
    expect(m.text).toContain("dpo@centrecall.example");
    expect(m.html).toContain('<html lang="fr">');
  });

  it("never says erased, or nothing kept, of a pseudonymised row", () => {
    for (const locale of LOCALES) {
      const text = cases.erasureCertificate(locale).text;
      const line = text.split("\n\n").find((p) => p.includes("respondents"))!;
      expect(line).toMatch(locale === "fr" ? /pseudonymisé, pas effacé/ : /pseudonymised, not erased/);
      expect(line).not.toMatch(/anonymis|: 1 enregistrement effacé|: 1 record erased|Aucun|None/);
      expect(line).toContain(locale === "fr" ? "jusqu'à 2 ans après la création de l'enregistrement" : "until 2 years after the record was created");
      expect(text).toContain(locale === "fr" ? "jusqu'au 31 décembre 2036" : "until 31 December 2036");
    }
  });

  it("states the due date in words in the acknowledgement", () => {
    expect(cases.acknowledgement("fr").text).toContain("mercredi 23 décembre 2026");
    expect(cases.acknowledgement("en").text).toContain("Wednesday, 23 December 2026");
  });

  it("escapes HTML in data", () => {
    const m = emails.verification({ link: 'https://x.example/"><script>', reference: "DSR-<b>", ttlHours: 24 }, "fr");
    expect(m.html).not.toContain("<script>");
    expect(m.html).not.toContain("<b>");
  });

  it("keeps every decision's SMS to one message or two, with the reference and the link to the letter", () => {
    const l = "https://droits.centrecall.example/suivi/lien/" + "x".repeat(43);
    for (const locale of LOCALES) {
      const texts = [
        emails.smsRefusal({ reference: "DSR-2026-000123", link: l }, locale),
        emails.smsExtension({ reference: "DSR-2026-000123", dueOn: "2027-02-23", link: l }, locale),
        emails.smsNoData({ reference: "DSR-2026-000123", link: l }, locale),
        emails.smsClosing({ reference: "DSR-2026-000123", outcome: "completed", link: l }, locale),
        emails.smsClosedNoReply({ reference: "DSR-2026-000123", link: l }, locale),
        emails.smsInfoReminder({ reference: "DSR-2026-000123", link: l, closeOn: "2026-12-23" }, locale),
      ];
      for (const t of texts) {
        expect(t.length).toBeLessThanOrEqual(306);
        expect(t).toContain("DSR-2026-000123");
        expect(t).toContain(l);
      }
    }
  });

  it("keeps the confirmation reminder and the lapse notice by SMS to two messages, with the reference and the dates", () => {
    for (const locale of LOCALES) {
      const reminder = emails.smsVerificationReminder({ code: "123456", reference: "DSR-2026-000123", lapsesOn: "2026-12-05", ttlMinutes: 10, followLink: "https://droits.centrecall.example/suivi" }, locale).text;
      const lapsed = emails.smsUnconfirmedLapsed({ reference: "DSR-2026-000123", purgeOn: "2027-01-05", fileLink: "https://droits.centrecall.example/demande" }, locale).text;
      for (const t of [reminder, lapsed]) {
        expect(t.length).toBeLessThanOrEqual(306);
        expect(t).toContain("DSR-2026-000123");
      }
      expect(reminder).toContain("123456");
      expect(reminder).toContain("05/12/2026");
      expect(lapsed).toContain("05/01/2027");
    }
  });

  it("keeps SMS short and free of anything but the code and reference", () => {
    for (const locale of LOCALES) {
      const sms = emails.smsCode({ code: "123456", reference: "DSR-2026-000123", ttlMinutes: 10 }, locale);
      expect(sms.text.length).toBeLessThanOrEqual(160);
      expect(sms.text).toContain("123456");
    }
  });
});

describe("staff security notices", () => {
  for (const change of ["enabled", "replaced", "removed"] as const) {
    for (const locale of LOCALES) {
      it(`secondFactorChanged ${change} (${locale}) renders the same text as reviewed`, () => {
        const m = emails.secondFactorChanged({ change, at: new Date("2026-11-23T14:05:00Z"), accountLink: "https://droits.centrecall.example/admin/compte" }, locale);
        expect({ subject: m.subject, text: m.text }).toMatchSnapshot();
        expect(m.html).toContain(`<html lang="${locale}">`);
        // What happened and when: no key, no code, no address that could help whoever made the change.
        expect(m.text).toContain(locale === "fr" ? "23 novembre 2026" : "23 November 2026");
      });
    }
  }
  for (const locale of LOCALES) {
    it(`passwordChanged (${locale}) renders the same text as reviewed`, () => {
      const m = emails.passwordChanged({ at: new Date("2026-11-23T14:05:00Z"), accountLink: "https://droits.centrecall.example/admin/compte" }, locale);
      expect({ subject: m.subject, text: m.text }).toMatchSnapshot();
      expect(m.html).toContain(`<html lang="${locale}">`);
      expect(m.text).toContain(locale === "fr" ? "23 novembre 2026" : "23 November 2026");
    });
  }
});

describe("a code or link that expired unsent", () => {
  for (const kind of ["web_code", "web_link", "agent_code", "download_link"] as const) {
    for (const locale of LOCALES) {
      it(`expiredNotice ${kind} (${locale}) says where to get a new one, and carries no code or link`, () => {
        const m = emails.expiredNotice({ reference: "DSR-2026-000123", kind }, locale);
        expect({ subject: m.subject, text: m.text, sms: m.sms }).toMatchSnapshot();
        for (const t of [m.text, m.sms]) {
          expect(t).toContain("DSR-2026-000123");
          expect(t).not.toMatch(/https?:\/\//);
        }
        // Two SMS at most.
        expect(m.sms.length).toBeLessThanOrEqual(306);
      });
    }
  }
});
