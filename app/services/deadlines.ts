/**
 * Legal response deadlines for data-subject requests (GDPR Art. 12(3)).
 *
 * Pure module: no I/O, no environment, no machine time zone. Every date the
 * rules talk about is a *calendar day in France*, so we represent it as a
 * `LocalDate` string ("YYYY-MM-DD") and do all arithmetic on UTC-midnight
 * timestamps, where every day is exactly 86 400 000 ms long (no DST jumps).
 *
 * Sources:
 * - GDPR Art. 12(3): answer "within one month of receipt", extendable "by two
 *   further months" for complex or numerous requests.
 * - Regulation (EEC, Euratom) No 1182/71 (time limits in EU law):
 *   - art. 3(1): the day of the event (receipt) is not counted;
 *   - art. 3(2)(c): a period in months ends on the same date of the last
 *     month, or on that month's last day if the date does not exist there;
 *   - art. 3(4): a period ending on a Saturday, Sunday or public holiday
 *     ends on the following working day.
 * - Décret 2019-536 art. 77: the controller may ask for additional
 *   information (identity proof) and the response period refers back to
 *   GDPR Art. 12(3); we model the time spent waiting for the requester as a
 *   pause that shifts the deadline.
 */

/** A calendar date in Europe/Paris, strict ISO form "YYYY-MM-DD". */
export type LocalDate = string;

/**
 * 'alsace-moselle' follows the local law of Bas-Rhin, Haut-Rhin and Moselle
 * (code du travail art. L3134-13), which adds Good Friday and 26 December.
 */
export type HolidayProfile = 'metropolitan' | 'alsace-moselle';

export interface Pause {
  start: Date;
  /** null while the pause is still open (we are still waiting). */
  end: Date | null;
}

export interface DeadlineOptions {
  profile?: HolidayProfile;
  /** Whole days during which the clock was stopped; non-negative integer. */
  pausedDays?: number;
}

const DAY_MS = 86_400_000;
const MIN_YEAR = 1900;
const MAX_YEAR = 2999;

// ---------------------------------------------------------------------------
// Local-date plumbing
// ---------------------------------------------------------------------------

// Built once: constructing Intl formatters is comparatively expensive.
const PARIS_FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The Paris calendar date of an instant. Receipt is judged by the French
 * wall clock, not UTC: 22:30Z on 31 Jan is 23:30 in Paris, still 31 Jan.
 */
export function parisDate(instant: Date): LocalDate {
  if (Number.isNaN(instant.getTime())) throw new RangeError('parisDate: invalid Date');
  // en-CA formats as YYYY-MM-DD; assemble from parts so we do not depend on
  // the exact separator an ICU version chooses.
  const parts = PARIS_FORMAT.formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function format(year: number, month: number, day: number): LocalDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function split(date: LocalDate): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`Invalid date "${date}": expected YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`Invalid date "${date}": year must be between ${MIN_YEAR} and ${MAX_YEAR}`);
  }
  if (month < 1 || month > 12) throw new RangeError(`Invalid date "${date}": month must be 01-12`);
  const last = daysInMonth(year, month);
  if (day < 1 || day > last) {
    throw new RangeError(`Invalid date "${date}": day must be 01-${last} in that month`);
  }
  return { year, month, day };
}

/**
 * Validate untrusted input (CLI, forms). Accepts only a real calendar date in
 * strict "YYYY-MM-DD" form, years 1900..2999; throws RangeError otherwise.
 */
export function parseLocalDate(s: string): LocalDate {
  if (typeof s !== 'string') throw new RangeError('Invalid date: expected a string');
  split(s);
  return s;
}

const toUtcMs = (date: LocalDate): number => {
  const { year, month, day } = split(date);
  return Date.UTC(year, month - 1, day);
};

function fromUtcMs(ms: number): LocalDate {
  const d = new Date(ms);
  return format(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

function assertInteger(name: string, n: number): void {
  if (!Number.isInteger(n)) throw new RangeError(`${name} must be an integer, got ${n}`);
}

export function addDays(date: LocalDate, n: number): LocalDate {
  assertInteger('addDays: n', n);
  return fromUtcMs(toUtcMs(date) + n * DAY_MS);
}

/** b − a in whole calendar days (negative when b is before a). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((toUtcMs(b) - toUtcMs(a)) / DAY_MS);
}

/**
 * Calendar months, Regulation 1182/71 art. 3(2)(c): same day-of-month n
 * months later, clamped to the last day when that date does not exist
 * (31 Jan + 1 month = 28/29 Feb). Note the clamping makes this
 * non-associative: addMonths(addMonths(d, 1), 2) may differ from
 * addMonths(d, 3), which matters for the Art. 12(3) extension below.
 */
export function addMonths(date: LocalDate, n: number): LocalDate {
  assertInteger('addMonths: n', n);
  const { year, month, day } = split(date);
  const index = year * 12 + (month - 1) + n; // months since year 0
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return format(y, m, Math.min(day, daysInMonth(y, m)));
}

// ---------------------------------------------------------------------------
// Holidays and working days
// ---------------------------------------------------------------------------

/** Easter Sunday, Gregorian computus (Meeus/Jones/Butcher algorithm). */
export function easterSunday(year: number): LocalDate {
  assertInteger('easterSunday: year', year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return format(year, month, day);
}

/** Statutory public holidays (code du travail art. L3133-1), sorted. */
export function publicHolidays(year: number, profile: HolidayProfile = 'metropolitan'): LocalDate[] {
  if (profile !== 'metropolitan' && profile !== 'alsace-moselle') {
    throw new RangeError(`Unknown holiday profile "${String(profile)}"`);
  }
  const easter = easterSunday(year);
  const fixed = (mmdd: string) => `${pad(year, 4)}-${mmdd}`;
  const days = [
    fixed('01-01'), // Jour de l'an
    addDays(easter, 1), // Lundi de Pâques
    fixed('05-01'), // Fête du travail
    fixed('05-08'), // Victoire 1945
    addDays(easter, 39), // Ascension
    addDays(easter, 50), // Lundi de Pentecôte
    fixed('07-14'), // Fête nationale
    fixed('08-15'), // Assomption
    fixed('11-01'), // Toussaint
    fixed('11-11'), // Armistice
    fixed('12-25'), // Noël
  ];
  if (profile === 'alsace-moselle') {
    days.push(addDays(easter, -2), fixed('12-26')); // Vendredi saint, Saint-Étienne
  }
  // ISO strings sort chronologically.
  return days.sort();
}

export function isPublicHoliday(date: LocalDate, profile: HolidayProfile = 'metropolitan'): boolean {
  return publicHolidays(split(date).year, profile).includes(date);
}

export function isWorkingDay(date: LocalDate, profile: HolidayProfile = 'metropolitan'): boolean {
  const weekday = new Date(toUtcMs(date)).getUTCDay(); // 0 = Sunday, 6 = Saturday
  return weekday !== 0 && weekday !== 6 && !isPublicHoliday(date, profile);
}

/**
 * Regulation 1182/71 art. 3(4): a deadline on a non-working day moves to the
 * next working day. Returns `date` itself when it is already a working day.
 */
export function nextWorkingDay(date: LocalDate, profile: HolidayProfile = 'metropolitan'): LocalDate {
  let d = date;
  while (!isWorkingDay(d, profile)) d = addDays(d, 1);
  return d;
}

// ---------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------

function pausedOption(opts: DeadlineOptions | undefined): number {
  const n = opts?.pausedDays ?? 0;
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`pausedDays must be a non-negative integer, got ${n}`);
  }
  return n;
}

/** The one-month calendar deadline before rolling to a working day. */
export function unrolledDueDate(received: LocalDate): LocalDate {
  // Receipt day not counted (art. 3(1)), so "one month" lands on the same
  // date next month rather than the day before.
  return addMonths(received, 1);
}

/** GDPR Art. 12(3) one-month deadline, shifted by pauses, then rolled. */
export function dueDate(received: LocalDate, opts?: DeadlineOptions): LocalDate {
  // Pauses are added before rolling: the rolling rule applies to wherever
  // the period actually ends.
  return nextWorkingDay(addDays(unrolledDueDate(received), pausedOption(opts)), opts?.profile);
}

/**
 * GDPR Art. 12(3) extension: "two further months" run on from the end of the
 * original month, i.e. from the UNROLLED base date (the roll to a working day
 * only postpones the end of a period; it does not move the next one's start).
 * Example: received 31 Jan 2026 → base 28 Feb → extended 28 Apr, not 30 Apr.
 */
export function extendedDueDate(received: LocalDate, opts?: DeadlineOptions): LocalDate {
  const extended = addMonths(unrolledDueDate(received), 2);
  return nextWorkingDay(addDays(extended, pausedOption(opts)), opts?.profile);
}

/**
 * Whole Paris days during which the clock was stopped. An open pause runs
 * until `now`. Each pause counts at least 0 (clock skew or a pause starting
 * after `now` must never pull the deadline earlier). Pauses are simply summed:
 * callers must not record overlapping pauses.
 */
export function pausedDays(pauses: readonly Pause[], now: Date): number {
  let total = 0;
  for (const p of pauses) {
    total += Math.max(0, daysBetween(parisDate(p.start), parisDate(p.end ?? now)));
  }
  return total;
}

export interface DeadlineInput {
  receivedAt: Date;
  pauses: readonly Pause[];
  extended?: boolean;
  profile?: HolidayProfile;
  now: Date;
}

export interface DeadlineSummary {
  receivedOn: LocalDate;
  unrolledDue: LocalDate;
  pausedDays: number;
  /** An open pause exists: the clock is currently stopped. */
  paused: boolean;
  dueOn: LocalDate;
  extendedDueOn: LocalDate;
  /** extendedDueOn when the extension was invoked, dueOn otherwise. */
  effectiveDueOn: LocalDate;
}

export function computeDeadline(input: DeadlineInput): DeadlineSummary {
  const receivedOn = parisDate(input.receivedAt);
  const paused = pausedDays(input.pauses, input.now);
  const opts: DeadlineOptions = { profile: input.profile ?? 'metropolitan', pausedDays: paused };
  const dueOn = dueDate(receivedOn, opts);
  const extendedDueOn = extendedDueDate(receivedOn, opts);
  return {
    receivedOn,
    unrolledDue: unrolledDueDate(receivedOn),
    pausedDays: paused,
    paused: input.pauses.some((p) => p.end === null),
    dueOn,
    extendedDueOn,
    effectiveDueOn: input.extended ? extendedDueOn : dueOn,
  };
}
