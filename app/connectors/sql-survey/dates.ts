/**
 * Declared date formats. A value is read in the formats its column declares,
 * in order, and in no other: a value that fits none is an anomaly, reported
 * with its raw text, never guessed (the ComPlus ticket: JSON dates written
 * month-first into a day-first column). Declaring both dd/mm/yyyy and
 * mm/dd/yyyy on one column is refused by the config schema for that reason.
 *
 * A value that fits its declared format but was written in another one
 * (05/06/2026 meant as 6 May) cannot be detected from the value alone. Where
 * the mapping says day and month may be swapped (a column's
 * `ambiguousDayMonth`, or a channel's `ambiguousDates`), a slashed date that
 * is a real date both ways and differs (03/04/2026) is not read at all: every
 * valid reading is returned for staff to choose from, and so is the swapped
 * reading of a value that fails the declared order (03/13/2026).
 */
export const DATE_FORMATS = ["iso-date", "iso-datetime", "dd/mm/yyyy", "mm/dd/yyyy", "epoch-ms", "epoch-s"] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** A format the raw value is a real date in, and the date it gives (ISO). */
export type PossibleReading = { format: DateFormat; value: string };

/** `readings`: only where day and month may be swapped and at least one order gives a real date. */
export type DateReading = { ok: true; value: string | null } | { ok: false; raw: string; readings?: PossibleReading[] };

/** The format with day and month the other way round. */
const SWAPPED: Partial<Record<DateFormat, DateFormat>> = { "dd/mm/yyyy": "mm/dd/yyyy", "mm/dd/yyyy": "dd/mm/yyyy" };

/** Formats whose day and month can be swapped: what `ambiguousDayMonth` needs among a column's formats. */
export const SWAPPABLE_FORMATS = Object.keys(SWAPPED) as DateFormat[];

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
 *
 * `swappable`: day and month may have been written the other way round, so a
 * slashed date is read only when its swapped reading is no date or the same
 * date; otherwise the raw text comes back with each valid reading, declared
 * order first.
 */
export function readDate(raw: unknown, formats: readonly DateFormat[], opts: { swappable?: boolean } = {}): DateReading {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (typeof raw === "string" && raw.trim() === "") return { ok: true, value: null };
  const text = raw instanceof Date ? raw.toISOString() : String(raw);
  const swapped = (format: DateFormat) => (opts.swappable ? SWAPPED[format] : undefined);
  for (const format of formats) {
    const value = readOne(raw, format);
    if (value === null) continue;
    const other = swapped(format);
    const otherValue = other ? readOne(raw, other) : null;
    if (other && otherValue !== null && otherValue !== value)
      return { ok: false, raw: text, readings: [{ format, value }, { format: other, value: otherValue }] };
    return { ok: true, value };
  }
  const readings = formats.flatMap((format): PossibleReading[] => {
    const other = swapped(format);
    const value = other ? readOne(raw, other) : null;
    return other && value !== null ? [{ format: other, value }] : [];
  });
  return readings.length ? { ok: false, raw: text, readings } : { ok: false, raw: text };
}

export function describeFormats(formats: readonly DateFormat[]) {
  return formats.join(" | ");
}
