import { catalogues, formatLocalDate } from "../app/i18n";
import type { Locale, RefusalReason } from "../db/schema/enums";
import { render, type Rendered } from "./layout";

/** The CNIL and court wording every refusal must carry (GDPR Art. 12(4)). */
const REMEDIES: Record<Locale, string> = {
  fr: "Vous avez le droit d'introduire une réclamation auprès de la Commission nationale de l'informatique et des libertés (CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) et de former un recours juridictionnel devant le tribunal compétent.",
  en: "You have the right to lodge a complaint with the Commission nationale de l'informatique et des libertés (CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) and to seek a judicial remedy before the competent court.",
};

export function infoRequest(d: { reference: string; question: string; link: string; ttlDays: number }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `We need information about your request ${d.reference}`, [
      "Hello,",
      `To handle your request ${d.reference} we need the following information from you:`,
      d.question,
      { link: d.link, label: "Reply to this question" },
      `While we wait for your reply the one-month time limit is suspended; it resumes as soon as you answer. The link is valid for ${d.ttlDays} days.`,
    ]);
  }
  return render("fr", `Précisions nécessaires pour votre demande ${d.reference}`, [
    "Bonjour,",
    `Pour traiter votre demande ${d.reference}, nous avons besoin des précisions suivantes :`,
    d.question,
    { link: d.link, label: "Répondre à cette question" },
    `En attendant votre réponse, le délai d'un mois est suspendu ; il reprend dès que vous répondez. Le lien est valable ${d.ttlDays} jours.`,
  ]);
}

export function extensionNotice(d: { reference: string; reasons: string; dueOn: string }, locale: Locale): Rendered {
  const due = formatLocalDate(d.dueOn, locale);
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: time limit extended`, [
      "Hello,",
      `Under Article 12(3) GDPR we are extending the time limit for answering your request ${d.reference} by two months, for the following reasons:`,
      d.reasons,
      `We will answer by ${due} at the latest.`,
      REMEDIES.en,
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : délai prolongé`, [
    "Bonjour,",
    `En application de l'article 12.3 du RGPD, nous prolongeons de deux mois le délai de réponse à votre demande ${d.reference}, pour les raisons suivantes :`,
    d.reasons,
    `Nous vous répondrons au plus tard le ${due}.`,
    REMEDIES.fr,
  ]);
}

export function refusalNotice(d: { reference: string; reasons: RefusalReason[]; text: string }, locale: Locale): Rendered {
  const grounds = d.reasons.map((r) => `• ${catalogues[locale].admin.refusalReasons[r]}`).join("\n");
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: our answer`, [
      "Hello,",
      `We cannot act on your request ${d.reference}, on the following grounds:`,
      grounds,
      d.text,
      REMEDIES.en,
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : notre réponse`, [
    "Bonjour,",
    `Nous ne pouvons pas donner suite à votre demande ${d.reference}, pour les motifs suivants :`,
    grounds,
    d.text,
    REMEDIES.fr,
  ]);
}

export function closingNotice(d: { reference: string; outcome: "completed" | "cancelled" | "duplicate"; duplicateOf?: string }, locale: Locale): Rendered {
  const fr = {
    completed: `Votre demande ${d.reference} est traitée et close. Si la réponse ne vous satisfait pas, vous pouvez nous écrire ou saisir la CNIL.`,
    cancelled: `Comme vous nous l'avez demandé, votre demande ${d.reference} est annulée.`,
    duplicate: `Votre demande ${d.reference} fait double emploi avec la demande ${d.duplicateOf ?? ""}, que nous traitons : vous recevrez une seule réponse.`,
  };
  const en = {
    completed: `Your request ${d.reference} has been handled and closed. If you are not satisfied with the answer, write to us or contact the CNIL.`,
    cancelled: `As you asked, your request ${d.reference} is cancelled.`,
    duplicate: `Your request ${d.reference} duplicates request ${d.duplicateOf ?? ""}, which we are handling: you will receive one answer.`,
  };
  return locale === "en"
    ? render("en", `Your request ${d.reference}`, ["Hello,", en[d.outcome]])
    : render("fr", `Votre demande ${d.reference}`, ["Bonjour,", fr[d.outcome]]);
}
