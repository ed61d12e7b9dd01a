import type { Locale } from "../../db/schema/enums";
import type { KeptForm } from "../connectors/types";
import { formatParisDate } from "./index";
import { plural, pluralCategory } from "./format";

/**
 * The words for what an erasure did, in one place: the DPO's plan, the
 * certificate, the email to the person and the Art. 19 notice all say the
 * same thing about the same facts.
 *
 * Four outcomes, never blurred: deleted; anonymised — only when nothing but
 * the record's number is left (every other field emptied or replaced by a
 * fixed text), which cannot single the person out again; pseudonymised — a
 * keyed hash, a generalised postcode or any field left as it was: still
 * personal data (GDPR Recital 26), so never called erased; kept — the record
 * as it is, for a legal ground, until a date.
 */
export type ErasureOutcome = "deleted" | "anonymised" | "pseudonymised" | "kept";

/** A field still held after the erasure; `field` null: the whole record. */
export type KeptItem = { field: string | null; form: KeptForm; legalBasis: string; until: string };

/** One system's dataset after the erasure: how many records met which outcome, and what each still holds. */
export type OutcomeLine = { system: string; dataset: string; outcome: ErasureOutcome; count: number; removed: string[]; kept: KeptItem[] };

/**
 * What RightsDesk keeps to prove it handled the request (register OP-07), and
 * the suppression list entry that makes an objection last.
 */
export type ProofRecord =
  | { record: "ticket" | "audit"; operation: string | null; legalBasis: string; retention: string }
  | { record: "suppression"; kinds: ("phone" | "email")[] };

const DURATION = /^P(?=\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function duration(until: string, locale: Locale): string | null {
  const m = DURATION.exec(until);
  if (!m) return null;
  const [years, months, days] = [m[1], m[2], m[3]].map((v) => (v ? Number(v) : 0)) as [number, number, number];
  const fr = [years && plural("fr", years, { one: "# an", other: "# ans" }), months && plural("fr", months, { one: "# mois", other: "# mois" }), days && plural("fr", days, { one: "# jour", other: "# jours" })];
  const en = [years && plural("en", years, { one: "# year", other: "# years" }), months && plural("en", months, { one: "# month", other: "# months" }), days && plural("en", days, { one: "# day", other: "# days" })];
  const parts = (locale === "fr" ? fr : en).filter((p): p is string => Boolean(p));
  const and = locale === "fr" ? " et " : " and ";
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")}${and}${parts.at(-1)}` : (parts[0] ?? null);
}

/** "jusqu'au 31 décembre 2031", "jusqu'à 2 ans après la création de l'enregistrement". */
export function untilText(until: string, locale: Locale): string {
  if (ISO_DATE.test(until)) {
    const day = formatParisDate(new Date(`${until}T12:00:00Z`), locale === "fr" ? "fr-FR" : "en-GB");
    return locale === "fr" ? `jusqu'au ${day}` : `until ${day}`;
  }
  const d = duration(until, locale);
  if (d) return locale === "fr" ? `jusqu'à ${d} après la création de l'enregistrement` : `until ${d} after the record was created`;
  return locale === "fr" ? `jusqu'à : ${until}` : `until: ${until}`;
}

const FORMS: Record<Locale, Record<KeptForm, string>> = {
  fr: {
    unchanged: "tel quel",
    "keyed-hash": "sous forme d'empreinte calculée avec une clé secrète (un pseudonyme, pas la valeur)",
    generalised: "généralisé (par exemple le code postal réduit au département)",
  },
  en: {
    unchanged: "as it was",
    "keyed-hash": "as a hash computed with a secret key (a pseudonym, not the value)",
    generalised: "generalised (the postcode cut to its département, for instance)",
  },
};

/** "email, sous forme d'empreinte… — motif : … — jusqu'à 2 ans après la création de l'enregistrement" */
export function keptText(k: KeptItem, locale: Locale): string {
  const what = k.field === null ? (locale === "fr" ? "l'enregistrement entier" : "the whole record") : `${k.field}, ${FORMS[locale][k.form]}`;
  return locale === "fr" ? `${what} — motif : ${k.legalBasis} — ${untilText(k.until, locale)}` : `${what} — ground: ${k.legalBasis} — ${untilText(k.until, locale)}`;
}

const records = (n: number, locale: Locale) => (locale === "fr" ? plural("fr", n, { one: "# enregistrement", other: "# enregistrements" }) : plural("en", n, { one: "# record", other: "# records" }));
/** French agreement of a past participle with a count ("effacé", "effacés"): singular below 2, as CLDR says. */
const many = (n: number) => pluralCategory("fr", n) !== "one";

/** The outcome in a few words, for a table cell: "Effacé", "Pseudonymisé, pas effacé". */
export function outcomeLabel(outcome: ErasureOutcome, locale: Locale): string {
  const labels: Record<Locale, Record<ErasureOutcome, string>> = {
    fr: { deleted: "Effacé", anonymised: "Anonymisé (irréversible)", pseudonymised: "Pseudonymisé, pas effacé", kept: "Conservé" },
    en: { deleted: "Erased", anonymised: "Anonymised (irreversible)", pseudonymised: "Pseudonymised, not erased", kept: "Kept" },
  };
  return labels[locale][outcome];
}

/**
 * Who reads it: the person ("vous concernant") or a recipient told under
 * Art. 19 ("concernant la personne"), with the same facts.
 */
export type Reader = "subject" | "recipient";

/** What was done to the records, in a sentence (without the system's name). */
export function outcomeText(l: Pick<OutcomeLine, "outcome" | "count" | "removed" | "kept">, locale: Locale, reader: Reader = "subject"): string {
  const n = records(l.count, locale);
  const aboutFr = reader === "subject" ? "vous concernant" : "concernant la personne";
  const identifyFr = reader === "subject" ? "de vous identifier" : "d'identifier la personne";
  const aboutEn = reader === "subject" ? "about you" : "about the person";
  const identifyEn = reader === "subject" ? "identify you" : "identify the person";
  const removed = l.removed.length ? l.removed.join(", ") : null;
  // A system that did not say what stays (a plan made before it could): not claimed anonymous, not detailed either.
  const undetailed = l.kept.length === 0;
  if (locale === "fr") {
    switch (l.outcome) {
      case "deleted":
        return `${n} effacé${many(l.count) ? "s" : ""}.`;
      case "anonymised":
        return `${n} anonymisé${many(l.count) ? "s" : ""} : toutes les données ont été vidées ou remplacées par un texte fixe ; seul le numéro de la ligne subsiste, qui ne permet plus ${identifyFr}.`;
      case "pseudonymised":
        return `${n} pseudonymisé${many(l.count) ? "s" : ""}, pas effacé${many(l.count) ? "s" : ""}${removed ? ` : ${removed} ${l.removed.length > 1 ? "ont été vidés ou remplacés" : "a été vidé ou remplacé"} par un texte fixe` : ""}. La ligne reste et contient encore des données ${aboutFr} — des données pseudonymisées, qui restent des données personnelles (considérant 26 du RGPD)${undetailed ? ". Le système n'a pas détaillé lesquelles : notre délégué à la protection des données peut vous les préciser." : " :"}`;
      case "kept":
        return `${n} conservé${many(l.count) ? "s" : ""} tel${many(l.count) ? "s" : ""} quel${many(l.count) ? "s" : ""} :`;
    }
  }
  switch (l.outcome) {
    case "deleted":
      return `${n} erased.`;
    case "anonymised":
      return `${n} anonymised: every field was emptied or replaced by a fixed text; only the row's number is left, which can no longer ${identifyEn}.`;
    case "pseudonymised":
      return `${n} pseudonymised, not erased${removed ? `: ${removed} emptied or replaced by a fixed text` : ""}. The row remains and still holds data ${aboutEn} — pseudonymised data, which is still personal data (GDPR Recital 26)${undetailed ? ". The system did not say which: our data protection officer can tell you." : ":"}`;
    case "kept":
      return `${n} kept as ${pluralCategory("en", l.count) === "one" ? "it is" : "they are"}:`;
  }
}

/** One line of the email and of the Art. 19 notice: the system, the dataset, what was done, and what remains. */
export function outcomeLineText(l: OutcomeLine, locale: Locale, reader: Reader = "subject"): string {
  const head = `${l.system} — ${l.dataset}${locale === "fr" ? " : " : ": "}${outcomeText(l, locale, reader)}`;
  return [head, ...l.kept.map((k) => `• ${keptText(k, locale)}`)].join("\n");
}

/** What RightsDesk keeps as proof, in a sentence. */
export function proofText(p: ProofRecord, locale: Locale): string {
  if (p.record === "suppression") {
    const kinds = p.kinds.map((k) => (locale === "fr" ? (k === "phone" ? "votre numéro de téléphone" : "votre adresse électronique") : k === "phone" ? "your phone number" : "your email address"));
    const which = kinds.join(locale === "fr" ? " et " : " and ");
    return locale === "fr"
      ? `Notre liste d'opposition, qui contient ${which} sous forme d'empreinte calculée avec une clé secrète (jamais en clair) : c'est ce qui empêche nos campagnes de vous appeler ou de vous écrire. Motif : votre opposition (article 21 du RGPD). Conservée tant que votre opposition s'applique.`
      : `Our objection list, which holds ${which} as a hash computed with a secret key (never in clear): it is what stops our campaigns from calling or writing to you. Ground: your objection (Article 21 GDPR). Kept as long as your objection applies.`;
  }
  const op = p.operation ? ` (${p.operation})` : "";
  const keptFr = p.record === "ticket" ? "conservés" : "conservé";
  const what =
    p.record === "ticket"
      ? locale === "fr"
        ? "Votre demande (l'identité et les coordonnées que vous nous avez données, son contenu), son historique, le plan d'effacement et ce certificat"
        : "Your request (the identity and contact details you gave us, what you asked), its history, the erasure plan and this certificate"
      : locale === "fr"
        ? "Le journal d'audit des actions menées sur votre demande (qui a fait quoi et quand, sans vos coordonnées)"
        : "The audit trail of what was done on your request (who did what and when, without your contact details)";
  const sentence = (t: string) => (/[.!?]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`);
  return locale === "fr"
    ? `${what} : ${keptFr} pour prouver le traitement de votre demande${op}. Motif : ${sentence(p.legalBasis)} Durée : ${sentence(p.retention)}`
    : `${what}: kept to prove how your request was handled${op}. Ground (from our record of processing, in French): ${sentence(p.legalBasis)} How long: ${sentence(p.retention)}`;
}
