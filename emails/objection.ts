import type { Locale } from "../db/schema/enums";
import { render, type Rendered, brand } from "./layout";
import { plural } from "../app/i18n/format";

/**
 * Art. 21: the confirmation of an objection, from what was done for this
 * person. `found`, `searched` and `removals` are null when the message may
 * not disclose what the systems hold (no proven contact): it then speaks only
 * of the contacts the request itself gave.
 */
export type ObjectionFacts = {
  reference: string;
  /** the request's own phone and email, and whether they were on the list already */
  own: { kind: "phone" | "email"; alreadyListed: boolean }[];
  /** kinds of the other identifiers found in our systems, confirmed by staff, now listed */
  found: ("phone" | "email")[] | null;
  /** whether our systems were searched for the person at all */
  searched: boolean | null;
  /** per system that can remove contact details: how many records lost them, or failed */
  removals: { system: string; records: number; failed: boolean }[] | null;
};

const KIND = {
  fr: { phone: "votre numéro de téléphone", email: "votre adresse électronique" },
  en: { phone: "your phone number", email: "your email address" },
};

export function objectionConfirmation(d: ObjectionFacts, locale: Locale): Rendered {
  const k = KIND[locale];
  const list = (xs: string[]) => xs.map((x) => `• ${x}`).join("\n");
  const count = (kind: "phone" | "email") => d.found?.filter((f) => f === kind).length ?? 0;
  const phones = count("phone");
  const emails = count("email");
  const removed = (d.removals ?? []).filter((x) => !x.failed && x.records > 0);
  const failed = (d.removals ?? []).filter((x) => x.failed);
  const nothingRemoved = d.removals !== null && removed.length === 0 && failed.length === 0;
  if (locale === "en") {
    const own = d.own.map((o) => `${k[o.kind]}${o.alreadyListed ? " (already on the list)" : ""}`);
    const found = [
      ...(phones ? [plural("en", phones, { one: "# other phone number found in our systems", other: "# other phone numbers found in our systems" })] : []),
      ...(emails ? [plural("en", emails, { one: "# other email address found in our systems", other: "# other email addresses found in our systems" })] : []),
    ];
    return render("en", `Your request ${d.reference}: your objection is recorded`, [
      "Hello,",
      `We have recorded your objection to the processing of your data for direct marketing, telephone canvassing included (Article 21 GDPR, request ${d.reference}). These are now on our suppression list, which our calling campaigns must check before dialling:`,
      list([...own, ...found]),
      "The list holds only a keyed fingerprint of each, never the number or address itself.",
      ...(removed.length ? [`Your contact details were removed from these systems:\n${list(removed.map((x) => `${x.system}: ${plural("en", x.records, { one: "# record", other: "# records" })}`))}`] : []),
      ...(failed.length ? [`These systems could not be reached to remove your contact details; the failure is recorded on your request for our staff to deal with:\n${list(failed.map((x) => x.system))}`] : []),
      ...(d.searched === false ? ["Our systems had not been searched for you when your objection was recorded: nothing was removed from them."] : []),
      ...(d.searched && nothingRemoved ? ["Our search found no contact details of yours to remove in our survey databases."] : []),
      ...(d.removals === null ? ["What our systems hold about you is told only to a contact you have confirmed: ask us if you want to know."] : []),
    ]);
  }
  const own = d.own.map((o) => `${k[o.kind]}${o.alreadyListed ? " (déjà sur la liste)" : ""}`);
  const found = [
    ...(phones ? [plural("fr", phones, { one: "# autre numéro de téléphone trouvé dans nos systèmes", other: "# autres numéros de téléphone trouvés dans nos systèmes" })] : []),
    ...(emails ? [plural("fr", emails, { one: "# autre adresse électronique trouvée dans nos systèmes", other: "# autres adresses électroniques trouvées dans nos systèmes" })] : []),
  ];
  return render("fr", `Votre demande ${d.reference} : votre opposition est enregistrée`, [
    "Bonjour,",
    `Nous avons enregistré votre opposition au traitement de vos données à des fins de prospection, y compris le démarchage téléphonique (article 21 du RGPD, demande ${d.reference}). Figurent désormais sur notre liste d'opposition, que nos campagnes d'appel doivent consulter avant de composer un numéro :`,
    list([...own, ...found]),
    "La liste ne contient qu'une empreinte à clé de chacun, jamais le numéro ou l'adresse eux-mêmes.",
    ...(removed.length ? [`Vos coordonnées ont été supprimées de ces systèmes :\n${list(removed.map((x) => `${x.system} : ${plural("fr", x.records, { one: "# enregistrement", other: "# enregistrements" })}`))}`] : []),
    ...(failed.length ? [`Ces systèmes n'ont pas pu être joints pour supprimer vos coordonnées ; l'échec est noté sur votre demande pour que notre équipe s'en occupe :\n${list(failed.map((x) => x.system))}`] : []),
    ...(d.searched === false ? ["Nos systèmes n'avaient pas été interrogés à votre sujet lorsque votre opposition a été enregistrée : rien n'y a été supprimé."] : []),
    ...(d.searched && nothingRemoved ? ["Notre recherche n'a trouvé aucune coordonnée vous concernant à supprimer dans nos bases d'enquête."] : []),
    ...(d.removals === null ? ["Ce que nos systèmes détiennent sur vous n'est communiqué qu'à un moyen de contact que vous avez confirmé : demandez-le-nous si vous souhaitez le savoir."] : []),
  ]);
}

export function smsObjectionConfirmation(d: { reference: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: your objection (request ${d.reference}) is recorded on our suppression list. Details: ${d.link}`
    : `${brand()} : votre opposition (demande ${d.reference}) est inscrite sur notre liste d'opposition. Détails : ${d.link}`;
}
