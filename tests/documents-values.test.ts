import { describe, expect, it } from "vitest";
import { counted, dateInWords, durationInWords, humanise, instantInWords, phoneForPeople, valueForPeople, valueForSpreadsheet } from "../documents/values";

/** How the readable copy writes values for people (documents/values.ts), in both languages. */
describe("values written for people", () => {
  it("dates: Paris time, French ordinal for the first, summer and winter", () => {
    expect(instantInWords(new Date("2027-02-01T13:05:00Z"), "fr")).toBe("1er février 2027 à 14:05");
    expect(instantInWords(new Date("2027-02-01T13:05:00Z"), "en")).toBe("1 February 2027 at 14:05");
    expect(instantInWords(new Date("2026-07-14T22:30:00Z"), "fr")).toBe("15 juillet 2026 à 00:30"); // the next day in Paris
    expect(instantInWords(new Date("2026-03-29T00:59:00Z"), "fr")).toBe("29 mars 2026 à 01:59");
    expect(instantInWords(new Date("2026-03-29T01:00:00Z"), "fr")).toBe("29 mars 2026 à 03:00"); // summer time starts
    expect(dateInWords("2026-05-01", "fr")).toBe("1er mai 2026");
    expect(dateInWords("2026-12-31", "en")).toBe("31 December 2026");
  });

  it("counts and durations with each language's plural rules", () => {
    expect(counted(0, ["réponse", "réponses"], "fr")).toBe("0 réponse");
    expect(counted(1, ["réponse", "réponses"], "fr")).toBe("1 réponse");
    expect(counted(2, ["réponse", "réponses"], "fr")).toBe("2 réponses");
    expect(counted(0, ["answer", "answers"], "en")).toBe("0 answers");
    expect(counted(1, ["answer", "answers"], "en")).toBe("1 answer");
    expect(counted(1500, ["fiche", "fiches"], "fr")).toBe("1\u202f500 fiches");
    expect(durationInWords(0, "fr")).toBe("0 seconde");
    expect(durationInWords(1, "en")).toBe("1 second");
    expect(durationInWords(125, "fr")).toBe("2 minutes et 5 secondes");
    expect(durationInWords(3725, "en")).toBe("1 hour 2 minutes and 5 seconds");
    expect(durationInWords(3600, "fr")).toBe("1 heure");
  });

  it("phone numbers as they are dialled, yes/no, codes, and nothing raw whatever the field declares", () => {
    expect(phoneForPeople("+33247000000", "fr")).toBe("02 47 00 00 00");
    expect(phoneForPeople("+33247000000", "en")).toBe("+33 2 47 00 00 00");
    expect(phoneForPeople("+442071838750", "fr")).toBe("+44 20 7183 8750");
    expect(phoneForPeople("not a number", "fr")).toBe("not a number");
    expect(valueForPeople(true, undefined, "fr").text).toBe("Oui");
    expect(valueForPeople(false, undefined, "en").text).toBe("No");
    expect(valueForPeople(1, { format: "boolean" }, "fr").text).toBe("Oui");
    expect(valueForPeople(null, undefined, "fr")).toEqual({ text: "Non renseigné", missing: true });
    expect(valueForPeople("", undefined, "en")).toEqual({ text: "Not recorded", missing: true });
    expect(valueForPeople("2026-03-14T09:12:00.000Z", undefined, "fr").text).toBe("14 mars 2026 à 10:12");
    expect(valueForPeople("2026-03-14", undefined, "en").text).toBe("14 March 2026");
    expect(valueForPeople(1234.5, undefined, "fr").text).toBe("1\u202f234,5");
    const channel = { values: { web_form: { fr: "Par le formulaire en ligne", en: "Through the online form" } } };
    expect(valueForPeople("web_form", channel, "fr").text).toBe("Par le formulaire en ligne");
    expect(valueForPeople("web_form", channel, "en").text).toBe("Through the online form");
    expect(valueForPeople("unknown_code", channel, "en").text).toBe("unknown_code"); // said as stored, never guessed
    expect(humanise("source_channel")).toBe("Source channel");
    expect(humanise("loyaltyTier")).toBe("Loyalty tier");
  });

  it("for a spreadsheet: dates and numbers it reads in that language", () => {
    expect(valueForSpreadsheet("2027-02-01T13:05:00Z", undefined, "fr")).toBe("01/02/2027 14:05");
    expect(valueForSpreadsheet("2026-03-14", undefined, "en")).toBe("14/03/2026");
    expect(valueForSpreadsheet(2.5, undefined, "fr")).toBe("2,5");
    expect(valueForSpreadsheet(12345, undefined, "fr")).toBe("12345");
    expect(valueForSpreadsheet(2.5, undefined, "en")).toBe("2.5");
    expect(valueForSpreadsheet(false, undefined, "fr")).toBe("Non");
    expect(valueForSpreadsheet(null, undefined, "fr")).toBe("");
    expect(valueForSpreadsheet(65, { format: "duration" }, "fr")).toBe("1 minute et 5 secondes");
  });
});

describe("the archive's letter, with nothing of ours to hand over", () => {
  it("says the archive holds no data and why, with no empty list of files or folders", async () => {
    const { archiveLetter } = await import("../documents/archive-letter");
    const { textOf } = await import("./helpers/app");
    const facts = {
      kind: "access" as const,
      reference: "DSR-2026-000042",
      generatedAt: new Date("2027-02-01T10:00:00Z"),
      brand: "CentreCall",
      dpoEmail: "dpo@centrecall.example",
      datasets: [],
      audio: 0,
      otherFiles: 0,
      operationsPage: "lire/traitements.html",
      operations: [],
      concerned: new Map<string, string[]>(),
      anomalies: 0,
      csvApostrophes: false,
      report: null,
      controllers: [{ client: "Neva Assurances", contact: "dpo@client-crm.example", state: "awaiting" as const }],
      withheld: [],
    };
    const fr = textOf(archiveLetter({ ...facts, locale: "fr" }));
    expect(fr).toContain("Aucune donnée ne figure dans cette archive");
    expect(fr).toContain("Neva Assurances");
    expect(fr).not.toContain("Comment ouvrir ces fichiers");
    expect(fr).toContain("Archive établie le 1er février 2027");
    expect(fr).not.toMatch(/0 traitements|Les traitements qui concernent/); // no list of nothing
    expect(fr).toContain("Vos droits — art. 15(1)(e)");
    const en = textOf(archiveLetter({ ...facts, locale: "en" }));
    expect(en).toContain("This archive holds no data");
    expect(en).not.toContain("How to open these files");
  });
});
