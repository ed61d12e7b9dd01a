import { parsePhoneNumberFromString } from "libphonenumber-js";

/**
 * Values staff type for an identity column, in the form the column holds:
 * a number as typed in France or abroad ("06 37 30 47 16") as E.164, an
 * address trimmed and in lower case, a French postcode as five digits.
 * Null when the value cannot be one.
 */
export function typedPhone(typed: string): string | null {
  const parsed = parsePhoneNumberFromString(typed.trim(), "FR");
  return parsed && parsed.isValid() ? parsed.number : null;
}
export function typedEmail(typed: string): string | null {
  const e = typed.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) && e.length <= 254 ? e : null;
}
export function typedPostcode(typed: string): string | null {
  const p = typed.replace(/\s/g, "");
  return /^\d{5}$/.test(p) ? p : null;
}
