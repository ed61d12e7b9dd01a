import type { Locale } from "../../db/schema/enums";
import { en } from "./en";
import { fr, type Messages } from "./fr";

export type { Messages };
export const catalogues: Record<Locale, Messages> = { fr, en };
export const DEFAULT_LOCALE: Locale = "fr";

export function isLocale(v: unknown): v is Locale {
  return v === "fr" || v === "en";
}

export function t(locale: Locale): Messages {
  return catalogues[locale];
}

/** A legal date (YYYY-MM-DD, Paris) in words: "lundi 28 décembre 2026". */
export function formatLocalDate(iso: string, locale: Locale): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(catalogues[locale].dateLocale, {
    dateStyle: "full",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant as seen in Paris, where the legal clock runs. */
export function formatInstant(at: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(catalogues[locale].dateLocale, {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "Europe/Paris",
  }).format(at);
}
