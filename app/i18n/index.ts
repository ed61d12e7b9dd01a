import type { Locale } from "../../db/schema/enums";
import { en } from "./en";
import { fr, type Messages } from "./fr";
import { formatDateParts } from "./format";

export type { Messages };
export const catalogues: Record<Locale, Messages> = { fr, en };
export const DEFAULT_LOCALE: Locale = "fr";

export function isLocale(v: unknown): v is Locale {
  return v === "fr" || v === "en";
}

export function t(locale: Locale): Messages {
  return catalogues[locale];
}

/**
 * Building an Intl.DateTimeFormat costs about as much as rendering a table
 * row (ICU loads the locale's patterns each time), and a formatter is
 * immutable: one per locale and style, built on first use. The queue page
 * formats two dates per row; building them per call was 40 % of its render.
 */
const STYLES = {
  /** "lundi 28 décembre 2026": a legal day, already a Paris date, so read in UTC. */
  day: { dateStyle: "full", timeZone: "UTC" },
  /** "28 décembre 2026 à 14:05", in Paris where the legal clock runs. */
  instant: { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Paris" },
  /** "28 décembre 2026", the Paris date of an instant (letters, certificates). */
  date: { dateStyle: "long", timeZone: "Europe/Paris" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tag: string, style: keyof typeof STYLES): Intl.DateTimeFormat {
  const key = `${tag} ${style}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(tag, STYLES[style])));
  return f;
}

/** A legal date (YYYY-MM-DD, Paris) in words: "lundi 28 décembre 2026". */
export function formatLocalDate(iso: string, locale: Locale): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return formatDateParts(formatter(catalogues[locale].dateLocale, "day"), new Date(Date.UTC(y, m - 1, d)), locale);
}

/** An instant as seen in Paris, where the legal clock runs. */
export function formatInstant(at: Date, locale: Locale): string {
  return formatDateParts(formatter(catalogues[locale].dateLocale, "instant"), at, locale);
}

/** The Paris date of an instant, for a BCP 47 tag ("fr-FR", "en-GB"): "28 décembre 2026", "1er février 2027". */
export function formatParisDate(at: Date, tag: string): string {
  return formatDateParts(formatter(tag, "date"), at, tag.startsWith("fr") ? "fr" : "en");
}
