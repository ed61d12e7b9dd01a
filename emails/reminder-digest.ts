import { formatLocalDate } from "../app/i18n";
import { adminCatalogues } from "../app/i18n/admin";
import type { Locale, Status } from "../db/schema/enums";
import { render, type Block, type Rendered } from "./layout";
import { formatNumber, plural, pluralCategory } from "../app/i18n/format";

export type DigestTicket = { reference: string; status: Status; dueOn: string; overdue: boolean; unassigned?: boolean };

export type ReminderDigestData = {
  /** "mine": the tickets assigned to the reader; "all": the DPO's view of every ticket due */
  scope: "mine" | "all";
  /** Paris date of the run */
  today: string;
  tickets: DigestTicket[];
  /** tickets due but not listed (the list is capped so the message stays readable) */
  more: number;
  /** overdue tickets, listed or not */
  overdue: number;
  /** the back-office queue */
  link: string;
};

/**
 * Staff reminder of deadlines due within 7 days or already passed. References,
 * states and dates only: never the requester's name or contact details, since
 * mailboxes get forwarded and searched.
 */
export function reminderDigest(d: ReminderDigestData, locale: Locale): Rendered {
  const statuses = adminCatalogues[locale].statuses;
  const total = d.tickets.length + d.more;
  const overdue = d.overdue;
  const today = formatLocalDate(d.today, locale);
  if (locale === "en") {
    const n = (x: number) => formatNumber("en", x);
    const enOverdue = overdue ? ` (${n(overdue)} overdue)` : "";
    const one = pluralCategory("en", total) === "one";
    const line = (t: DigestTicket) =>
      `${t.overdue ? "OVERDUE — " : ""}${t.reference} — ${statuses[t.status]} — due ${formatLocalDate(t.dueOn, "en")}${t.unassigned ? " — unassigned" : ""}`;
    const blocks: Block[] = [
      "Hello,",
      d.scope === "all"
        ? `As of ${today}, ${n(total)} open request${one ? " is" : "s are"} due within 7 days or overdue${enOverdue}:`
        : `As of ${today}, ${n(total)} of the requests assigned to you ${one ? "is" : "are"} due within 7 days or overdue${enOverdue}:`,
      ...d.tickets.map(line),
      ...(d.more ? [`… and ${n(d.more)} more in the queue.`] : []),
      { link: d.link, label: "Open the queue" },
      "This message lists references and dates only. Open each request in the back office for its details.",
    ];
    const requests = plural("en", total, { one: "# request", other: "# requests" });
    const subject = overdue ? `GDPR deadlines: ${requests} due, ${n(overdue)} overdue` : `GDPR deadlines: ${requests} due within 7 days`;
    return render("en", subject, blocks);
  }
  const line = (t: DigestTicket) =>
    `${t.overdue ? "EN RETARD — " : ""}${t.reference} — ${statuses[t.status]} — échéance le ${formatLocalDate(t.dueOn, "fr")}${t.unassigned ? " — non attribuée" : ""}`;
  const n = (x: number) => formatNumber("fr", x);
  const several = pluralCategory("fr", total) !== "one";
  const s = several ? "s" : "";
  const frOverdue = overdue ? ` (dont ${n(overdue)} en retard)` : "";
  const blocks: Block[] = [
    "Bonjour,",
    d.scope === "all"
      ? `Au ${today}, ${n(total)} demande${s} ouverte${s} arrive${several ? "nt" : ""} à échéance sous 7 jours ou ${several ? "sont" : "est"} en retard${frOverdue} :`
      : `Au ${today}, ${n(total)} demande${s} qui vous ${several ? "sont attribuées arrivent" : "est attribuée arrive"} à échéance sous 7 jours ou ${several ? "sont" : "est"} en retard${frOverdue} :`,
    ...d.tickets.map(line),
    ...(d.more ? [`… et ${plural("fr", d.more, { one: "# autre", other: "# autres" })} dans la file.`] : []),
    { link: d.link, label: "Ouvrir la file des demandes" },
    "Ce message ne contient que des références et des dates. Ouvrez chaque demande dans l'espace DPO pour en voir le détail.",
  ];
  const subject = overdue
    ? `Échéances RGPD : ${n(total)} demande${s} à traiter, dont ${n(overdue)} en retard`
    : `Échéances RGPD : ${n(total)} demande${s} à traiter sous 7 jours`;
  return render("fr", subject, blocks);
}
