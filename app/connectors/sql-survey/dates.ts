/**
 * Declared date formats. A value is read in the formats its column declares,
 * in order, and in no other: a value that fits none is an anomaly, reported
 * with its raw text, never guessed (the ComPlus ticket: JSON dates written
 * month-first into a day-first column). Declaring both dd/mm/yyyy and
 * mm/dd/yyyy on one column is refused by the config schema for that reason.
 *
 * A value that fits its declared format but was written in another one
 * (05/06/2026 meant as 6 May) cannot be detected from the value alone; only
 * the impossible ones (05/20/2026) surface.
 */
export const DATE_FORMATS = ["iso-date", "iso-datetime", "dd/mm/yyyy", "mm/dd/yyyy", "epoch-ms", "epoch-s"] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export type DateReading = { ok: true; value: string | null } | { ok: false; raw: string };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const INTEGER = /^-?\d{1,16}$/;
/** ±8,640,000,000,000,000 ms: the range of a JS Date. */
const MAX_EPOCH_MS = 8.64e15;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function daysInMonth(year: number, month: number) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function calendarDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

function isoDateTime(text: string): string | null {
  const m = ISO_DATETIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const date = calendarDate(Number(y), Number(mo), Number(d));
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (!date || hour > 23 || minute > 59 || second > 59) return null;
  const millis = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const local = `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${frac ? `.${pad(millis, 3)}` : ""}`;
  // No zone written: the instant is not known, so we do not invent one.
  if (!zone) return local;
  if (zone === "Z") return new Date(`${local}Z`).toISOString();
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
  if (offsetMinutes > 18 * 60) return null;
  return new Date(Date.parse(`${local}Z`) - sign * offsetMinutes * 60_000).toISOString();
}

function epoch(raw: unknown, scale: number): string | null {
  let n: number;
  if (typeof raw === "number") n = raw;
  else if (typeof raw === "bigint") n = Number(raw);
  else if (typeof raw === "string" && INTEGER.test(raw.trim())) n = Number(raw.trim());
  else return null;
  if (!Number.isInteger(n) || Math.abs(n * scale) > MAX_EPOCH_MS) return null;
  return new Date(n * scale).toISOString();
}

function readOne(raw: unknown, format: DateFormat): string | null {
  if (format === "epoch-ms") return epoch(raw, 1);
  if (format === "epoch-s") return epoch(raw, 1000);
  if (typeof raw !== "string") return null;
  const text = raw.trim();
  switch (format) {
    case "iso-date": {
      const m = ISO_DATE.exec(text);
      return m ? calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
    }
    case "iso-datetime":
      return isoDateTime(text);
    case "dd/mm/yyyy": {
      const m = SLASHED.exec(text);
      return m ? calendarDate(Number(m[3]), Number(m[2]), Number(m[1])) : null;
    }
    case "mm/dd/yyyy": {
      const m = SLASHED.exec(text);
      return m ? calendarDate(Number(m[3]), Number(m[1]), Number(m[2])) : null;
    }
  }
}

/**
 * The value in ISO 8601 (YYYY-MM-DD for dates; an instant in UTC with `Z`
 * when the stored value carries a zone or is an epoch; a local date-time
 * without zone when the stored value has none), or the raw text when no
 * declared format fits. NULL and empty text are absent values, not anomalies.
 */
export function readDate(raw: unknown, formats: readonly DateFormat[]): DateReading {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (typeof raw === "string" && raw.trim() === "") return { ok: true, value: null };
  for (const format of formats) {
    const value = readOne(raw, format);
    if (value !== null) return { ok: true, value };
  }
  return { ok: false, raw: raw instanceof Date ? raw.toISOString() : String(raw) };
}

export function describeFormats(formats: readonly DateFormat[]) {
  return formats.join(" | ");
}
