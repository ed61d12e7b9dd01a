import { describe, expect, it } from "vitest";
import { formatInstant, formatLocalDate, formatParisDate } from "../app/i18n";

// The formatters are built once per locale and style: calls in alternating
// locales and styles must each keep their own wording.
describe("dates in the reader's language", () => {
  it("writes a legal day in words, in French then English, whatever came before", () => {
    expect(formatLocalDate("2026-12-28", "fr")).toBe("lundi 28 décembre 2026");
    expect(formatLocalDate("2026-12-28", "en")).toBe("Monday, 28 December 2026");
    expect(formatLocalDate("2027-01-01", "fr")).toBe("vendredi 1er janvier 2027");
  });

  it("shows an instant at Paris time, summer and winter", () => {
    // 12:05 UTC is 14:05 in Paris in July (UTC+2) and 13:05 in January (UTC+1).
    expect(formatInstant(new Date("2026-07-14T12:05:00Z"), "fr")).toBe("14 juillet 2026 à 14:05");
    expect(formatInstant(new Date("2026-01-14T12:05:00Z"), "en")).toBe("14 January 2026 at 13:05");
    // Late evening UTC on 31 December is already the new year in Paris.
    expect(formatInstant(new Date("2026-12-31T23:30:00Z"), "fr")).toBe("1er janvier 2027 à 00:30");
  });

  it("gives the Paris date of an instant for letters and certificates", () => {
    expect(formatParisDate(new Date("2026-12-31T23:30:00Z"), "fr-FR")).toBe("1er janvier 2027");
    expect(formatParisDate(new Date("2026-12-31T23:30:00Z"), "en-GB")).toBe("1 January 2027");
    // The same locale in another style is another formatter.
    expect(formatInstant(new Date("2026-12-31T23:30:00Z"), "en")).toBe("1 January 2027 at 00:30");
  });
});
