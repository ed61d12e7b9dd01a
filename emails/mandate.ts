import { catalogues } from "../app/i18n";
import type { Locale, Right } from "../db/schema/enums";
import { render, type Rendered, brand } from "./layout";

/**
 * To the person represented, at their own address: someone asked, with a
 * mandate, to exercise their rights; following the link confirms the
 * address is theirs, and only then is it searched (CNIL 2021-070).
 */
export function subjectConfirmation(d: { reference: string; representative: string; rights: Right[]; link: string }, locale: Locale): Rendered {
  const rights = d.rights.map((r) => `• ${catalogues[locale].rights[r]}`).join("\n");
  if (locale === "en") {
    return render("en", `A request made on your behalf: ${d.reference}`, [
      "Hello,",
      `${d.representative} has asked ${brand()}, with a mandate, to exercise these rights on your behalf (request ${d.reference}):`,
      rights,
      "We search for your data only with contact details you confirm. If this address is yours and you agree, confirm it:",
      { link: d.link, label: "Confirm this address" },
      "If you did not give this mandate, do not follow the link, and tell our data protection officer at dpo@centrecall.example.",
    ]);
  }
  return render("fr", `Une demande faite en votre nom : ${d.reference}`, [
    "Bonjour,",
    `${d.representative} a demandé à ${brand()}, avec un mandat, d'exercer en votre nom les droits suivants (demande ${d.reference}) :`,
    rights,
    "Nous ne recherchons vos données qu'avec des coordonnées que vous confirmez. Si cette adresse est la vôtre et que vous êtes d'accord, confirmez-la :",
    { link: d.link, label: "Confirmer cette adresse" },
    "Si vous n'avez pas donné ce mandat, ne suivez pas le lien et prévenez notre délégué à la protection des données : dpo@centrecall.example.",
  ]);
}

export function smsSubjectConfirmation(d: { reference: string; representative: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: ${d.representative} made request ${d.reference} on your behalf. Confirm this number if you agree: ${d.link}`
    : `${brand()} : ${d.representative} a fait la demande ${d.reference} en votre nom. Si vous êtes d'accord, confirmez ce numéro : ${d.link}`;
}

/** To the representative: the mandate was not accepted, and why. */
export function mandateRejected(d: { reference: string; reason: string }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: mandate not accepted`, [
      "Hello,",
      `We cannot act on request ${d.reference} on behalf of the person you represent: we could not accept the mandate, for this reason:`,
      d.reason,
      "You may file a new request with a mandate that states the person represented, the rights exercised, its duration, the data concerned and who receives the answer, signed by the person. The person may also file the request themselves.",
      "You have the right to lodge a complaint with the CNIL (www.cnil.fr) and to seek a judicial remedy.",
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : mandat non accepté`, [
    "Bonjour,",
    `Nous ne pouvons pas donner suite à la demande ${d.reference} au nom de la personne que vous représentez : nous n'avons pas pu accepter le mandat, pour le motif suivant :`,
    d.reason,
    "Vous pouvez déposer une nouvelle demande avec un mandat qui indique la personne représentée, les droits exercés, sa durée, les données concernées et le destinataire de la réponse, signé par la personne. Celle-ci peut aussi faire la demande elle-même.",
    "Vous pouvez introduire une réclamation auprès de la CNIL (www.cnil.fr) et former un recours juridictionnel.",
  ]);
}
