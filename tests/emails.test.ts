import { describe, expect, it } from "vitest";
import * as emails from "../emails";
import { LOCALES } from "../db/schema/enums";

const link = "https://droits.centrecall.example/verification/abc";
const cases = {
  verification: (l: (typeof LOCALES)[number]) => emails.verification({ link, reference: "DSR-2026-000123", ttlHours: 24 }, l),
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

  it("states the due date in words in the acknowledgement", () => {
    expect(cases.acknowledgement("fr").text).toContain("mercredi 23 décembre 2026");
    expect(cases.acknowledgement("en").text).toContain("Wednesday, 23 December 2026");
  });

  it("escapes HTML in data", () => {
    const m = emails.verification({ link: 'https://x.example/"><script>', reference: "DSR-<b>", ttlHours: 24 }, "fr");
    expect(m.html).not.toContain("<script>");
    expect(m.html).not.toContain("<b>");
  });

  it("keeps SMS short and free of anything but the code and reference", () => {
    for (const locale of LOCALES) {
      const sms = emails.smsCode({ code: "123456", reference: "DSR-2026-000123", ttlMinutes: 10 }, locale);
      expect(sms.text.length).toBeLessThanOrEqual(160);
      expect(sms.text).toContain("123456");
    }
  });
});
