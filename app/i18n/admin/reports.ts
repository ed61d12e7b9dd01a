import type { Locale } from "../../../db/schema/enums";
import { formatNumber, plural } from "../format";

const MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
const MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const SHORT_FR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
const monthName = (names: string[], month: string) => `${names[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

/** The DPO reports page and its CSV export. */
export const reportsFr = {
  title: "Rapports",
  intro:
    "Chiffres des demandes d'exercice de droits, mois par mois (heure de Paris). Les demandes dont l'identité n'a jamais été vérifiée ne sont pas comptées.",
  period: "Période",
  from: "Du mois",
  to: "Au mois (inclus)",
  monthHint: "Format AAAA-MM, par exemple 2026-01. 36 mois au plus.",
  apply: "Afficher",
  periodLabel: (from: string, to: string) => `De ${monthName(MONTHS_FR, from)} à ${monthName(MONTHS_FR, to)}`,
  invalidPeriod: "Période invalide : indiquez deux mois au format AAAA-MM, le premier avant le second, 36 mois au plus.",
  download: "Télécharger le rapport (CSV)",
  downloadHint: "Le téléchargement est inscrit au journal d'audit.",
  keyFigures: "Chiffres clés",
  withinOneMonth: "Closes dans le délai d'un mois",
  withinThreeMonths: "Closes dans les trois mois",
  median: "Délai médian de clôture",
  overdue: "En retard aujourd'hui",
  outOf: (n: number, total: number) => `${formatNumber("fr", n)} sur ${formatNumber("fr", total)}`,
  /** French: singular below 2 ("1,5 jour") */
  days: (n: number) => plural("fr", n, { one: "# jour", other: "# jours" }),
  none: "—",
  noClosed: "Aucune demande close sur la période.",
  overdueAsOf: "demandes ouvertes dont l'échéance est dépassée, au",
  rules:
    "Dans le délai d'un mois : close au plus tard à l'échéance de base. Dans les trois mois : au plus tard à l'échéance prolongée, ou à l'échéance de base plus deux mois si la demande n'a pas été prolongée. Sont comptées les demandes terminées, refusées, annulées ou marquées comme doublon.",
  received: "Reçues",
  closed: "Closes",
  inTime: "Closes dans le délai d'un mois",
  month: "Mois",
  count: "Nombre",
  monthsChart: {
    title: "Demandes reçues et closes par mois",
    desc: (received: number, closed: number) =>
      `Diagramme en barres groupées : pour chaque mois, une barre pleine pour les demandes reçues et une barre hachurée pour les demandes closes. Total sur la période : ${received} reçues, ${closed} closes. Les chiffres sont repris dans le tableau qui suit.`,
    caption: "Demandes reçues et closes par mois",
  },
  rightsChart: {
    title: "Demandes reçues par droit exercé",
    desc: "Diagramme en barres horizontales. Une demande portant sur deux droits compte pour chacun. Les chiffres sont repris dans le tableau qui suit.",
    caption: "Demandes reçues par droit exercé",
    column: "Droit",
  },
  channelsChart: {
    title: "Demandes reçues par canal",
    desc: "Diagramme en barres horizontales. Les chiffres sont repris dans le tableau qui suit.",
    caption: "Demandes reçues par canal",
    column: "Canal",
  },
  sitesChart: {
    title: "Demandes reçues par site",
    desc: "Diagramme en barres horizontales ; « Web (siège) » regroupe les demandes déposées en ligne. Les chiffres sont repris dans le tableau qui suit.",
    caption: "Demandes reçues par site",
    column: "Site",
  },
  legend: "Légende",
  monthLabel: (month: string) => monthName(MONTHS_FR, month),
  monthShort: (month: string) => `${SHORT_FR[Number(month.slice(5, 7)) - 1]} ${month.slice(2, 4)}`,
  csv: {
    from: "Début de période",
    to: "Fin de période",
    received: "Demandes reçues",
    closed: "Demandes closes",
    asOf: "En retard à la date du",
  },
};

export type ReportsMessages = typeof reportsFr;

export const reportsEn: ReportsMessages = {
  title: "Reports",
  intro: "Figures for data-subject requests, month by month (Paris time). Requests whose identity was never verified are not counted.",
  period: "Period",
  from: "From month",
  to: "To month (inclusive)",
  monthHint: "Format YYYY-MM, for example 2026-01. 36 months at most.",
  apply: "Show",
  periodLabel: (from: string, to: string) => `From ${monthName(MONTHS_EN, from)} to ${monthName(MONTHS_EN, to)}`,
  invalidPeriod: "Invalid period: enter two months as YYYY-MM, the first before the second, 36 months at most.",
  download: "Download the report (CSV)",
  downloadHint: "The download is recorded in the audit trail.",
  keyFigures: "Key figures",
  withinOneMonth: "Closed within one month",
  withinThreeMonths: "Closed within three months",
  median: "Median time to close",
  overdue: "Overdue today",
  outOf: (n: number, total: number) => `${formatNumber("en", n)} of ${formatNumber("en", total)}`,
  days: (n: number) => plural("en", n, { one: "# day", other: "# days" }),
  none: "—",
  noClosed: "No request was closed in this period.",
  overdueAsOf: "open requests past their deadline, as of",
  rules:
    "Within one month: closed on or before the base deadline. Within three months: on or before the extended deadline, or the base deadline plus two months when the request was not extended. Completed, refused, cancelled and duplicate requests are counted.",
  received: "Received",
  closed: "Closed",
  inTime: "Closed within one month",
  month: "Month",
  count: "Number",
  monthsChart: {
    title: "Requests received and closed per month",
    desc: (received: number, closed: number) =>
      `Grouped bar chart: for each month, a solid bar for requests received and a hatched bar for requests closed. Period total: ${received} received, ${closed} closed. The figures are repeated in the table that follows.`,
    caption: "Requests received and closed per month",
  },
  rightsChart: {
    title: "Requests received per right",
    desc: "Horizontal bar chart. A request about two rights counts for each. The figures are repeated in the table that follows.",
    caption: "Requests received per right",
    column: "Right",
  },
  channelsChart: {
    title: "Requests received per channel",
    desc: "Horizontal bar chart. The figures are repeated in the table that follows.",
    caption: "Requests received per channel",
    column: "Channel",
  },
  sitesChart: {
    title: "Requests received per site",
    desc: "Horizontal bar chart; “Web (head office)” groups the requests filed online. The figures are repeated in the table that follows.",
    caption: "Requests received per site",
    column: "Site",
  },
  legend: "Legend",
  monthLabel: (month: string) => monthName(MONTHS_EN, month),
  monthShort: (month: string) => `${MONTHS_EN[Number(month.slice(5, 7)) - 1]!.slice(0, 3)} ${month.slice(2, 4)}`,
  csv: {
    from: "Start of period",
    to: "End of period",
    received: "Requests received",
    closed: "Requests closed",
    asOf: "Overdue as of",
  },
};

export const reportsMessages: Record<Locale, ReportsMessages> = { fr: reportsFr, en: reportsEn };
