import type { Locale } from "../../db/schema/enums";

/**
 * Numbers and plurals in the reader's language (minimal: part 4 of issue 16
 * brings the full module; the two are merged there). French counts 0 and 1
 * as singular, English only 1: Intl.PluralRules knows, a `n > 1` does not.
 */
const tag = (locale: Locale) => (locale === "en" ? "en-GB" : "fr-FR");

export function plural(locale: Locale, n: number, forms: { one: string; other: string }): string {
  return new Intl.PluralRules(tag(locale)).select(n) === "one" ? forms.one : forms.other;
}

export function formatNumber(locale: Locale, n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(tag(locale), options).format(n);
}
