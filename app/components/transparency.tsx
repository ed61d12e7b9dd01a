import type { ReactNode } from "react";

/** A postal address as configured, one line per "\n" (CSS keeps the breaks, screen readers read it as one text). */
export function Address({ children }: { children: string }) {
  return <span className="address">{children}</span>;
}

/** A term and its fact; nothing rendered when the fact is not configured. */
export function Fact({ term, children }: { term: string; children: ReactNode }) {
  if (children === undefined || children === null || children === "") return null;
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A date written YYYY-MM-DD in configuration, in words: "26 novembre 2026". */
export function longDate(iso: string, tag: string): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(tag, { dateStyle: "long", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}
