import { formatLocalDate } from "../app/i18n";
import type { Locale, Right } from "../db/schema/enums";
import { render, type Rendered, brand } from "./layout";
import { plural } from "../app/i18n/format";

/**
 * Where RightsDesk looked for a person and what it found, in words (issue 13,
 * items 2 and 5): every answer quotes it, so the person knows which systems
 * were searched, with which of their identifiers and how each was obtained,
 * and what could not be searched and why.
 */
export type SearchedIdentifier = { kind: "email" | "phone" | "name_postcode"; shown: string; origin: string; source?: string; on?: string };
export type SearchedSystem = {
  label: string;
  outcome: "found" | "nothing" | "not_searched" | "failed";
  records: number;
  /** identifier kinds it was searched with */
  kinds: string[];
  /** not searched: the kinds it would need */
  missing: string[];
  /** the DPO's recorded reason to answer all the same */
  waiver: string | null;
};
export type SearchReport = { on: string; identifiers: SearchedIdentifier[]; systems: SearchedSystem[] };

const KIND: Record<Locale, Record<string, string>> = {
  fr: { email: "adresse électronique", phone: "numéro de téléphone", name_postcode: "nom et code postal" },
  en: { email: "email address", phone: "phone number", name_postcode: "name and postcode" },
};

function originText(i: SearchedIdentifier, locale: Locale): string {
  const on = i.on ? formatLocalDate(i.on, locale) : "";
  const fr: Record<string, string> = {
    proven_email: `que vous avez confirmée par un lien ou un code${on ? ` le ${on}` : ""}`,
    proven_phone: `que vous avez confirmé par un code ou par notre rappel${on ? ` le ${on}` : ""}`,
    proven_postal: `de l'adresse postale confirmée par le code reçu par courrier${on ? ` le ${on}` : ""}`,
    subject: `de la personne représentée, confirmé par un lien qui lui a été envoyé${on ? ` le ${on}` : ""}`,
    found: `trouvé dans ${i.source ?? "un de nos systèmes"}, dans un enregistrement qui vous concernait, et retenu par notre équipe${on ? ` le ${on}` : ""}`,
  };
  const en: Record<string, string> = {
    proven_email: `which you confirmed with a link or a code${on ? ` on ${on}` : ""}`,
    proven_phone: `which you confirmed with a code or by answering our call-back${on ? ` on ${on}` : ""}`,
    proven_postal: `of the postal address confirmed with the code sent by post${on ? ` on ${on}` : ""}`,
    subject: `of the person represented, confirmed with a link sent to them${on ? ` on ${on}` : ""}`,
    found: `found in ${i.source ?? "one of our systems"}, in a record about you, and retained by our staff${on ? ` on ${on}` : ""}`,
  };
  return (locale === "en" ? en : fr)[i.origin] ?? "";
}

/** `values: false` names each identifier by its kind only (a certificate carries no contact details). */
export function identifierLines(report: SearchReport, locale: Locale, opts: { values?: boolean } = {}): string[] {
  return report.identifiers.map((i) => `• ${KIND[locale][i.kind]}${opts.values === false ? "" : ` ${i.shown}`}, ${originText(i, locale)}`);
}

export function systemLines(report: SearchReport, locale: Locale): string[] {
  // "votre adresse électronique et votre numéro de téléphone" / "your email address and your phone number"
  const yours = (ks: string[]) => ks.map((k) => `${locale === "en" ? "your" : "votre"} ${KIND[locale][k] ?? k}`).join(locale === "en" ? " and " : " et ");
  const kinds = (ks: string[]) => ks.map((k) => KIND[locale][k] ?? k).join(locale === "en" ? " or " : " ou ");
  // The DPO's reason is quoted, and the sentence ends once, after the quote.
  const quoted = (w: string) => w.trim().replace(/[.!…]+$/, "");
  return report.systems.map((s) => {
    if (locale === "en") {
      const what =
        s.outcome === "found"
          ? `searched with ${yours(s.kinds)}: ${plural("en", s.records, { one: "# record found", other: "# records found" })}`
          : s.outcome === "nothing"
            ? `searched with ${yours(s.kinds)}: nothing found`
            : s.outcome === "not_searched"
              ? `not searched: it can only be searched by ${kinds(s.missing)}, which we do not have for you`
              : "not searched: the system could not be reached";
      return `• ${s.label}: ${what}${s.waiver ? `. Our data protection officer decided to answer all the same, for this reason: "${quoted(s.waiver)}"` : ""}.`;
    }
    const what =
      s.outcome === "found"
        ? `interrogé avec ${yours(s.kinds)} : ${plural("fr", s.records, { one: "# enregistrement trouvé", other: "# enregistrements trouvés" })}`
        : s.outcome === "nothing"
          ? `interrogé avec ${yours(s.kinds)} : aucune donnée trouvée`
          : s.outcome === "not_searched"
            ? `non interrogé : ce système ne peut être interrogé qu'avec un ${kinds(s.missing)}, que nous n'avons pas pour vous`
            : "non interrogé : le système n'a pas pu être joint";
    return `• ${s.label} : ${what}${s.waiver ? `. Notre délégué à la protection des données a décidé de vous répondre malgré tout, pour ce motif : « ${quoted(s.waiver)} »` : ""}.`;
  });
}

const REMEDIES: Record<Locale, string> = {
  fr: "Vous avez le droit d'introduire une réclamation auprès de la Commission nationale de l'informatique et des libertés (CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) et de former un recours juridictionnel devant le tribunal compétent.",
  en: "You have the right to lodge a complaint with the Commission nationale de l'informatique et des libertés (CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) and to seek a judicial remedy before the competent court.",
};

/**
 * The answer when nothing is held (Art. 15(1): confirmation that no data is
 * processed; Art. 17: nothing to erase, so no certificate of deletion).
 */
/** The rights asked for, as CentreCall writes them to the person. */
const ASKED: Record<Locale, Record<Right, string>> = {
  fr: {
    access: "l'accès à vos données",
    rectification: "la rectification de données inexactes",
    erasure: "l'effacement de vos données",
    portability: "la portabilité de vos données",
    restriction: "la limitation de leur traitement",
    objection: "votre opposition à leur traitement",
  },
  en: {
    access: "access to your data",
    rectification: "the rectification of inaccurate data",
    erasure: "the erasure of your data",
    portability: "the portability of your data",
    restriction: "the restriction of their processing",
    objection: "your objection to their processing",
  },
};

export function noDataAnswer(d: { reference: string; rights: Right[]; report: SearchReport; proofRetention: string }, locale: Locale): Rendered {
  const asked = d.rights.map((r) => ASKED[locale][r]).join(", ");
  const on = formatLocalDate(d.report.on, locale);
  const erasure = d.rights.includes("erasure");
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: we hold no data about you`, [
      "Hello,",
      `You asked us for: ${asked} (request ${d.reference}).`,
      `On ${on} we searched our systems with these identifiers:`,
      identifierLines(d.report, "en").join("\n"),
      "What each system answered:",
      systemLines(d.report, "en").join("\n"),
      `${brand()} therefore holds no personal data about you in these systems.`,
      ...(erasure ? ["There is nothing to erase: we are not issuing a certificate of erasure, since no data was erased."] : []),
      `Only the record of your request itself is kept (the request, its history and our audit trail), ${d.proofRetention}, as proof of our answer.`,
      "If you think we hold data about you under another identifier (another email address or phone number), tell us in a new request.",
      REMEDIES.en,
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : nous ne détenons aucune donnée vous concernant`, [
    "Bonjour,",
    `Vous nous avez demandé : ${asked} (demande ${d.reference}).`,
    `Le ${on}, nous avons recherché vos données dans nos systèmes avec ces identifiants :`,
    identifierLines(d.report, "fr").join("\n"),
    "Voici ce que chaque système a répondu :",
    systemLines(d.report, "fr").join("\n"),
    `${brand()} ne détient donc aucune donnée personnelle vous concernant dans ces systèmes.`,
    ...(erasure ? ["Il n'y a rien à effacer : nous ne vous délivrons pas de certificat d'effacement, puisqu'aucune donnée n'a été effacée."] : []),
    `Seule la trace de votre demande elle-même est conservée (la demande, son historique et notre journal d'audit), ${d.proofRetention}, pour prouver notre réponse.`,
    "Si vous pensez que nous détenons des données vous concernant sous un autre identifiant (une autre adresse électronique, un autre numéro), indiquez-le-nous dans une nouvelle demande.",
    REMEDIES.fr,
  ]);
}

export function smsNoData(d: { reference: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: request ${d.reference}, we hold no data about you. Our letter, with the systems searched: ${d.link}`
    : `${brand()} : demande ${d.reference}, nous ne détenons aucune donnée vous concernant. Notre courrier et les systèmes interrogés : ${d.link}`;
}
