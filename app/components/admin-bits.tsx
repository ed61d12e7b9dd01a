import { Form } from "@remix-run/react";
import { useAdminT } from "./admin-i18n";
import type { Marker, ticketView } from "../services/tickets.server";
import { useLocale } from "./i18n";
import { formatLocalDate } from "../i18n";

/** The ticket as its page shows it, for the page's panels. */
export type TicketView = Awaited<ReturnType<typeof ticketView>>;

/** Deadline markers carry words, not only colour (RGAA 3.1). */
export function MarkerBadge({ marker }: { marker: Marker }) {
  const q = useAdminT().queue;
  if (!marker) return null;
  const label = marker === "overdue" ? q.overdue : marker === "soon" ? q.dueSoon : q.paused;
  return <span className={`badge ${marker}`}>{label}</span>;
}

export function LocalDate({ iso }: { iso: string | null }) {
  const locale = useLocale();
  if (!iso) return <>—</>;
  return <time dateTime={iso}>{formatLocalDate(iso, locale)}</time>;
}

/** A form that is only a button: the verb is in the intent, the rest comes from the URL. */
export function IntentButton({
  intent,
  label,
  primary = false,
  link = false,
  ariaLabel,
  fields = {},
}: {
  intent: string;
  label: string;
  primary?: boolean;
  /** a row action in a table cell: inline, styled as a link */
  link?: boolean;
  /** what a screen reader announces instead of `label`, naming the row */
  ariaLabel?: string;
  fields?: Record<string, string>;
}) {
  return (
    <Form method="post" className={link ? "inline" : undefined}>
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={link ? "link-button" : primary ? "button" : "button secondary"} aria-label={ariaLabel}>
        {label}
      </button>
    </Form>
  );
}

/** A table's column headers, each with scope="col" (RGAA 5.7). */
export function ColumnHeads({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
