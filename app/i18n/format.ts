import type { Locale } from "../../db/schema/enums";

/**
 * Numbers, counts and measures as each language writes them, on Intl (CLDR):
 * French "1 234,5" (narrow no-break space, decimal comma), "0 jour" and
 * "1 jour" (French treats 0 as singular), "0,2 s"; English "1,234.5",
 * "0 days", "1 day", "0.2 s". Every page, email and letter goes through here
 * instead of `n > 1 ? "s" : ""` or `.toFixed()`.
 *
 * Formatters are cached: building one costs as much as rendering a table row.
 */
const TAGS: Record<Locale, string> = { fr: "fr-FR", en: "en-GB" };

const pluralRules = new Map<Locale, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

/** The CLDR plural category of n in this language ("one", "other", and French "many" for round millions). */
export function pluralCategory(locale: Locale, n: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(TAGS[locale])));
  return rules.select(n);
}

/** The words for one and for several; `#` is replaced by the number, formatted. Other categories fall back to `other`. */
export type PluralForms = { one: string; other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;

/** `plural("fr", 0, { one: "# jour", other: "# jours" })` → "0 jour"; in English "0 days". */
export function plural(locale: Locale, n: number, forms: PluralForms): string {
  const form = forms[pluralCategory(locale, n)] ?? forms.other;
  return form.replace(/#/g, formatNumber(locale, n));
}

/** "1 234,5" in French (U+202F between thousands), "1,234.5" in English; at most 2 decimals unless told. */
export function formatNumber(locale: Locale, n: number, opts: Intl.NumberFormatOptions = {}): string {
  const key = `${locale} ${JSON.stringify(opts)}`;
  let f = numberFormats.get(key);
  if (!f)
    numberFormats.set(
      key,
      (f = new Intl.NumberFormat(TAGS[locale], {
        maximumFractionDigits: 2,
        ...opts,
      }))
    );
  return f.format(n);
}

/** A share (0..1) as a percentage: "75 %" in French (no-break space), "75%" in English. */
export function formatPercent(locale: Locale, share: number, maximumFractionDigits = 0): string {
  return formatNumber(locale, share, {
    style: "percent",
    maximumFractionDigits,
  });
}

/** A symbol after a number, joined by a no-break space so that it never starts a line ("49,08 ms"). */
const withUnit = (value: string, unit: string) => `${value}\u00a0${unit}`;

/** Milliseconds as people read them: under a second "49,08 ms" / "49.08 ms", from one second on "1,2 s" / "1.2 s". */
export function formatDuration(locale: Locale, ms: number): string {
  if (Math.abs(ms) < 1000) return withUnit(formatNumber(locale, ms, { maximumFractionDigits: 2 }), "ms");
  return withUnit(formatNumber(locale, ms / 1000, { maximumFractionDigits: 1 }), "s");
}

/** Seconds with one decimal: "0,2 s" / "0.2 s". */
export function formatSeconds(locale: Locale, seconds: number): string {
  return withUnit(formatNumber(locale, seconds, { maximumFractionDigits: 1 }), "s");
}

/**
 * French writes the first day of a month as an ordinal: "1er février 2027",
 * "lundi 1er février 2027". Intl gives "1"; the day part is rewritten here,
 * once, for every date format the app uses.
 */
export function formatDateParts(f: Intl.DateTimeFormat, date: Date, locale: Locale): string {
  if (locale !== "fr") return f.format(date);
  return f
    .formatToParts(date)
    .map((p) => (p.type === "day" && Number(p.value) === 1 ? "1er" : p.value))
    .join("");
}
