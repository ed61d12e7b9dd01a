import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import type { DatasetPresentation, FieldPresentation, FieldValue } from "../app/connectors/types";
import type { Locale } from "../db/schema/enums";
import { formatDateParts, plural } from "../app/i18n/format";

/**
 * A value from one of our systems, written for the person it is about: a date
 * in words and Paris time ("1er février 2027 à 14:05"), yes or no, a code in
 * words, a duration in minutes and seconds, a phone number as it is dialled.
 * The JSON and CSV files keep the values exactly as stored; these words are
 * for the readable pages and the spreadsheet copy only.
 */

const TAG: Record<Locale, string> = { fr: "fr-FR", en: "en-GB" };
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const cache = new Map<string, Intl.DateTimeFormat>();
function dtf(locale: Locale, key: string, opts: Intl.DateTimeFormatOptions) {
  const id = `${locale} ${key}`;
  let f = cache.get(id);
  if (!f) cache.set(id, (f = new Intl.DateTimeFormat(TAG[locale], opts)));
  return f;
}

function parts(f: Intl.DateTimeFormat, at: Date) {
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value])) as Record<Intl.DateTimeFormatPartTypes, string>;
}

/** "1er février 2027", "14 March 2026": a calendar day, French ordinal for the first. */
function dayInWords(locale: Locale, p: Record<string, string>) {
  const day = Number(p.day);
  return locale === "fr" ? `${day === 1 ? "1er" : day} ${p.month} ${p.year}` : `${day} ${p.month} ${p.year}`;
}

/** An instant in Paris: "1er février 2027 à 14:05" / "1 February 2027 at 14:05". */
export function instantInWords(at: Date, locale: Locale): string {
  const p = parts(dtf(locale, "instant", { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/Paris" }), at);
  return `${dayInWords(locale, p)} ${locale === "fr" ? "à" : "at"} ${p.hour}:${p.minute}`;
}

/** A calendar date (YYYY-MM-DD, no time zone): "1er février 2027". */
export function dateInWords(iso: string, locale: Locale): string {
  const [, y, m, d] = ISO_DATE.exec(iso)!;
  return formatDateParts(dtf(locale, "date", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }), new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))), locale);
}

const numbers = new Map<string, Intl.NumberFormat>();
/** Built once per locale and style: a formatter costs more to build than a table row to render. */
function nf(locale: Locale, sheet = false) {
  const id = `${locale} ${sheet}`;
  let f = numbers.get(id);
  if (!f) numbers.set(id, (f = new Intl.NumberFormat(TAG[locale], sheet ? { useGrouping: false, maximumFractionDigits: 20 } : {})));
  return f;
}

/** "1 réponse", "4 réponses", "0 réponse" (French singular below 2), "0 answers". */
export function counted(n: number, words: [string, string], locale: Locale): string {
  return plural(locale, n, { one: `# ${words[0]}`, other: `# ${words[1]}` });
}

const UNITS = {
  fr: { h: ["heure", "heures"], m: ["minute", "minutes"], s: ["seconde", "secondes"], and: "et" },
  en: { h: ["hour", "hours"], m: ["minute", "minutes"], s: ["second", "seconds"], and: "and" },
} satisfies Record<Locale, { h: [string, string]; m: [string, string]; s: [string, string]; and: string }>;

/** 125 → "2 minutes et 5 secondes"; 0 → "0 seconde". */
export function durationInWords(seconds: number, locale: Locale): string {
  const u = UNITS[locale];
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const said = [h ? counted(h, u.h, locale) : "", m ? counted(m, u.m, locale) : "", s || total === 0 ? counted(s, u.s, locale) : ""].filter(Boolean);
  return said.length > 1 ? `${said.slice(0, -1).join(" ")} ${u.and} ${said.at(-1)}` : said[0]!;
}

/**
 * The same few values (her number, the instants of her calls) come back on every row of a dataset,
 * and parsing a number or a date costs tens of microseconds: remembered, within a bound.
 */
function remembered<A extends string | number>(fn: (value: A, locale: Locale) => string): (value: A, locale: Locale) => string {
  const seen = new Map<string, string>();
  return (value, locale) => {
    const key = `${locale}${value}`;
    let out = seen.get(key);
    if (out === undefined) {
      if (seen.size >= 10_000) seen.clear();
      seen.set(key, (out = fn(value, locale)));
    }
    return out;
  };
}

/** "+33247000000" → "02 47 00 00 00" for a French reader of a French number; the international form otherwise. */
export const phoneForPeople = remembered((value: string, locale: Locale): string => {
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed?.isValid()) return value;
  return locale === "fr" && parsed.country === "FR" ? parsed.formatNational() : parsed.formatInternational();
});

const WORDS = {
  fr: { yes: "Oui", no: "Non", missing: "Non renseigné" },
  en: { yes: "Yes", no: "No", missing: "Not recorded" },
} satisfies Record<Locale, Record<string, string>>;

/** The label of a field with nothing configured: its name made readable (source_channel → "Source channel"), as a last resort. */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_\-.]+/g, " ")
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

export function fieldLabel(p: DatasetPresentation | undefined, field: string, locale: Locale): string {
  return p?.fields[field]?.label?.[locale] ?? humanise(field);
}

export type Shown = { text: string; missing?: boolean };

const instantText = remembered((iso: string, locale: Locale) => instantInWords(new Date(iso), locale));
const sheetInstant = remembered((iso: string, locale: Locale) => {
  const q = parts(dtf(locale, "sheet-instant", { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/Paris" }), new Date(iso));
  return `${q.day}/${q.month}/${q.year} ${q.hour}:${q.minute}`;
});

/**
 * One value for a person to read. Whatever the field declares, a boolean
 * reads yes/no and an ISO instant reads as a Paris date: a field added to a
 * system without a label still never shows "true" or "2026-03-14T09:12:00Z".
 */
export function valueForPeople(value: FieldValue | undefined, p: FieldPresentation | undefined, locale: Locale): Shown {
  const w = WORDS[locale];
  if (value === null || value === undefined || value === "") return { text: w.missing, missing: true };
  if (typeof value === "boolean") return { text: value ? w.yes : w.no };
  if (typeof value === "string" && p?.values && Object.hasOwn(p.values, value)) return { text: p.values[value]![locale] };
  if (typeof value === "number") {
    if (p?.format === "duration") return { text: durationInWords(value, locale) };
    if (p?.format === "boolean" && (value === 0 || value === 1)) return { text: value ? w.yes : w.no };
    return { text: nf(locale).format(value) };
  }
  if (ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return { text: instantText(value, locale) };
  if (ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))) return { text: dateInWords(value, locale) };
  if (p?.format === "phone") return { text: phoneForPeople(value, locale) };
  return { text: value };
}

/**
 * The same value for a spreadsheet in the reader's language: what a
 * spreadsheet recognises as a date ("14/03/2026 10:12", Paris time), a number
 * with the locale's decimal mark, words elsewhere.
 */
export function valueForSpreadsheet(value: FieldValue | undefined, p: FieldPresentation | undefined, locale: Locale): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "number" && p?.format !== "duration" && p?.format !== "boolean") return nf(locale, true).format(value);
  if (typeof value === "string" && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return sheetInstant(value, locale);
  if (typeof value === "string" && ISO_DATE.test(value)) {
    const [, y, m, d] = ISO_DATE.exec(value)!;
    return `${d}/${m}/${y}`;
  }
  return valueForPeople(value, p, locale).text;
}
