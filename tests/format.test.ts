import { describe, expect, it } from "vitest";
import { formatInstant, formatLocalDate, formatParisDate } from "../app/i18n";
import { formatDuration, formatNumber, formatPercent, formatSeconds, plural } from "../app/i18n/format";
import { outcomeText } from "../app/i18n/erasure-outcome";
import { reminderDigest } from "../emails/reminder-digest";
import { adminEn } from "../app/i18n/admin/en";
import { adminFr } from "../app/i18n/admin/fr";

/** French typography: a narrow no-break space between thousands, a no-break space before a unit. */
const NNBSP = "\u202f";
const NBSP = "\u00a0";
const days = { fr: { one: "# jour", other: "# jours" }, en: { one: "# day", other: "# days" } };

describe("plural", () => {
  it("follows CLDR in French: 0 and 1 (and 1,5) are singular", () => {
    expect([0, 1, 2, 1.5, 1234.5].map((n) => plural("fr", n, days.fr))).toEqual(["0 jour", "1 jour", "2 jours", "1,5 jour", `1${NNBSP}234,5 jours`]);
  });

  it("follows CLDR in English: only 1 is singular", () => {
    expect([0, 1, 2, 1.5, 1234.5].map((n) => plural("en", n, days.en))).toEqual(["0 days", "1 day", "2 days", "1.5 days", "1,234.5 days"]);
  });

  it("uses French 'many' (round millions) when given, and 'other' when not", () => {
    expect(plural("fr", 1_000_000, { one: "# jour", many: "# de jours", other: "# jours" })).toBe(`1${NNBSP}000${NNBSP}000 de jours`);
    expect(plural("fr", 1_000_000, days.fr)).toBe(`1${NNBSP}000${NNBSP}000 jours`);
  });

  it("is what the catalogues say: no more '0 day paused' or '0 record'", () => {
    expect(adminEn.ticket.pausedDays(0)).toBe("0 days paused");
    expect(adminEn.ticket.pausedDays(1)).toBe("1 day paused");
    expect(adminFr.ticket.pausedDays(0)).toBe("0 jour de suspension");
    expect(adminFr.ticket.pausedDays(2)).toBe("2 jours de suspension");
    expect(outcomeText({ outcome: "deleted", count: 0, removed: [], kept: [] }, "en")).toBe("0 records erased.");
    expect(outcomeText({ outcome: "deleted", count: 0, removed: [], kept: [] }, "fr")).toBe("0 enregistrement effacé.");
    expect(outcomeText({ outcome: "deleted", count: 2, removed: [], kept: [] }, "fr")).toBe("2 enregistrements effacés.");
  });
});

describe("numbers and measures", () => {
  it("writes numbers with the language's separators", () => {
    expect([0, 1, 2, 1.5, 1234.5].map((n) => formatNumber("fr", n))).toEqual(["0", "1", "2", "1,5", `1${NNBSP}234,5`]);
    expect([0, 1, 2, 1.5, 1234.5].map((n) => formatNumber("en", n))).toEqual(["0", "1", "2", "1.5", "1,234.5"]);
    expect(formatPercent("fr", 0.75)).toMatch(/^75[\u00a0\u202f]%$/);
    expect(formatPercent("en", 0.75)).toBe("75%");
  });

  it("writes durations with a decimal comma in French, never a bare decimal point", () => {
    expect(formatSeconds("fr", 0.2)).toBe(`0,2${NBSP}s`);
    expect(formatSeconds("en", 0.2)).toBe(`0.2${NBSP}s`);
    expect(formatDuration("fr", 49.08)).toBe(`49,08${NBSP}ms`);
    expect(formatDuration("en", 49.08)).toBe(`49.08${NBSP}ms`);
    expect(formatDuration("fr", 1234)).toBe(`1,2${NBSP}s`);
    expect(formatDuration("fr", 0)).toBe(`0${NBSP}ms`);
  });

  it("counts the digest's requests in words that agree", () => {
    const data = { scope: "all" as const, today: "2027-02-01", tickets: [], more: 1234, overdue: 0, link: "https://x.example/admin" };
    expect(reminderDigest(data, "fr").subject).toBe(`Échéances RGPD : 1${NNBSP}234 demandes à traiter sous 7 jours`);
    expect(reminderDigest(data, "en").subject).toBe("GDPR deadlines: 1,234 requests due within 7 days");
    expect(reminderDigest(data, "fr").text).toContain("Au lundi 1er février 2027,");
  });
});

describe("French dates: the first of the month is '1er'", () => {
  it("in a legal day, an instant and a Paris date", () => {
    expect(formatLocalDate("2027-02-01", "fr")).toBe("lundi 1er février 2027");
    expect(formatInstant(new Date("2027-02-01T13:05:00Z"), "fr")).toBe("1er février 2027 à 14:05");
    expect(formatParisDate(new Date("2027-02-01T13:05:00Z"), "fr-FR")).toBe("1er février 2027");
  });

  it("only on the first: 11 and 21 stay cardinal, and the year or hour is never touched", () => {
    expect(formatLocalDate("2027-02-11", "fr")).toBe("jeudi 11 février 2027");
    expect(formatLocalDate("2027-02-21", "fr")).toBe("dimanche 21 février 2027");
    expect(formatInstant(new Date("2027-03-10T00:01:00Z"), "fr")).toBe("10 mars 2027 à 01:01");
    expect(formatLocalDate("2001-01-01", "fr")).toBe("lundi 1er janvier 2001");
  });

  it("leaves English as it was", () => {
    expect(formatLocalDate("2027-02-01", "en")).toBe("Monday, 1 February 2027");
    expect(formatInstant(new Date("2027-02-01T13:05:00Z"), "en")).toBe("1 February 2027 at 14:05");
    expect(formatParisDate(new Date("2027-02-01T13:05:00Z"), "en-GB")).toBe("1 February 2027");
  });
});
