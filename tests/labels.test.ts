import { describe, expect, it } from "vitest";
import * as enums from "../db/schema/enums";
import { INFO_REASONS, PAUSE_REASONS } from "../db/schema/requests";
import { AuditAction } from "../app/services/audit.server";
import { PUBLIC_EVENTS, STAFF_EVENTS } from "../app/services/events";
import { auditMessages } from "../app/i18n/admin/audit";
import { adminCatalogues } from "../app/i18n/admin";
import { DETAIL_LABELS, ENUM_LABELS, detailLabel, detailValue } from "../app/i18n/labels";

/** Every value a page may show has words in both languages, and the two languages differ where they should. */
const LOCALES = ["fr", "en"] as const;
const TABLE_OF: Record<string, keyof (typeof ENUM_LABELS)["fr"]> = {
  RIGHTS: "rights",
  CHANNELS: "channels",
  SITES: "sites",
  STATUSES: "statuses",
  LOCALES: "locales",
  ROLES: "roles",
  HOLIDAY_PROFILES: "holidayProfiles",
  REFUSAL_REASONS: "refusalReasons",
  VERIFICATION_METHODS: "verificationMethods",
  OUTCOMES: "outcomes",
  AGENT_VERIFICATIONS: "agentVerifications",
};

describe("labels", () => {
  it("exist for every value of every enum in db/schema/enums.ts, in French and English", () => {
    // The audit actions have their own catalogue (checked below).
    const lists = Object.entries(enums).filter(([name, v]) => Array.isArray(v) && name !== "AUDIT_ACTIONS") as [string, readonly string[]][];
    expect(lists.length).toBeGreaterThanOrEqual(11);
    for (const [name, values] of lists) {
      const table = TABLE_OF[name];
      expect(table, `a label table for ${name}`).toBeDefined();
      for (const locale of LOCALES)
        for (const v of values) {
          const label = (ENUM_LABELS[locale][table!] as Record<string, string>)[v];
          expect(label, `${locale} ${name}.${v}`).toBeTruthy();
          expect(label, `${locale} ${name}.${v} is a word, not the code`).not.toBe(v);
        }
    }
    for (const locale of LOCALES) {
      for (const v of INFO_REASONS) expect(ENUM_LABELS[locale].infoReasons[v], `${locale} info reason ${v}`).toBeTruthy();
      for (const v of PAUSE_REASONS) expect(ENUM_LABELS[locale].pauseReasons[v], `${locale} pause reason ${v}`).toBeTruthy();
    }
  });

  it("exist for every audit action and every timeline event, in French and English", () => {
    for (const locale of LOCALES) {
      for (const a of AuditAction.options) expect(auditMessages[locale].actions[a], `${locale} audit ${a}`).toBeTruthy();
      for (const e of [...PUBLIC_EVENTS, ...STAFF_EVENTS]) expect(adminCatalogues[locale].events[e], `${locale} event ${e}`).toBeTruthy();
    }
    const same = AuditAction.options.filter((a) => auditMessages.fr.actions[a] === auditMessages.en.actions[a]);
    expect(same, "audit labels left untranslated").toEqual([]);
  });

  it("turn the journal's details into words", () => {
    expect(`${detailLabel("what", "fr")} : ${detailValue("what", "gathered_identity", "fr")}`).toBe("Ce qui a été lu : l'identité trouvée dans les systèmes");
    expect(`${detailLabel("dueOn", "fr")} : ${detailValue("dueOn", "2027-02-01", "fr")}`).toBe("Échéance : lundi 1er février 2027");
    expect(detailValue("dueOn", "2027-02-01", "en")).toBe("Monday, 1 February 2027");
    expect(detailValue("reason", "scope", "fr")).toBe(ENUM_LABELS.fr.infoReasons.scope);
    expect(detailValue("reason", "awaiting_requester", "en")).toBe("Waiting for the requester");
    expect(detailValue("reasons", ["excessive", "identity_not_established"], "fr")).toBe("Demande excessive (notamment répétitive), Identité non établie");
    expect(detailValue("via", "staff", "fr")).toBe("saisie par l'équipe");
    expect(detailValue("what", "mapping:respondents", "fr")).toBe("correspondance des champs : respondents");
    expect(detailValue("records", 1234, "fr")).toBe("1\u202f234");
    expect(detailValue("extended", true, "fr")).toBe("oui");
    // The journal's detail names are labelled in both languages alike.
    expect(Object.keys(DETAIL_LABELS.en).sort()).toEqual(Object.keys(DETAIL_LABELS.fr).sort());
    expect(detailLabel("ground", "fr")).toBe("Motif");
    // A name nobody labelled still reads as words, never as camelCase.
    expect(detailLabel("someNewThing", "en")).toBe("Some new thing");
  });
});
