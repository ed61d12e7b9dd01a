import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  computeDeadline,
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
  publicHolidays,
  unrolledDueDate,
  type HolidayProfile,
} from '../app/services/deadlines';

// Expected values are hard-coded literals. Weekday anchors used to check them:
// 2025-01-01 Wed, 2026-01-01 Thu, 2027-01-01 Fri, 2028-01-01 Sat, 2029-01-01 Mon.
// Easter: 2025-04-20, 2026-04-05, 2027-03-28, 2028-04-16.

/**
 * Metropolitan deadline for the 1st and every 28th..31st of each month,
 * 2025-2028 (2028 is a leap year). Comment = weekday of the unrolled date and
 * why it rolled.
 */
const MONTH_END_TABLE: ReadonlyArray<readonly [received: string, due: string]> = [
  ['2025-01-01', '2025-02-03'],  // unrolled 2025-02-01 Sat → Mon
  ['2025-01-28', '2025-02-28'],  // unrolled 2025-02-28 Fri
  ['2025-01-29', '2025-02-28'],  // unrolled 2025-02-28 Fri
  ['2025-01-30', '2025-02-28'],  // unrolled 2025-02-28 Fri
  ['2025-01-31', '2025-02-28'],  // unrolled 2025-02-28 Fri
  ['2025-02-01', '2025-03-03'],  // unrolled 2025-03-01 Sat → Mon
  ['2025-02-28', '2025-03-28'],  // unrolled 2025-03-28 Fri
  ['2025-03-01', '2025-04-01'],  // unrolled 2025-04-01 Tue
  ['2025-03-28', '2025-04-28'],  // unrolled 2025-04-28 Mon
  ['2025-03-29', '2025-04-29'],  // unrolled 2025-04-29 Tue
  ['2025-03-30', '2025-04-30'],  // unrolled 2025-04-30 Wed
  ['2025-03-31', '2025-04-30'],  // unrolled 2025-04-30 Wed
  ['2025-04-01', '2025-05-02'],  // unrolled 2025-05-01 Thu → Fri (1 May)
  ['2025-04-28', '2025-05-28'],  // unrolled 2025-05-28 Wed
  ['2025-04-29', '2025-05-30'],  // unrolled 2025-05-29 Thu → Fri (Ascension)
  ['2025-04-30', '2025-05-30'],  // unrolled 2025-05-30 Fri
  ['2025-05-01', '2025-06-02'],  // unrolled 2025-06-01 Sun → Mon
  ['2025-05-28', '2025-06-30'],  // unrolled 2025-06-28 Sat → Mon
  ['2025-05-29', '2025-06-30'],  // unrolled 2025-06-29 Sun → Mon
  ['2025-05-30', '2025-06-30'],  // unrolled 2025-06-30 Mon
  ['2025-05-31', '2025-06-30'],  // unrolled 2025-06-30 Mon
  ['2025-06-01', '2025-07-01'],  // unrolled 2025-07-01 Tue
  ['2025-06-28', '2025-07-28'],  // unrolled 2025-07-28 Mon
  ['2025-06-29', '2025-07-29'],  // unrolled 2025-07-29 Tue
  ['2025-06-30', '2025-07-30'],  // unrolled 2025-07-30 Wed
  ['2025-07-01', '2025-08-01'],  // unrolled 2025-08-01 Fri
  ['2025-07-28', '2025-08-28'],  // unrolled 2025-08-28 Thu
  ['2025-07-29', '2025-08-29'],  // unrolled 2025-08-29 Fri
  ['2025-07-30', '2025-09-01'],  // unrolled 2025-08-30 Sat → Mon
  ['2025-07-31', '2025-09-01'],  // unrolled 2025-08-31 Sun → Mon
  ['2025-08-01', '2025-09-01'],  // unrolled 2025-09-01 Mon
  ['2025-08-28', '2025-09-29'],  // unrolled 2025-09-28 Sun → Mon
  ['2025-08-29', '2025-09-29'],  // unrolled 2025-09-29 Mon
  ['2025-08-30', '2025-09-30'],  // unrolled 2025-09-30 Tue
  ['2025-08-31', '2025-09-30'],  // unrolled 2025-09-30 Tue
  ['2025-09-01', '2025-10-01'],  // unrolled 2025-10-01 Wed
  ['2025-09-28', '2025-10-28'],  // unrolled 2025-10-28 Tue
  ['2025-09-29', '2025-10-29'],  // unrolled 2025-10-29 Wed
  ['2025-09-30', '2025-10-30'],  // unrolled 2025-10-30 Thu
  ['2025-10-01', '2025-11-03'],  // unrolled 2025-11-01 Sat → Mon (1 Nov)
  ['2025-10-28', '2025-11-28'],  // unrolled 2025-11-28 Fri
  ['2025-10-29', '2025-12-01'],  // unrolled 2025-11-29 Sat → Mon
  ['2025-10-30', '2025-12-01'],  // unrolled 2025-11-30 Sun → Mon
  ['2025-10-31', '2025-12-01'],  // unrolled 2025-11-30 Sun → Mon
  ['2025-11-01', '2025-12-01'],  // unrolled 2025-12-01 Mon
  ['2025-11-28', '2025-12-29'],  // unrolled 2025-12-28 Sun → Mon
  ['2025-11-29', '2025-12-29'],  // unrolled 2025-12-29 Mon
  ['2025-11-30', '2025-12-30'],  // unrolled 2025-12-30 Tue
  ['2025-12-01', '2026-01-02'],  // unrolled 2026-01-01 Thu → Fri (1 Jan)
  ['2025-12-28', '2026-01-28'],  // unrolled 2026-01-28 Wed
  ['2025-12-29', '2026-01-29'],  // unrolled 2026-01-29 Thu
  ['2025-12-30', '2026-01-30'],  // unrolled 2026-01-30 Fri
  ['2025-12-31', '2026-02-02'],  // unrolled 2026-01-31 Sat → Mon
  ['2026-01-01', '2026-02-02'],  // unrolled 2026-02-01 Sun → Mon
  ['2026-01-28', '2026-03-02'],  // unrolled 2026-02-28 Sat → Mon
  ['2026-01-29', '2026-03-02'],  // unrolled 2026-02-28 Sat → Mon
  ['2026-01-30', '2026-03-02'],  // unrolled 2026-02-28 Sat → Mon
  ['2026-01-31', '2026-03-02'],  // unrolled 2026-02-28 Sat → Mon
  ['2026-02-01', '2026-03-02'],  // unrolled 2026-03-01 Sun → Mon
  ['2026-02-28', '2026-03-30'],  // unrolled 2026-03-28 Sat → Mon
  ['2026-03-01', '2026-04-01'],  // unrolled 2026-04-01 Wed
  ['2026-03-28', '2026-04-28'],  // unrolled 2026-04-28 Tue
  ['2026-03-29', '2026-04-29'],  // unrolled 2026-04-29 Wed
  ['2026-03-30', '2026-04-30'],  // unrolled 2026-04-30 Thu
  ['2026-03-31', '2026-04-30'],  // unrolled 2026-04-30 Thu
  ['2026-04-01', '2026-05-04'],  // unrolled 2026-05-01 Fri → Mon (1 May)
  ['2026-04-28', '2026-05-28'],  // unrolled 2026-05-28 Thu
  ['2026-04-29', '2026-05-29'],  // unrolled 2026-05-29 Fri
  ['2026-04-30', '2026-06-01'],  // unrolled 2026-05-30 Sat → Mon
  ['2026-05-01', '2026-06-01'],  // unrolled 2026-06-01 Mon
  ['2026-05-28', '2026-06-29'],  // unrolled 2026-06-28 Sun → Mon
  ['2026-05-29', '2026-06-29'],  // unrolled 2026-06-29 Mon
  ['2026-05-30', '2026-06-30'],  // unrolled 2026-06-30 Tue
  ['2026-05-31', '2026-06-30'],  // unrolled 2026-06-30 Tue
  ['2026-06-01', '2026-07-01'],  // unrolled 2026-07-01 Wed
  ['2026-06-28', '2026-07-28'],  // unrolled 2026-07-28 Tue
  ['2026-06-29', '2026-07-29'],  // unrolled 2026-07-29 Wed
  ['2026-06-30', '2026-07-30'],  // unrolled 2026-07-30 Thu
  ['2026-07-01', '2026-08-03'],  // unrolled 2026-08-01 Sat → Mon
  ['2026-07-28', '2026-08-28'],  // unrolled 2026-08-28 Fri
  ['2026-07-29', '2026-08-31'],  // unrolled 2026-08-29 Sat → Mon
  ['2026-07-30', '2026-08-31'],  // unrolled 2026-08-30 Sun → Mon
  ['2026-07-31', '2026-08-31'],  // unrolled 2026-08-31 Mon
  ['2026-08-01', '2026-09-01'],  // unrolled 2026-09-01 Tue
  ['2026-08-28', '2026-09-28'],  // unrolled 2026-09-28 Mon
  ['2026-08-29', '2026-09-29'],  // unrolled 2026-09-29 Tue
  ['2026-08-30', '2026-09-30'],  // unrolled 2026-09-30 Wed
  ['2026-08-31', '2026-09-30'],  // unrolled 2026-09-30 Wed
  ['2026-09-01', '2026-10-01'],  // unrolled 2026-10-01 Thu
  ['2026-09-28', '2026-10-28'],  // unrolled 2026-10-28 Wed
  ['2026-09-29', '2026-10-29'],  // unrolled 2026-10-29 Thu
  ['2026-09-30', '2026-10-30'],  // unrolled 2026-10-30 Fri
  ['2026-10-01', '2026-11-02'],  // unrolled 2026-11-01 Sun → Mon (1 Nov)
  ['2026-10-28', '2026-11-30'],  // unrolled 2026-11-28 Sat → Mon
  ['2026-10-29', '2026-11-30'],  // unrolled 2026-11-29 Sun → Mon
  ['2026-10-30', '2026-11-30'],  // unrolled 2026-11-30 Mon
  ['2026-10-31', '2026-11-30'],  // unrolled 2026-11-30 Mon
  ['2026-11-01', '2026-12-01'],  // unrolled 2026-12-01 Tue
  ['2026-11-28', '2026-12-28'],  // unrolled 2026-12-28 Mon
  ['2026-11-29', '2026-12-29'],  // unrolled 2026-12-29 Tue
  ['2026-11-30', '2026-12-30'],  // unrolled 2026-12-30 Wed
  ['2026-12-01', '2027-01-04'],  // unrolled 2027-01-01 Fri → Mon (1 Jan)
  ['2026-12-28', '2027-01-28'],  // unrolled 2027-01-28 Thu
  ['2026-12-29', '2027-01-29'],  // unrolled 2027-01-29 Fri
  ['2026-12-30', '2027-02-01'],  // unrolled 2027-01-30 Sat → Mon
  ['2026-12-31', '2027-02-01'],  // unrolled 2027-01-31 Sun → Mon
  ['2027-01-01', '2027-02-01'],  // unrolled 2027-02-01 Mon
  ['2027-01-28', '2027-03-01'],  // unrolled 2027-02-28 Sun → Mon
  ['2027-01-29', '2027-03-01'],  // unrolled 2027-02-28 Sun → Mon
  ['2027-01-30', '2027-03-01'],  // unrolled 2027-02-28 Sun → Mon
  ['2027-01-31', '2027-03-01'],  // unrolled 2027-02-28 Sun → Mon
  ['2027-02-01', '2027-03-01'],  // unrolled 2027-03-01 Mon
  ['2027-02-28', '2027-03-30'],  // unrolled 2027-03-28 Sun → Tue (Easter Monday)
  ['2027-03-01', '2027-04-01'],  // unrolled 2027-04-01 Thu
  ['2027-03-28', '2027-04-28'],  // unrolled 2027-04-28 Wed
  ['2027-03-29', '2027-04-29'],  // unrolled 2027-04-29 Thu
  ['2027-03-30', '2027-04-30'],  // unrolled 2027-04-30 Fri
  ['2027-03-31', '2027-04-30'],  // unrolled 2027-04-30 Fri
  ['2027-04-01', '2027-05-03'],  // unrolled 2027-05-01 Sat → Mon (1 May)
  ['2027-04-28', '2027-05-28'],  // unrolled 2027-05-28 Fri
  ['2027-04-29', '2027-05-31'],  // unrolled 2027-05-29 Sat → Mon
  ['2027-04-30', '2027-05-31'],  // unrolled 2027-05-30 Sun → Mon
  ['2027-05-01', '2027-06-01'],  // unrolled 2027-06-01 Tue
  ['2027-05-28', '2027-06-28'],  // unrolled 2027-06-28 Mon
  ['2027-05-29', '2027-06-29'],  // unrolled 2027-06-29 Tue
  ['2027-05-30', '2027-06-30'],  // unrolled 2027-06-30 Wed
  ['2027-05-31', '2027-06-30'],  // unrolled 2027-06-30 Wed
  ['2027-06-01', '2027-07-01'],  // unrolled 2027-07-01 Thu
  ['2027-06-28', '2027-07-28'],  // unrolled 2027-07-28 Wed
  ['2027-06-29', '2027-07-29'],  // unrolled 2027-07-29 Thu
  ['2027-06-30', '2027-07-30'],  // unrolled 2027-07-30 Fri
  ['2027-07-01', '2027-08-02'],  // unrolled 2027-08-01 Sun → Mon
  ['2027-07-28', '2027-08-30'],  // unrolled 2027-08-28 Sat → Mon
  ['2027-07-29', '2027-08-30'],  // unrolled 2027-08-29 Sun → Mon
  ['2027-07-30', '2027-08-30'],  // unrolled 2027-08-30 Mon
  ['2027-07-31', '2027-08-31'],  // unrolled 2027-08-31 Tue
  ['2027-08-01', '2027-09-01'],  // unrolled 2027-09-01 Wed
  ['2027-08-28', '2027-09-28'],  // unrolled 2027-09-28 Tue
  ['2027-08-29', '2027-09-29'],  // unrolled 2027-09-29 Wed
  ['2027-08-30', '2027-09-30'],  // unrolled 2027-09-30 Thu
  ['2027-08-31', '2027-09-30'],  // unrolled 2027-09-30 Thu
  ['2027-09-01', '2027-10-01'],  // unrolled 2027-10-01 Fri
  ['2027-09-28', '2027-10-28'],  // unrolled 2027-10-28 Thu
  ['2027-09-29', '2027-10-29'],  // unrolled 2027-10-29 Fri
  ['2027-09-30', '2027-11-02'],  // unrolled 2027-10-30 Sat → Tue (1 Nov)
  ['2027-10-01', '2027-11-02'],  // unrolled 2027-11-01 Mon → Tue (1 Nov)
  ['2027-10-28', '2027-11-29'],  // unrolled 2027-11-28 Sun → Mon
  ['2027-10-29', '2027-11-29'],  // unrolled 2027-11-29 Mon
  ['2027-10-30', '2027-11-30'],  // unrolled 2027-11-30 Tue
  ['2027-10-31', '2027-11-30'],  // unrolled 2027-11-30 Tue
  ['2027-11-01', '2027-12-01'],  // unrolled 2027-12-01 Wed
  ['2027-11-28', '2027-12-28'],  // unrolled 2027-12-28 Tue
  ['2027-11-29', '2027-12-29'],  // unrolled 2027-12-29 Wed
  ['2027-11-30', '2027-12-30'],  // unrolled 2027-12-30 Thu
  ['2027-12-01', '2028-01-03'],  // unrolled 2028-01-01 Sat → Mon (1 Jan)
  ['2027-12-28', '2028-01-28'],  // unrolled 2028-01-28 Fri
  ['2027-12-29', '2028-01-31'],  // unrolled 2028-01-29 Sat → Mon
  ['2027-12-30', '2028-01-31'],  // unrolled 2028-01-30 Sun → Mon
  ['2027-12-31', '2028-01-31'],  // unrolled 2028-01-31 Mon
  ['2028-01-01', '2028-02-01'],  // unrolled 2028-02-01 Tue
  ['2028-01-28', '2028-02-28'],  // unrolled 2028-02-28 Mon
  ['2028-01-29', '2028-02-29'],  // unrolled 2028-02-29 Tue
  ['2028-01-30', '2028-02-29'],  // unrolled 2028-02-29 Tue
  ['2028-01-31', '2028-02-29'],  // unrolled 2028-02-29 Tue
  ['2028-02-01', '2028-03-01'],  // unrolled 2028-03-01 Wed
  ['2028-02-28', '2028-03-28'],  // unrolled 2028-03-28 Tue
  ['2028-02-29', '2028-03-29'],  // unrolled 2028-03-29 Wed
  ['2028-03-01', '2028-04-03'],  // unrolled 2028-04-01 Sat → Mon
  ['2028-03-28', '2028-04-28'],  // unrolled 2028-04-28 Fri
  ['2028-03-29', '2028-05-02'],  // unrolled 2028-04-29 Sat → Tue (1 May)
  ['2028-03-30', '2028-05-02'],  // unrolled 2028-04-30 Sun → Tue (1 May)
  ['2028-03-31', '2028-05-02'],  // unrolled 2028-04-30 Sun → Tue (1 May)
  ['2028-04-01', '2028-05-02'],  // unrolled 2028-05-01 Mon → Tue (1 May)
  ['2028-04-28', '2028-05-29'],  // unrolled 2028-05-28 Sun → Mon
  ['2028-04-29', '2028-05-29'],  // unrolled 2028-05-29 Mon
  ['2028-04-30', '2028-05-30'],  // unrolled 2028-05-30 Tue
  ['2028-05-01', '2028-06-01'],  // unrolled 2028-06-01 Thu
  ['2028-05-28', '2028-06-28'],  // unrolled 2028-06-28 Wed
  ['2028-05-29', '2028-06-29'],  // unrolled 2028-06-29 Thu
  ['2028-05-30', '2028-06-30'],  // unrolled 2028-06-30 Fri
  ['2028-05-31', '2028-06-30'],  // unrolled 2028-06-30 Fri
  ['2028-06-01', '2028-07-03'],  // unrolled 2028-07-01 Sat → Mon
  ['2028-06-28', '2028-07-28'],  // unrolled 2028-07-28 Fri
  ['2028-06-29', '2028-07-31'],  // unrolled 2028-07-29 Sat → Mon
  ['2028-06-30', '2028-07-31'],  // unrolled 2028-07-30 Sun → Mon
  ['2028-07-01', '2028-08-01'],  // unrolled 2028-08-01 Tue
  ['2028-07-28', '2028-08-28'],  // unrolled 2028-08-28 Mon
  ['2028-07-29', '2028-08-29'],  // unrolled 2028-08-29 Tue
  ['2028-07-30', '2028-08-30'],  // unrolled 2028-08-30 Wed
  ['2028-07-31', '2028-08-31'],  // unrolled 2028-08-31 Thu
  ['2028-08-01', '2028-09-01'],  // unrolled 2028-09-01 Fri
  ['2028-08-28', '2028-09-28'],  // unrolled 2028-09-28 Thu
  ['2028-08-29', '2028-09-29'],  // unrolled 2028-09-29 Fri
  ['2028-08-30', '2028-10-02'],  // unrolled 2028-09-30 Sat → Mon
  ['2028-08-31', '2028-10-02'],  // unrolled 2028-09-30 Sat → Mon
  ['2028-09-01', '2028-10-02'],  // unrolled 2028-10-01 Sun → Mon
  ['2028-09-28', '2028-10-30'],  // unrolled 2028-10-28 Sat → Mon
  ['2028-09-29', '2028-10-30'],  // unrolled 2028-10-29 Sun → Mon
  ['2028-09-30', '2028-10-30'],  // unrolled 2028-10-30 Mon
  ['2028-10-01', '2028-11-02'],  // unrolled 2028-11-01 Wed → Thu (1 Nov)
  ['2028-10-28', '2028-11-28'],  // unrolled 2028-11-28 Tue
  ['2028-10-29', '2028-11-29'],  // unrolled 2028-11-29 Wed
  ['2028-10-30', '2028-11-30'],  // unrolled 2028-11-30 Thu
  ['2028-10-31', '2028-11-30'],  // unrolled 2028-11-30 Thu
  ['2028-11-01', '2028-12-01'],  // unrolled 2028-12-01 Fri
  ['2028-11-28', '2028-12-28'],  // unrolled 2028-12-28 Thu
  ['2028-11-29', '2028-12-29'],  // unrolled 2028-12-29 Fri
  ['2028-11-30', '2029-01-02'],  // unrolled 2028-12-30 Sat → Tue (1 Jan)
  ['2028-12-01', '2029-01-02'],  // unrolled 2029-01-01 Mon → Tue (1 Jan)
  ['2028-12-28', '2029-01-29'],  // unrolled 2029-01-28 Sun → Mon
  ['2028-12-29', '2029-01-29'],  // unrolled 2029-01-29 Mon
  ['2028-12-30', '2029-01-30'],  // unrolled 2029-01-30 Tue
  ['2028-12-31', '2029-01-31'],  // unrolled 2029-01-31 Wed
];

describe('dueDate — month ends and firsts, 2025-2028 (metropolitan)', () => {
  it('covers every month of the four years', () => {
    // 12 months × 4 years × (1st + 28th..last): 4 leap-free Februaries + 1 leap February
    expect(MONTH_END_TABLE).toHaveLength(213);
    expect(new Set(MONTH_END_TABLE.map(([r]) => r)).size).toBe(213);
  });

  it.each(MONTH_END_TABLE)('received %s → due %s', (received, due) => {
    expect(dueDate(received)).toBe(due);
    expect(dueDate(received, { profile: 'metropolitan', pausedDays: 0 })).toBe(due);
  });
});

describe('addMonths / unrolledDueDate — Regulation 1182/71 art. 3(2)(c) clamping', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'], // leap year
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-01-29', 1, '2026-02-28'],
    ['2028-01-30', 1, '2028-02-29'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-05-31', 1, '2026-06-30'],
    ['2026-08-31', 1, '2026-09-30'],
    ['2026-10-31', 1, '2026-11-30'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-12-31', 1, '2027-01-31'],
    ['2026-02-28', 1, '2026-03-28'], // not "end of month → end of month"
    ['2026-01-31', 3, '2026-04-30'],
    ['2026-01-31', 12, '2027-01-31'],
    ['2028-02-29', 12, '2029-02-28'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2026-06-10', 0, '2026-06-10'],
  ] as const)('addMonths(%s, %i) = %s', (date, n, expected) => {
    expect(addMonths(date, n)).toBe(expected);
  });

  it('unrolledDueDate is one calendar month without rolling', () => {
    expect(unrolledDueDate('2026-01-31')).toBe('2026-02-28'); // a Saturday, kept as is
    expect(unrolledDueDate('2028-01-31')).toBe('2028-02-29');
    expect(unrolledDueDate('2026-10-01')).toBe('2026-11-01'); // Sunday + Toussaint, kept
  });

  it('rejects fractional month counts', () => {
    expect(() => addMonths('2026-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('addDays / daysBetween', () => {
  it('steps over month, leap-day and year boundaries', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('is unaffected by daylight-saving changes (29 Mar / 25 Oct 2026)', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-10-24', 2)).toBe('2026-10-26');
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
  });

  it('counts b − a', () => {
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2026-03-10', '2026-03-01')).toBe(-9);
    expect(daysBetween('2026-03-10', '2026-03-10')).toBe(0);
  });
});

describe('easterSunday — Gregorian computus', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2038, '2038-04-25'], // latest possible date
    [2285, '2285-03-22'], // earliest possible date
    [1961, '1961-04-02'],
    [2100, '2100-03-28'],
  ] as const)('%i → %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });
});

describe('publicHolidays', () => {
  it('lists the 11 metropolitan holidays of 2026, sorted', () => {
    expect(publicHolidays(2026, 'metropolitan')).toEqual([
      '2026-01-01',
      '2026-04-06', // Easter Monday
      '2026-05-01',
      '2026-05-08',
      '2026-05-14', // Ascension
      '2026-05-25', // Whit Monday
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
  });

  it('adds Good Friday and 26 December for Alsace-Moselle', () => {
    expect(publicHolidays(2026, 'alsace-moselle')).toEqual([
      '2026-01-01',
      '2026-04-03', // Good Friday
      '2026-04-06',
      '2026-05-01',
      '2026-05-08',
      '2026-05-14',
      '2026-05-25',
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
      '2026-12-26', // Saint Stephen
    ]);
  });

  it('moves the Easter-based holidays with Easter (2027: Easter 28 Mar)', () => {
    expect(publicHolidays(2027, 'metropolitan')).toEqual([
      '2027-01-01',
      '2027-03-29',
      '2027-05-01',
      '2027-05-06',
      '2027-05-08',
      '2027-05-17',
      '2027-07-14',
      '2027-08-15',
      '2027-11-01',
      '2027-11-11',
      '2027-12-25',
    ]);
  });

  it('isPublicHoliday / isWorkingDay distinguish the profiles', () => {
    expect(isPublicHoliday('2026-04-03', 'metropolitan')).toBe(false);
    expect(isPublicHoliday('2026-04-03', 'alsace-moselle')).toBe(true);
    expect(isPublicHoliday('2025-12-26', 'metropolitan')).toBe(false);
    expect(isPublicHoliday('2025-12-26', 'alsace-moselle')).toBe(true);
    expect(isWorkingDay('2026-04-03', 'metropolitan')).toBe(true); // Friday
    expect(isWorkingDay('2026-04-03', 'alsace-moselle')).toBe(false);
    expect(isWorkingDay('2026-11-23')).toBe(true); // Monday
    expect(isWorkingDay('2026-11-21')).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-22')).toBe(false); // Sunday
    expect(isWorkingDay('2026-11-11')).toBe(false); // Wednesday, Armistice
    expect(isPublicHoliday('2026-08-15')).toBe(true); // also a Saturday
  });

  it('nextWorkingDay returns the date itself when it is already working', () => {
    expect(nextWorkingDay('2026-04-07')).toBe('2026-04-07');
    expect(nextWorkingDay('2026-04-03', 'metropolitan')).toBe('2026-04-03');
    expect(nextWorkingDay('2026-04-03', 'alsace-moselle')).toBe('2026-04-07'); // Fri, Sat, Sun, Easter Mon
    expect(nextWorkingDay('2026-04-04')).toBe('2026-04-07'); // Sat, Sun, Easter Mon
  });
});

/**
 * One received date per 2026 holiday, chosen so that the unrolled deadline
 * lands on that holiday, with the expected result in both profiles.
 */
const HOLIDAY_CASES: ReadonlyArray<
  readonly [label: string, received: string, metropolitan: string, alsaceMoselle: string]
> = [
  ['1 Jan 2026 (Thu)', '2025-12-01', '2026-01-02', '2026-01-02'],
  ['Good Friday 2026-04-03 (Alsace-Moselle only; then weekend + Easter Monday)', '2026-03-03', '2026-04-03', '2026-04-07'],
  ['Easter Monday 2026-04-06', '2026-03-06', '2026-04-07', '2026-04-07'],
  ['Saturday before Easter Monday', '2026-03-04', '2026-04-07', '2026-04-07'],
  ['1 May 2026 (Fri) + weekend', '2026-04-01', '2026-05-04', '2026-05-04'],
  ['8 May 2026 (Fri) + weekend', '2026-04-08', '2026-05-11', '2026-05-11'],
  ['Ascension 2026-05-14 (Thu)', '2026-04-14', '2026-05-15', '2026-05-15'],
  ['Whit Monday 2026-05-25', '2026-04-25', '2026-05-26', '2026-05-26'],
  ['Saturday before Whit Monday', '2026-04-23', '2026-05-26', '2026-05-26'],
  ['14 Jul 2026 (Tue)', '2026-06-14', '2026-07-15', '2026-07-15'],
  ['15 Aug 2026 (Sat) + Sunday', '2026-07-15', '2026-08-17', '2026-08-17'],
  ['1 Nov 2026 (Sun)', '2026-10-01', '2026-11-02', '2026-11-02'],
  ['11 Nov 2026 (Wed)', '2026-10-11', '2026-11-12', '2026-11-12'],
  ['25 Dec 2026 (Fri) + 26 Dec (Sat) + Sunday', '2026-11-25', '2026-12-28', '2026-12-28'],
  ['26 Dec 2026 (Sat) + Sunday', '2026-11-26', '2026-12-28', '2026-12-28'],
  // 2026 never separates the profiles on 26 Dec (a Saturday); 2025 does.
  ['25 Dec 2025 (Thu), 26 Dec (Fri) working only in metropolitan', '2025-11-25', '2025-12-26', '2025-12-29'],
  ['26 Dec 2025 (Fri)', '2025-11-26', '2025-12-26', '2025-12-29'],
  ['Good Friday 2025-04-18 + weekend + Easter Monday', '2025-03-18', '2025-04-18', '2025-04-22'],
  ['Sat 2028-04-29, Sun, 1 May (Mon)', '2028-03-29', '2028-05-02', '2028-05-02'],
];

describe('dueDate — French public holidays (Regulation 1182/71 art. 3(4))', () => {
  it.each(HOLIDAY_CASES)('%s: received %s → %s (metropolitan) / %s (alsace-moselle)', (_label, received, metro, alsace) => {
    expect(dueDate(received, { profile: 'metropolitan' })).toBe(metro);
    expect(dueDate(received, { profile: 'alsace-moselle' })).toBe(alsace);
  });
});

describe('extendedDueDate — GDPR Art. 12(3) two further months', () => {
  it.each([
    // received, unrolled base → +2 months, expected (metropolitan)
    ['2026-01-31', '2026-04-28'], // base 02-28 → 04-28 (Tue), not 04-30
    ['2028-01-31', '2028-05-02'], // base 02-29 → 04-29 Sat, Sun, 1 May Mon → Tue
    ['2026-03-15', '2026-06-15'], // base 04-15 → 06-15 (Mon)
    ['2026-11-30', '2027-03-01'], // base 12-30 → 2027-02-28 Sun → Mon
    ['2026-12-31', '2027-03-31'], // base 2027-01-31 → 03-31 (Wed)
  ] as const)('received %s → extended %s', (received, expected) => {
    expect(extendedDueDate(received)).toBe(expected);
  });

  it('uses the holiday profile when rolling', () => {
    // base 2026-02-03 → +2 months 2026-04-03, Good Friday
    expect(extendedDueDate('2026-01-03', { profile: 'metropolitan' })).toBe('2026-04-03');
    expect(extendedDueDate('2026-01-03', { profile: 'alsace-moselle' })).toBe('2026-04-07');
  });

  it('adds paused days after the two months, then rolls', () => {
    // 04-28 + 3 = 05-01 (Fri, 1 May) → Mon 05-04
    expect(extendedDueDate('2026-01-31', { pausedDays: 3 })).toBe('2026-05-04');
  });
});

describe('paused days', () => {
  it('shift the base deadline before rolling', () => {
    expect(dueDate('2026-01-31', { pausedDays: 2 })).toBe('2026-03-02'); // 02-28 + 2 = Mon 03-02
    expect(dueDate('2026-01-31', { pausedDays: 4 })).toBe('2026-03-04'); // Wed
    expect(dueDate('2026-03-06', { pausedDays: 1 })).toBe('2026-04-07'); // 04-06 + 1
    expect(dueDate('2026-03-05', { pausedDays: 1 })).toBe('2026-04-07'); // 04-05 + 1 = Easter Monday → Tue
    expect(dueDate('2026-03-10', { pausedDays: 30 })).toBe('2026-05-11'); // 04-10 + 30 = 05-10 Sun → Mon
  });

  it('reject negative or fractional counts', () => {
    expect(() => dueDate('2026-01-31', { pausedDays: -1 })).toThrow(RangeError);
    expect(() => dueDate('2026-01-31', { pausedDays: 1.5 })).toThrow(RangeError);
    expect(() => extendedDueDate('2026-01-31', { pausedDays: -1 })).toThrow(RangeError);
  });

  it('pausedDays counts whole Paris dates between start and end', () => {
    const now = new Date('2026-02-22T10:00:00Z');
    expect(pausedDays([], now)).toBe(0);
    expect(pausedDays([{ start: new Date('2026-02-02T09:00:00Z'), end: new Date('2026-02-05T16:00:00Z') }], now)).toBe(3);
    // same Paris date → 0
    expect(pausedDays([{ start: new Date('2026-02-02T07:00:00Z'), end: new Date('2026-02-02T22:00:00Z') }], now)).toBe(0);
    // one hour across Paris midnight (23:30 → 00:30 CET) → 1
    expect(pausedDays([{ start: new Date('2026-02-02T22:30:00Z'), end: new Date('2026-02-02T23:30:00Z') }], now)).toBe(1);
    // open pause runs until now
    expect(pausedDays([{ start: new Date('2026-02-20T10:00:00Z'), end: null }], now)).toBe(2);
    // several pauses are summed
    expect(
      pausedDays(
        [
          { start: new Date('2026-02-10T08:00:00Z'), end: new Date('2026-02-13T08:00:00Z') },
          { start: new Date('2026-02-20T10:00:00Z'), end: null },
        ],
        now,
      ),
    ).toBe(5);
  });

  it('pausedDays is never negative', () => {
    const now = new Date('2026-02-22T10:00:00Z');
    // end before start (clock skew / bad data)
    expect(pausedDays([{ start: new Date('2026-02-10T08:00:00Z'), end: new Date('2026-02-05T08:00:00Z') }], now)).toBe(0);
    // open pause that starts after "now"
    expect(pausedDays([{ start: new Date('2026-03-01T08:00:00Z'), end: null }], now)).toBe(0);
    // a bad pause does not cancel a good one
    expect(
      pausedDays(
        [
          { start: new Date('2026-02-10T08:00:00Z'), end: new Date('2026-02-05T08:00:00Z') },
          { start: new Date('2026-02-02T09:00:00Z'), end: new Date('2026-02-05T16:00:00Z') },
        ],
        now,
      ),
    ).toBe(3);
  });
});

describe('parisDate — Europe/Paris boundaries', () => {
  it.each([
    // winter, UTC+1
    ['2026-01-31T22:30:00Z', '2026-01-31'], // 23:30 Paris
    ['2026-01-31T23:30:00Z', '2026-02-01'], // 00:30 Paris
    ['2026-12-31T22:59:59Z', '2026-12-31'],
    ['2026-12-31T23:00:00Z', '2027-01-01'],
    // summer, UTC+2 (DST from 2026-03-29 to 2026-10-25)
    ['2026-03-31T21:30:00Z', '2026-03-31'], // 23:30 Paris
    ['2026-03-31T22:30:00Z', '2026-04-01'], // 00:30 Paris
    ['2026-07-31T21:30:00Z', '2026-07-31'],
    ['2026-07-31T22:00:00Z', '2026-08-01'],
    // around the autumn change
    ['2026-10-24T22:30:00Z', '2026-10-25'], // 00:30 CEST
    ['2026-10-25T22:30:00Z', '2026-10-25'], // 23:30 CET
  ] as const)('%s is %s in Paris', (iso, expected) => {
    expect(parisDate(new Date(iso))).toBe(expected);
  });

  it('rejects an invalid Date', () => {
    expect(() => parisDate(new Date('nope'))).toThrow(RangeError);
  });
});

describe('computeDeadline', () => {
  const base = { pauses: [], now: new Date('2026-06-01T00:00:00Z') };

  it('winter: 23:30 Paris on 31 Jan counts as 31 Jan', () => {
    expect(computeDeadline({ ...base, receivedAt: new Date('2026-01-31T22:30:00Z') })).toEqual({
      receivedOn: '2026-01-31',
      unrolledDue: '2026-02-28',
      pausedDays: 0,
      paused: false,
      dueOn: '2026-03-02',
      extendedDueOn: '2026-04-28',
      effectiveDueOn: '2026-03-02',
    });
    // one hour later it is 1 Feb in Paris
    const r = computeDeadline({ ...base, receivedAt: new Date('2026-01-31T23:30:00Z') });
    expect(r.receivedOn).toBe('2026-02-01');
    expect(r.unrolledDue).toBe('2026-03-01');
    expect(r.dueOn).toBe('2026-03-02');
    expect(r.extendedDueOn).toBe('2026-05-04'); // 05-01 Fri holiday → Mon
  });

  it('summer: 23:30 Paris on 31 Mar is 21:30Z; 22:30Z is already 1 Apr', () => {
    const lastDay = computeDeadline({ ...base, receivedAt: new Date('2026-03-31T21:30:00Z') });
    expect(lastDay.receivedOn).toBe('2026-03-31');
    expect(lastDay.unrolledDue).toBe('2026-04-30');
    expect(lastDay.dueOn).toBe('2026-04-30'); // Thursday
    const firstDay = computeDeadline({ ...base, receivedAt: new Date('2026-03-31T22:30:00Z') });
    expect(firstDay.receivedOn).toBe('2026-04-01');
    expect(firstDay.unrolledDue).toBe('2026-05-01');
    expect(firstDay.dueOn).toBe('2026-05-04'); // 1 May Fri → Mon
  });

  it('combines pauses, open-pause flag, extension and profile', () => {
    const input = {
      receivedAt: new Date('2026-01-31T10:00:00Z'),
      pauses: [
        { start: new Date('2026-02-10T08:00:00Z'), end: new Date('2026-02-13T08:00:00Z') }, // 3 days
        { start: new Date('2026-02-20T10:00:00Z'), end: null }, // open, 2 days so far
      ],
      now: new Date('2026-02-22T10:00:00Z'),
    };
    expect(computeDeadline(input)).toEqual({
      receivedOn: '2026-01-31',
      unrolledDue: '2026-02-28',
      pausedDays: 5,
      paused: true,
      dueOn: '2026-03-05', // 02-28 + 5 = Thu 03-05
      extendedDueOn: '2026-05-04', // 04-28 + 5 = Sun 05-03 → Mon 05-04
      effectiveDueOn: '2026-03-05',
    });
    expect(computeDeadline({ ...input, extended: true }).effectiveDueOn).toBe('2026-05-04');
    expect(computeDeadline({ ...input, extended: false }).effectiveDueOn).toBe('2026-03-05');
  });

  it('applies the Alsace-Moselle profile', () => {
    const input = { ...base, receivedAt: new Date('2026-03-03T09:00:00Z') };
    expect(computeDeadline(input).dueOn).toBe('2026-04-03');
    expect(computeDeadline({ ...input, profile: 'alsace-moselle' as HolidayProfile }).dueOn).toBe('2026-04-07');
  });
});

describe('parseLocalDate', () => {
  it.each(['2026-01-01', '2028-02-29', '2000-02-29', '1900-01-01', '2999-12-31', '2026-12-31'])('accepts %s', (s) => {
    expect(parseLocalDate(s)).toBe(s);
  });

  it.each([
    '2026-02-30',
    '2027-02-29', // not a leap year
    '1900-02-29', // century, not a leap year
    '2026-04-31',
    '2026-2-3',
    '2026-02-3',
    ' 2026-01-01',
    '2026-01-01 ',
    '2026-01-01T00:00:00Z',
    '2026/01/01',
    '20260101',
    '',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '1899-12-31',
    '3000-01-01',
    '+02026-01-01',
    '２０２６-01-01', // full-width digits
  ])('rejects %j with a RangeError naming the input', (s) => {
    expect(() => parseLocalDate(s)).toThrow(RangeError);
    expect(() => parseLocalDate(s)).toThrow(s === '' ? /Invalid date/ : s);
  });
});

describe('CLI scripts/deadline.ts', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const run = (...args: string[]) => spawnSync(tsx, ['scripts/deadline.ts', ...args], { cwd: root, encoding: 'utf8' });
  const ok = (...args: string[]) => execFileSync(tsx, ['scripts/deadline.ts', ...args], { cwd: root, encoding: 'utf8' });
  const CLI_TIMEOUT = 60_000;

  it('prints the base deadline: 2026-01-31 → Sat 02-28 → Mon 03-02', () => {
    expect(ok('2026-01-31')).toBe('2026-03-02\n');
  }, CLI_TIMEOUT);

  it('--extended, before or after the date', () => {
    expect(ok('2026-01-31', '--extended')).toBe('2026-04-28\n');
    expect(ok('--extended', '2028-01-31')).toBe('2028-05-02\n');
  }, CLI_TIMEOUT);

  it('--alsace-moselle treats Good Friday as a holiday', () => {
    expect(ok('2026-03-03')).toBe('2026-04-03\n');
    expect(ok('--alsace-moselle', '2026-03-03')).toBe('2026-04-07\n');
    expect(ok('2026-01-03', '--alsace-moselle', '--extended')).toBe('2026-04-07\n');
  }, CLI_TIMEOUT);

  it('--help prints usage on stdout and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: deadline <YYYY-MM-DD>/);
  }, CLI_TIMEOUT);

  it.each([
    [['2026-02-30'], /2026-02-30/],
    [[], /missing date/],
    [['--frobnicate', '2026-01-01'], /--frobnicate/],
    [['2026-01-01', '2026-01-02'], /2026-01-02/],
    [['2026-1-1'], /2026-1-1/],
  ] as const)('bad input %j: exit 2, error on stderr, nothing on stdout', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^deadline: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: deadline/);
  }, CLI_TIMEOUT);
});
