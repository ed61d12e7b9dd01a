import type { Marker } from "../services/tickets.server";
import { useLocale, useT } from "./i18n";
import { formatLocalDate } from "../i18n";

/** Deadline markers carry words, not only colour (RGAA 3.1). */
export function MarkerBadge({ marker }: { marker: Marker }) {
  const q = useT().admin.queue;
  if (!marker) return null;
  const label = marker === "overdue" ? q.overdue : marker === "soon" ? q.dueSoon : q.paused;
  return <span className={`badge ${marker}`}>{label}</span>;
}

export function LocalDate({ iso }: { iso: string | null }) {
  const locale = useLocale();
  if (!iso) return <>—</>;
  return <time dateTime={iso}>{formatLocalDate(iso, locale)}</time>;
}
