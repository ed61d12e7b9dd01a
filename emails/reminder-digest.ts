import { catalogues, formatLocalDate } from "../app/i18n";
import type { Locale, Status } from "../db/schema/enums";
import { render, type Block, type Rendered } from "./layout";

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
  const statuses = catalogues[locale].admin.statuses;
  const total = d.tickets.length + d.more;
  const overdue = d.overdue;
  const today = formatLocalDate(d.today, locale);
  if (locale === "en") {
    const enOverdue = overdue ? ` (${overdue} overdue)` : "";
    const line = (t: DigestTicket) =>
      `${t.overdue ? "OVERDUE — " : ""}${t.reference} — ${statuses[t.status]} — due ${formatLocalDate(t.dueOn, "en")}${t.unassigned ? " — unassigned" : ""}`;
    const blocks: Block[] = [
      "Hello,",
      d.scope === "all"
        ? `As of ${today}, ${total} open request${total > 1 ? "s are" : " is"} due within 7 days or overdue${enOverdue}:`
        : `As of ${today}, ${total} of the requests assigned to you ${total > 1 ? "are" : "is"} due within 7 days or overdue${enOverdue}:`,
      ...d.tickets.map(line),
      ...(d.more ? [`… and ${d.more} more in the queue.`] : []),
      { link: d.link, label: "Open the queue" },
      "This message lists references and dates only. Open each request in the back office for its details.",
    ];
    const subject = overdue ? `GDPR deadlines: ${total} request${total > 1 ? "s" : ""} due, ${overdue} overdue` : `GDPR deadlines: ${total} request${total > 1 ? "s" : ""} due within 7 days`;
    return render("en", subject, blocks);
  }
  const line = (t: DigestTicket) =>
    `${t.overdue ? "EN RETARD — " : ""}${t.reference} — ${statuses[t.status]} — échéance le ${formatLocalDate(t.dueOn, "fr")}${t.unassigned ? " — non attribuée" : ""}`;
  const s = total > 1 ? "s" : "";
  const frOverdue = overdue ? ` (dont ${overdue} en retard)` : "";
  const blocks: Block[] = [
    "Bonjour,",
    d.scope === "all"
      ? `Au ${today}, ${total} demande${s} ouverte${s} arrive${total > 1 ? "nt" : ""} à échéance sous 7 jours ou ${total > 1 ? "sont" : "est"} en retard${frOverdue} :`
      : `Au ${today}, ${total} demande${s} qui vous ${total > 1 ? "sont attribuées arrivent" : "est attribuée arrive"} à échéance sous 7 jours ou ${total > 1 ? "sont" : "est"} en retard${frOverdue} :`,
    ...d.tickets.map(line),
    ...(d.more ? [`… et ${d.more} autre${d.more > 1 ? "s" : ""} dans la file.`] : []),
    { link: d.link, label: "Ouvrir la file des demandes" },
    "Ce message ne contient que des références et des dates. Ouvrez chaque demande dans l'espace DPO pour en voir le détail.",
  ];
  const subject = overdue
    ? `Échéances RGPD : ${total} demande${s} à traiter, dont ${overdue} en retard`
    : `Échéances RGPD : ${total} demande${s} à traiter sous 7 jours`;
  return render("fr", subject, blocks);
}
