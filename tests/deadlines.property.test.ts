import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysBetween,
  dueDate,
  easterSunday,
  extendedDueDate,
  isPublicHoliday,
  isWorkingDay,
  nextWorkingDay,
  parisDate,
  parseLocalDate,
  pausedDays,
  unrolledDueDate,
  type HolidayProfile,
} from '../app/services/deadlines';

const DAY_MS = 86_400_000;
const isoOfUtcDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const utcDayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

/** A LocalDate between two bounds, built independently of the module under test. */
const localDate = (from = '1950-01-01', to = '2100-12-31') =>
  fc.integer({ min: utcDayOf(from), max: utcDayOf(to) }).map(isoOfUtcDay);

const profile = fc.constantFrom<HolidayProfile>('metropolitan', 'alsace-moselle');
const paused = fc.nat({ max: 400 });

describe('deadline properties (1950..2100, both profiles)', () => {
  it('the deadline is a working day', () => {
    fc.assert(
      fc.property(localDate(), profile, paused, (received, p, n) => {
        expect(isWorkingDay(dueDate(received, { profile: p }), p)).toBe(true);
        expect(isWorkingDay(dueDate(received, { profile: p, pausedDays: n }), p)).toBe(true);
        expect(isWorkingDay(extendedDueDate(received, { profile: p, pausedDays: n }), p)).toBe(true);
      }),
    );
  });

  it('is never earlier than the unrolled calendar month and rolls less than 6 days', () => {
    fc.assert(
      fc.property(localDate(), profile, paused, (received, p, n) => {
        const target = addDays(unrolledDueDate(received), n);
        const roll = daysBetween(target, dueDate(received, { profile: p, pausedDays: n }));
        expect(roll).toBeGreaterThanOrEqual(0);
        expect(roll).toBeLessThan(6);
      }),
    );
  });

  it('the unrolled date is one calendar month later, clamped to the month end', () => {
    fc.assert(
      fc.property(localDate(), (received) => {
        const [y, m, d] = received.split('-').map(Number) as [number, number, number];
        const [y2, m2, d2] = unrolledDueDate(received).split('-').map(Number) as [number, number, number];
        expect(y2 * 12 + m2).toBe(y * 12 + m + 1);
        const lastOfNextMonth = new Date(Date.UTC(y2, m2, 0)).getUTCDate();
        expect(d2).toBe(Math.min(d, lastOfNextMonth));
      }),
    );
  });

  it('the extension is strictly after the base deadline', () => {
    fc.assert(
      fc.property(localDate(), profile, paused, (received, p, n) => {
        const opts = { profile: p, pausedDays: n };
        expect(extendedDueDate(received, opts) > dueDate(received, opts)).toBe(true);
      }),
    );
  });

  it('more paused days never give an earlier deadline', () => {
    fc.assert(
      fc.property(localDate(), profile, paused, paused, (received, p, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(dueDate(received, { profile: p, pausedDays: lo }) <= dueDate(received, { profile: p, pausedDays: hi })).toBe(true);
        expect(
          extendedDueDate(received, { profile: p, pausedDays: lo }) <=
            extendedDueDate(received, { profile: p, pausedDays: hi }),
        ).toBe(true);
      }),
    );
  });

  it('a later receipt never gives an earlier deadline', () => {
    fc.assert(
      fc.property(localDate(), fc.integer({ min: 0, max: 60 }), profile, (received, gap, p) => {
        const later = addDays(received, gap);
        expect(dueDate(received, { profile: p }) <= dueDate(later, { profile: p })).toBe(true);
      }),
    );
  });

  it('Alsace-Moselle holidays are a superset, so its deadline is never earlier', () => {
    fc.assert(
      fc.property(localDate(), (date) => {
        if (isPublicHoliday(date, 'metropolitan')) expect(isPublicHoliday(date, 'alsace-moselle')).toBe(true);
        expect(dueDate(date, { profile: 'metropolitan' }) <= dueDate(date, { profile: 'alsace-moselle' })).toBe(true);
      }),
    );
  });

  it('nextWorkingDay is idempotent and never goes backwards', () => {
    fc.assert(
      fc.property(localDate(), profile, (date, p) => {
        const next = nextWorkingDay(date, p);
        expect(next >= date).toBe(true);
        expect(nextWorkingDay(next, p)).toBe(next);
        if (isWorkingDay(date, p)) expect(next).toBe(date);
      }),
    );
  });
});

describe('calendar properties', () => {
  it('Easter Sunday is a Sunday between 22 March and 25 April', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2999 }), (year) => {
        const easter = easterSunday(year);
        expect(new Date(`${easter}T00:00:00Z`).getUTCDay()).toBe(0);
        expect(easter >= `${year}-03-22` && easter <= `${year}-04-25`).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('addDays and daysBetween are inverse', () => {
    // ±15 000 days (~41 years) from 1950..2100 stays inside the supported 1900..2999.
    fc.assert(
      fc.property(localDate(), fc.integer({ min: -15_000, max: 15_000 }), (date, n) => {
        expect(daysBetween(date, addDays(date, n))).toBe(n);
      }),
    );
  });

  it('addMonths never leaves the target month', () => {
    fc.assert(
      fc.property(localDate(), fc.integer({ min: -240, max: 240 }), (date, n) => {
        const [y, m] = date.split('-').map(Number) as [number, number];
        const [y2, m2] = addMonths(date, n).split('-').map(Number) as [number, number];
        expect(y2 * 12 + m2).toBe(y * 12 + m + n);
      }),
    );
  });

  it('parisDate of noon UTC is that same calendar date', () => {
    fc.assert(
      fc.property(localDate(), (date) => {
        expect(parisDate(new Date(`${date}T12:00:00Z`))).toBe(date);
      }),
    );
  });

  it('pausedDays is never negative and a closed pause counts its Paris-date span', () => {
    const instant = fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, instant, instant, (start, end, now) => {
        const n = pausedDays([{ start, end }], now);
        expect(n).toBe(Math.max(0, daysBetween(parisDate(start), parisDate(end))));
        expect(pausedDays([{ start, end: null }], now)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('parseLocalDate properties', () => {
  it('round-trips every valid date 1900..2999', () => {
    fc.assert(
      fc.property(localDate('1900-01-01', '2999-12-31'), (date) => {
        expect(parseLocalDate(date)).toBe(date);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects days past the end of the month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 10 }), (y, m, extra) => {
        const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
        const day = last + extra;
        if (day > 99) return;
        const s = `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        expect(() => parseLocalDate(s)).toThrow(RangeError);
      }),
    );
  });

  it('rejects anything that is not strictly YYYY-MM-DD', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/^\d{4}-\d{2}-\d{2}$/.test(s));
        expect(() => parseLocalDate(s)).toThrow(RangeError);
      }),
    );
  });
});
