import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { IdentifierKind } from "../types";

/**
 * How verified identifiers are compared with what the survey database holds.
 * Every comparison stays an indexed equality or a short IN list: candidates
 * are generated here, sent as parameters, and the rows they bring back are
 * checked again in code with the loose comparison.
 */

/** Lower rank wins when one record is found by several identifiers. */
export const STRENGTH: Record<IdentifierKind, number> = { email: 0, phone: 1, name_postcode: 2 };

export function stronger(a: IdentifierKind, b: IdentifierKind): IdentifierKind {
  return STRENGTH[a] <= STRENGTH[b] ? a : b;
}

export function normaliseEmail(email: string | undefined): string | undefined {
  const e = email?.trim().toLowerCase();
  return e ? e : undefined;
}

/** +33 6 12-34-56-78 → +33612345678; anything that is not then E.164 is refused. */
export function normaliseE164(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  let p = phone.replace(/[\s.()-]/g, "");
  if (p.startsWith("00")) p = `+${p.slice(2)}`;
  return /^\+[1-9]\d{6,14}$/.test(p) ? p : undefined;
}

/**
 * The ways a number is commonly typed into a free-text column: E.164, without
 * the +, with 00, national with the trunk prefix, grouped by spaces, dots or
 * dashes. Finite on purpose: each one is an indexed lookup.
 */
export function phoneCandidates(e164: string): string[] {
  const out = new Set<string>([e164, e164.slice(1), `00${e164.slice(1)}`]);
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed) {
    const national = parsed.formatNational();
    const international = parsed.formatInternational();
    for (const form of [national, international]) {
      out.add(form);
      out.add(form.replace(/ /g, ""));
      out.add(form.replace(/ /g, "."));
      out.add(form.replace(/ /g, "-"));
    }
  }
  return [...out];
}

/** Does a free-text stored number denote this E.164 number? */
export function samePhone(stored: unknown, e164: string): boolean {
  if (typeof stored !== "string" || !stored.trim()) return false;
  const country = parsePhoneNumberFromString(e164)?.country;
  const parsed = parsePhoneNumberFromString(stored.trim(), country ? { defaultCountry: country } : undefined);
  return (parsed?.number ?? normaliseE164(stored)) === e164;
}

export function stripAccents(s: string) {
  return s.normalize("NFD").replace(/\p{M}+/gu, "");
}

/** Names compared without case, accents, or the spaces/hyphens/apostrophes between parts. */
export function nameKey(s: unknown): string {
  if (typeof s !== "string") return "";
  return stripAccents(s).toLowerCase().replace(/[\s'’-]+/g, " ").trim();
}

function titleCase(s: string) {
  return s.toLowerCase().replace(/(^|[\s'’-])(\p{L})/gu, (_, sep: string, letter: string) => sep + letter.toUpperCase());
}

/**
 * DESMARC, Desmarc, desmarc, with and without accents, Jean-Pierre and
 * Jean Pierre: the spellings a name column realistically holds, so the lookup can use the
 * (last_name, postcode) index. Rows are then filtered with `nameKey`.
 */
export function nameCandidates(name: string): string[] {
  const t = name.trim().replace(/\s+/g, " ");
  if (!t) return [];
  const out = new Set<string>();
  const spellings = [t, t.replace(/-/g, " "), t.replace(/ /g, "-")];
  for (const base of spellings.flatMap((s) => [s, stripAccents(s)])) {
    out.add(base);
    out.add(base.toUpperCase());
    out.add(base.toLowerCase());
    out.add(titleCase(base));
  }
  return [...out];
}

export function normalisePostcode(postcode: unknown): string {
  return typeof postcode === "string" || typeof postcode === "number" ? String(postcode).replace(/\s+/g, "").toUpperCase() : "";
}

/** 37100 and "37 100". */
export function postcodeCandidates(postcode: string): string[] {
  const p = normalisePostcode(postcode);
  if (!p) return [];
  return p.length === 5 ? [p, `${p.slice(0, 2)} ${p.slice(2)}`] : [p];
}
