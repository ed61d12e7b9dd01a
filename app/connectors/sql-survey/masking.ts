import { createHmac, hkdfSync } from "node:crypto";

/**
 * Masking rules for the `anonymize` erasure strategy. Every rule is a fixed
 * point — masking a masked value gives it back unchanged — so running an
 * erasure twice leaves the same end state (DESIGN.md: idempotent, resumable).
 */
export const MASK_KEYWORDS = ["null", "keyed-hash", "postcode-generalise"] as const;
export type MaskRule = (typeof MASK_KEYWORDS)[number] | { fixed: string } | { retain: string; until: string };

/** `anon:` + 22 base64url characters (132 bits): 27 characters, fits a VARCHAR(32) and up. */
const HASHED = /^anon:[A-Za-z0-9_-]{22}$/;

export type Masker = (rule: MaskRule, column: string, value: unknown) => unknown;

/**
 * Keyed hashes keep "same person" countable (and a unique email column
 * unique) without keeping the value. The key is derived from the configured
 * secret and the connector id, so two connectors never produce linkable
 * hashes and the secret can be shared with other uses.
 */
export function createMasker(connectorId: string, dataset: string, secret: string | undefined): Masker {
  const key = secret ? Buffer.from(hkdfSync("sha256", secret, "rightsdesk", `sql-survey:${connectorId}:mask`, 32)) : undefined;
  return (rule, column, value) => {
    if (typeof rule === "object") return "fixed" in rule ? rule.fixed : value;
    if (value === null || value === undefined) return null;
    switch (rule) {
      case "null":
        return null;
      case "keyed-hash": {
        if (HASHED.test(String(value).trim())) return value;
        const text = String(value).trim().toLowerCase();
        if (!key) throw new Error(`no key for keyed-hash masking of ${dataset}.${column} (hashKeyEnv)`);
        const digest = createHmac("sha256", key).update(`${dataset}.${column}\0${text}`).digest("base64url");
        return `anon:${digest.slice(0, 22)}`;
      }
      case "postcode-generalise":
        return generalisePostcode(String(value));
    }
  };
}

/** 37100 → 37xxx, 2A004 → 2Axxx: the département survives, the commune does not. */
export function generalisePostcode(postcode: string): string {
  const compact = postcode.replace(/\s+/g, "");
  return compact.slice(0, 2) + "x".repeat(Math.max(0, compact.length - 2));
}

export function isRetained(rule: MaskRule): rule is { retain: string; until: string } {
  return typeof rule === "object" && "retain" in rule;
}

/**
 * What a row still holds after its mask is applied, besides its primary key:
 * the declared columns the mask does not list (left as they are), keyed
 * hashes and generalised postcodes (transformed, still about the person), and
 * columns it retains. Only columns set to null or to a fixed text are gone.
 * Empty means the row is anonymous; anything here makes it pseudonymised
 * (Recital 26), and each needs a legal ground and an end date.
 */
export function heldAfterMasking(columns: string[], primaryKey: string, mask: Record<string, MaskRule>) {
  const held: { column: string; form: "unchanged" | "keyed-hash" | "generalised"; retain?: { legalBasis: string; until: string } }[] = [];
  const removed: string[] = [];
  for (const column of columns) {
    if (column === primaryKey) continue;
    const rule = mask[column];
    if (rule === undefined) held.push({ column, form: "unchanged" });
    else if (rule === "null" || (typeof rule === "object" && "fixed" in rule)) removed.push(column);
    else if (rule === "keyed-hash") held.push({ column, form: "keyed-hash" });
    else if (rule === "postcode-generalise") held.push({ column, form: "generalised" });
    else held.push({ column, form: "unchanged", retain: { legalBasis: rule.retain, until: rule.until } });
  }
  return { held, removed };
}

export function usesKeyedHash(rules: Record<string, MaskRule>): boolean {
  return Object.values(rules).some((r) => r === "keyed-hash");
}
