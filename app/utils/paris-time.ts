/**
 * Wall-clock time in Paris ↔ instants. Agents type when a letter arrived or
 * a call came in as Paris local time; the database keeps UTC instants.
 */
const FORMAT = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

function parisParts(instant: Date) {
  const p = Object.fromEntries(FORMAT.formatToParts(instant).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
}

/** "2026-11-22T14:30" (Paris) → the instant. In the autumn overlap the earlier instant wins; a spring-gap time moves forward. */
export function parisLocalToInstant(local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return null;
  // Paris is UTC+1 or UTC+2: try both offsets, keep the one that maps back.
  for (const offsetHours of [2, 1]) {
    const candidate = new Date(wall - offsetHours * 3_600_000);
    if (parisParts(candidate) === wall) return candidate;
  }
  return new Date(wall - 3_600_000);
}

/** The instant as a datetime-local value in Paris ("2026-11-22T14:30"). */
export function instantToParisLocal(instant: Date): string {
  return new Date(parisParts(instant)).toISOString().slice(0, 16);
}

/** The instant as Paris wall-clock time, to the second ("2026-11-22 14:30:05"), for people reading exports. */
export function instantToParisWallTime(instant: Date): string {
  return new Date(parisParts(instant)).toISOString().slice(0, 19).replace("T", " ");
}
