import type { Locale } from "../db/schema/enums";
import { outcomeLineText, proofText, type OutcomeLine, type ProofRecord } from "../app/i18n/erasure-outcome";
import { businessFooter, render, type Rendered, type Sender } from "./layout";
import { controllerPartText, type ControllerPart } from "./referrals";

/**
 * To the requester: per system, what was erased, anonymised, pseudonymised or
 * kept (each field kept with its ground and end date), what RightsDesk keeps
 * as proof, and where to download the certificate — the certificate's own words.
 */
export function erasureCertificate(d: { reference: string; lines: OutcomeLine[]; proof: ProofRecord[]; statusLink: string; controllers?: ControllerPart[] }, locale: Locale): Rendered {
  const controllers = (d.controllers ?? []).map((p) => controllerPartText(p, locale, "erasure"));
  if (locale === "en") {
    return render("en", `Your erasure request ${d.reference}: what was erased and what remains`, [
      "Hello,",
      `As you asked in request ${d.reference}, here is what we did with the personal data about you, system by system. Every system was then searched again with the same identifiers: none finds you any more, except in records listed as kept as they are. Pseudonymised data is not anonymous: it is still personal data, kept for the ground and until the date given. Legal grounds are quoted as our record of processing states them, in French.`,
      ...d.lines.map((l) => outcomeLineText(l, "en")),
      ...controllers,
      "What we keep to prove how your request was handled:",
      ...d.proof.map((p) => proofText(p, "en")),
      "Your certificate is on your follow-up page, to download and keep.",
      { link: d.statusLink, label: "Download my certificate" },
    ]);
  }
  return render("fr", `Votre demande d'effacement ${d.reference} : ce qui a été effacé et ce qui reste`, [
    "Bonjour,",
    `Comme vous l'avez demandé (demande ${d.reference}), voici ce que nous avons fait des données personnelles vous concernant, système par système. Chaque système a ensuite été interrogé de nouveau avec les mêmes identifiants : aucun ne vous y retrouve plus, sauf dans les enregistrements indiqués comme conservés tels quels. Une donnée pseudonymisée n'est pas anonyme : elle reste une donnée personnelle, conservée pour le motif et jusqu'à la date indiqués.`,
    ...d.lines.map((l) => outcomeLineText(l, "fr")),
    ...controllers,
    "Ce que nous gardons pour prouver le traitement de votre demande :",
    ...d.proof.map((p) => proofText(p, "fr")),
    "Votre certificat est sur votre page de suivi, à télécharger et à conserver.",
    { link: d.statusLink, label: "Télécharger mon certificat" },
  ]);
}

/**
 * Art. 19, to a company the person's records went to (the client a survey
 * was run for): in French, business to business. It names only that
 * company's own records, by the reference it holds, and says what we did to
 * those records in the certificate's words (a company does not read
 * "erased" where we pseudonymised); nothing about other systems or other
 * companies, and no value of the person's data.
 */
export function recipientErasureNotice(d: { reference: string; recipient: string; records: string[]; lines: OutcomeLine[]; sender: Sender }): Rendered {
  return render(
    "fr",
    `Notification d'effacement (art. 19 RGPD) — référence ${d.reference}`,
    [
      `Madame, Monsieur (${d.recipient}),`,
      `Conformément à l'article 19 du RGPD, nous vous informons qu'une personne a exercé son droit à l'effacement (article 17). ${d.records.length > 1 ? `Les ${d.records.length} fiches concernées, réalisées pour votre compte, sont` : "La fiche concernée, réalisée pour votre compte, est"} :`,
      ...d.records,
      `Merci d'effacer les données de cette personne que vous détenez à partir de ${d.records.length > 1 ? "ces fiches" : "cette fiche"} et de nous le confirmer en répondant à ce message.`,
      `Voici ce que nous avons fait de ${d.records.length > 1 ? "ces fiches" : "cette fiche"} :`,
      ...d.lines.map((l) => outcomeLineText(l, "fr", "recipient")),
    ],
    { footer: businessFooter(d.sender) },
  );
}

/** To the requester: what we changed, system by system (their own data, to their verified address). */
export function rectificationDone(d: { reference: string; changes: { system: string; field: string; to: string }[] }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Your data has been corrected: request ${d.reference}`, [
      "Hello,",
      `As you asked in request ${d.reference}, we corrected the following data, and checked that each system now holds the new value:`,
      ...d.changes.map((c) => `${c.system} — ${c.field}: ${c.to || "(emptied)"}`),
      "The organisations we had passed this data on to have been told of the correction.",
    ]);
  }
  return render("fr", `Vos données ont été rectifiées : demande ${d.reference}`, [
    "Bonjour,",
    `Comme vous l'avez demandé (demande ${d.reference}), nous avons rectifié les données suivantes, et vérifié que chaque système contient bien la nouvelle valeur :`,
    ...d.changes.map((c) => `${c.system} — ${c.field} : ${c.to || "(effacé)"}`),
    "Les organismes auxquels nous avions transmis ces données ont été informés de la rectification.",
  ]);
}

/** Art. 19, to a company: which fields of its own records were corrected, not their values (it asks the DPO with the reference). */
export function recipientRectificationNotice(d: { reference: string; recipient: string; records: string[]; fields: string[]; sender: Sender }): Rendered {
  return render(
    "fr",
    `Notification de rectification (art. 19 RGPD) — référence ${d.reference}`,
    [
      `Madame, Monsieur (${d.recipient}),`,
      `Conformément à l'article 19 du RGPD, nous vous informons que des données d'une personne ont été rectifiées (article 16) dans ${d.records.length > 1 ? `les ${d.records.length} fiches suivantes, réalisées` : "la fiche suivante, réalisée"} pour votre compte :`,
      ...d.records,
      `${d.fields.length > 1 ? "Champs rectifiés" : "Champ rectifié"} : ${d.fields.join(", ")}.`,
      `Merci de mettre à jour vos propres fichiers. Pour obtenir les valeurs rectifiées, contactez notre délégué à la protection des données en rappelant la référence ${d.reference}.`,
    ],
    { footer: businessFooter(d.sender) },
  );
}

/** Art. 19, to a company: the processing of its own records about a person is restricted (Art. 18): store them, do not otherwise use them. */
export function recipientRestrictionNotice(d: { reference: string; recipient: string; records: string[]; sender: Sender }): Rendered {
  return render(
    "fr",
    `Notification de limitation du traitement (art. 19 RGPD) — référence ${d.reference}`,
    [
      `Madame, Monsieur (${d.recipient}),`,
      `Conformément à l'article 19 du RGPD, nous vous informons que le traitement des données d'une personne est limité (article 18) dans ${d.records.length > 1 ? `les ${d.records.length} fiches suivantes, réalisées` : "la fiche suivante, réalisée"} pour votre compte :`,
      ...d.records,
      "Ces données ne peuvent plus qu'être conservées, sauf consentement de la personne ou constatation, exercice ou défense de droits en justice.",
      `Merci d'appliquer la même limitation dans vos fichiers. Pour toute question, contactez notre délégué à la protection des données en rappelant la référence ${d.reference}. Nous vous préviendrons quand la limitation sera levée.`,
    ],
    { footer: businessFooter(d.sender) },
  );
}
