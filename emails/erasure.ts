import type { Locale } from "../db/schema/enums";
import { render, type Rendered } from "./layout";

type Line = { system: string; erased: number; anonymised: number; kept: { count: number; legalBasis: string; until: string }[] };

function linesIn(lines: Line[], locale: Locale): string[] {
  return lines.map((l) => {
    const kept = l.kept.map((k) => (locale === "en" ? `${k.count} kept (${k.legalBasis}, until ${k.until})` : `${k.count} conservé(s) (${k.legalBasis}, jusqu'au ${k.until})`));
    const head = locale === "en" ? `${l.system}: ${l.erased} erased, ${l.anonymised} anonymised` : `${l.system} : ${l.erased} effacé(s), ${l.anonymised} anonymisé(s)`;
    return [head, ...kept].join(locale === "en" ? "; " : " ; ");
  });
}

/** To the requester: what was erased, per system, and where to download the certificate. */
export function erasureCertificate(d: { reference: string; lines: Line[]; statusLink: string }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Your data has been erased: request ${d.reference}`, [
      "Hello,",
      `We have erased the personal data about you, as you asked in request ${d.reference}. Every system was searched again afterwards: only what is listed as kept remains, for the reason and until the date given.`,
      ...linesIn(d.lines, "en"),
      "Your erasure certificate is on your follow-up page, to download and keep.",
      { link: d.statusLink, label: "Download my certificate" },
    ]);
  }
  return render("fr", `Vos données ont été effacées : demande ${d.reference}`, [
    "Bonjour,",
    `Nous avons effacé les données personnelles vous concernant, comme vous l'avez demandé (demande ${d.reference}). Chaque système a ensuite été interrogé de nouveau : il n'y reste que ce qui est indiqué comme conservé, pour le motif et jusqu'à la date indiqués.`,
    ...linesIn(d.lines, "fr"),
    "Votre certificat d'effacement est sur votre page de suivi, à télécharger et à conserver.",
    { link: d.statusLink, label: "Télécharger mon certificat" },
  ]);
}

/**
 * Art. 19, to a recipient of the data (a survey client such as Osiris): in
 * French, with no personal data — the recipient finds the person with the
 * reference through their usual channel with the DPO.
 */
export function recipientErasureNotice(d: { reference: string; recipient: string; operations: string[]; lines: Line[] }): Rendered {
  return render("fr", `Notification d'effacement (art. 19 RGPD) — référence ${d.reference}`, [
    `Madame, Monsieur (${d.recipient}),`,
    `Conformément à l'article 19 du RGPD, nous vous informons qu'une personne dont nous vous avons transmis des données dans le cadre des traitements ${d.operations.join(", ")} a obtenu l'effacement de ses données (article 17).`,
    `Merci d'effacer les données de cette personne que vous détenez et de nous le confirmer en répondant à ce message. Pour identifier la personne, contactez notre délégué à la protection des données en rappelant la référence ${d.reference}.`,
    ...linesIn(d.lines, "fr"),
  ]);
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

/** Art. 19, to a recipient: which fields were corrected, not their values (they ask the DPO with the reference). */
export function recipientRectificationNotice(d: { reference: string; recipient: string; operations: string[]; fields: string[] }): Rendered {
  return render("fr", `Notification de rectification (art. 19 RGPD) — référence ${d.reference}`, [
    `Madame, Monsieur (${d.recipient}),`,
    `Conformément à l'article 19 du RGPD, nous vous informons que des données d'une personne transmises dans le cadre des traitements ${d.operations.join(", ")} ont été rectifiées (article 16) : ${d.fields.join(", ")}.`,
    `Merci de mettre à jour vos propres fichiers. Pour obtenir les valeurs rectifiées, contactez notre délégué à la protection des données en rappelant la référence ${d.reference}.`,
  ]);
}

/** Art. 19, to a recipient: a person's data is restricted (Art. 18): store it, do not otherwise use it. */
export function recipientRestrictionNotice(d: { reference: string; recipient: string; operations: string[] }): Rendered {
  return render("fr", `Notification de limitation du traitement (art. 19 RGPD) — référence ${d.reference}`, [
    `Madame, Monsieur (${d.recipient}),`,
    `Conformément à l'article 19 du RGPD, nous vous informons que le traitement des données d'une personne transmises dans le cadre des traitements ${d.operations.join(", ")} est limité (article 18) : ces données ne peuvent plus qu'être conservées, sauf consentement de la personne ou constatation, exercice ou défense de droits en justice.`,
    `Merci d'appliquer la même limitation dans vos fichiers. Pour identifier la personne, contactez notre délégué à la protection des données en rappelant la référence ${d.reference}. Nous vous préviendrons quand la limitation sera levée.`,
  ]);
}
