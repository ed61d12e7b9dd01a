import { catalogues, formatLocalDate } from "../app/i18n";
import { controllerPartText, type ControllerPart } from "./referrals";
import type { Locale, RefusalReason } from "../db/schema/enums";
import { render, type Rendered, brand } from "./layout";

/** The CNIL and court wording every refusal must carry (GDPR Art. 12(4)). */
const REMEDIES: Record<Locale, string> = {
  fr: "Vous avez le droit d'introduire une réclamation auprès de la Commission nationale de l'informatique et des libertés (CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) et de former un recours juridictionnel devant le tribunal compétent.",
  en: "You have the right to lodge a complaint with the Commission nationale de l'informatique et des libertés (CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr) and to seek a judicial remedy before the competent court.",
};

export function infoRequest(d: { reference: string; question: string; link: string; ttlDays: number; closeDays: number }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `We need information about your request ${d.reference}`, [
      "Hello,",
      `To handle your request ${d.reference} we need the following information from you:`,
      d.question,
      { link: d.link, label: "Reply to this question" },
      `While we wait for your reply the one-month time limit is suspended; it resumes as soon as you answer. You can also reply by post or by phone, quoting ${d.reference}.`,
      `Without a reply within ${d.closeDays} days we will remind you once, then close the request; you could file it again at any time.`,
    ]);
  }
  return render("fr", `Précisions nécessaires pour votre demande ${d.reference}`, [
    "Bonjour,",
    `Pour traiter votre demande ${d.reference}, nous avons besoin des précisions suivantes :`,
    d.question,
    { link: d.link, label: "Répondre à cette question" },
    `En attendant votre réponse, le délai d'un mois est suspendu ; il reprend dès que vous répondez. Vous pouvez aussi répondre par courrier ou par téléphone en rappelant la référence ${d.reference}.`,
    `Sans réponse de votre part dans les ${d.closeDays} jours, nous vous relancerons une fois, puis nous clôturerons la demande ; vous pourrez la déposer de nouveau à tout moment.`,
  ]);
}

export function smsInfoRequest(d: { reference: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: we need information to handle request ${d.reference}. Question and reply: ${d.link}`
    : `${brand()} : précisions nécessaires pour la demande ${d.reference}. Question et réponse : ${d.link}`;
}

export function infoReminder(d: { reference: string; question: string; link: string; closeOn: string }, locale: Locale): Rendered {
  const on = formatLocalDate(d.closeOn, locale);
  if (locale === "en") {
    return render("en", `Reminder: we still need information about your request ${d.reference}`, [
      "Hello,",
      `Fifteen days ago we asked you the following about your request ${d.reference}, and have not had your reply:`,
      d.question,
      { link: d.link, label: "Reply to this question" },
      `The time limit for our answer stays suspended until you reply. Without a reply by ${on}, we will close the request; you could file it again.`,
    ]);
  }
  return render("fr", `Rappel : précisions toujours nécessaires pour votre demande ${d.reference}`, [
    "Bonjour,",
    `Il y a quinze jours, nous vous avons demandé les précisions suivantes sur votre demande ${d.reference}, et nous n'avons pas reçu votre réponse :`,
    d.question,
    { link: d.link, label: "Répondre à cette question" },
    `Le délai de réponse reste suspendu jusqu'à votre réponse. Sans réponse de votre part le ${on} au plus tard, nous clôturerons la demande ; vous pourrez la déposer de nouveau.`,
  ]);
}

export function smsInfoReminder(d: { reference: string; link: string; closeOn: string }, locale: Locale): string {
  const [y, m, day] = d.closeOn.split("-");
  return locale === "en"
    ? `${brand()}: reminder, request ${d.reference} awaits your reply before ${day}/${m}/${y}: ${d.link}`
    : `${brand()} : rappel, la demande ${d.reference} attend votre réponse avant le ${day}/${m}/${y} : ${d.link}`;
}

export function closedNoReply(d: { reference: string; askedOn: string; days: number }, locale: Locale): Rendered {
  const asked = formatLocalDate(d.askedOn, locale);
  if (locale === "en") {
    return render("en", `Your request ${d.reference} is closed`, [
      "Hello,",
      `On ${asked} we asked you for information we needed to handle your request ${d.reference}, and reminded you once. We have had no reply in ${d.days} days, so we have closed the request without acting on it.`,
      "You may file the request again at any time, on our portal or with our staff.",
      REMEDIES.en,
    ]);
  }
  return render("fr", `Votre demande ${d.reference} est close`, [
    "Bonjour,",
    `Le ${asked}, nous vous avons demandé des précisions nécessaires pour traiter votre demande ${d.reference}, puis nous vous avons relancé une fois. Faute de réponse en ${d.days} jours, nous avons clôturé la demande sans y donner suite.`,
    "Vous pouvez la déposer de nouveau à tout moment, sur notre portail ou auprès de nos équipes.",
    REMEDIES.fr,
  ]);
}

export function smsClosedNoReply(d: { reference: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: request ${d.reference} closed, no reply to our question. Letter: ${d.link}`
    : `${brand()} : demande ${d.reference} close faute de réponse à notre question. Courrier : ${d.link}`;
}

export function smsExtension(d: { reference: string; dueOn: string; link: string }, locale: Locale): string {
  const [y, m, day] = d.dueOn.split("-");
  return locale === "en"
    ? `${brand()}: request ${d.reference} extended, answer by ${day}/${m}/${y}. Reasons: ${d.link}`
    : `${brand()} : demande ${d.reference} prolongée, réponse au plus tard le ${day}/${m}/${y}. Motifs : ${d.link}`;
}

export function smsRefusal(d: { reference: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: our answer to request ${d.reference}, with its grounds and your remedies: ${d.link}`
    : `${brand()} : notre réponse à la demande ${d.reference}, ses motifs et vos recours : ${d.link}`;
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
  const grounds = d.reasons.map((r) => `• ${catalogues[locale].refusalReasons[r]}`).join("\n");
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

/** What was done for the request, read from the ticket when it closes. */
export type Done = { kind: "archive_access" | "archive_portability" | "erasure" | "no_data" | "rectification" | "restriction" | "objection"; on: string };

function doneLine(x: Done, locale: Locale): string {
  const on = formatLocalDate(x.on, locale);
  const fr: Record<Done["kind"], string> = {
    archive_access: `le ${on}, nous avons mis à votre disposition une copie de vos données (droit d'accès) ;`,
    archive_portability: `le ${on}, nous avons mis à votre disposition les données que vous nous avez fournies (portabilité) ;`,
    erasure: `le ${on}, nous avons effacé vos données et vous avons remis le certificat qui dit, système par système, ce qui a été effacé et ce qui est conservé ;`,
    no_data: `le ${on}, nous vous avons répondu que nous ne détenons aucune donnée vous concernant dans les systèmes interrogés ;`,
    rectification: `le ${on}, nous avons rectifié vos données et vérifié les nouvelles valeurs ;`,
    restriction: `le ${on}, nous avons limité le traitement de vos données ;`,
    objection: `le ${on}, nous avons inscrit votre opposition sur notre liste d'opposition ;`,
  };
  const en: Record<Done["kind"], string> = {
    archive_access: `on ${on}, we made a copy of your data available to you (right of access);`,
    archive_portability: `on ${on}, we made the data you provided available to you (portability);`,
    erasure: `on ${on}, we erased your data and gave you the certificate saying, system by system, what was erased and what is kept;`,
    no_data: `on ${on}, we told you that we hold no data about you in the systems searched;`,
    rectification: `on ${on}, we corrected your data and checked the new values;`,
    restriction: `on ${on}, we restricted the processing of your data;`,
    objection: `on ${on}, we put your objection on our suppression list;`,
  };
  return `• ${(locale === "en" ? en : fr)[x.kind]}`;
}

export function closingNotice(d: { reference: string; outcome: "completed" | "cancelled" | "duplicate"; duplicateOf?: string; done: Done[]; controllers?: ControllerPart[] }, locale: Locale): Rendered {
  if (d.outcome === "completed") {
    const parts = (lang: Locale) => (d.controllers ?? []).map((p) => controllerPartText(p, lang, "request"));
    const fr = d.done.length
      ? [`Votre demande ${d.reference} est close. Voici ce que nous avons fait :`, d.done.map((x) => doneLine(x, "fr")).join("\n")]
      : [`Votre demande ${d.reference} est close.`];
    const en = d.done.length
      ? [`Your request ${d.reference} is closed. This is what we did:`, d.done.map((x) => doneLine(x, "en")).join("\n")]
      : [`Your request ${d.reference} is closed.`];
    return locale === "en"
      ? render("en", `Your request ${d.reference} is closed`, ["Hello,", ...en, ...parts("en"), "If you are not satisfied with our answer, write to us quoting the reference.", REMEDIES.en])
      : render("fr", `Votre demande ${d.reference} est close`, ["Bonjour,", ...fr, ...parts("fr"), "Si notre réponse ne vous satisfait pas, écrivez-nous en rappelant la référence.", REMEDIES.fr]);
  }
  const fr = {
    cancelled: `Votre demande ${d.reference} est annulée. Vous pouvez en déposer une nouvelle à tout moment.`,
    duplicate: `Votre demande ${d.reference} fait double emploi avec la demande ${d.duplicateOf ?? ""}, que nous traitons : vous recevrez une seule réponse.`,
  };
  const en = {
    cancelled: `Your request ${d.reference} is cancelled. You may file a new one at any time.`,
    duplicate: `Your request ${d.reference} duplicates request ${d.duplicateOf ?? ""}, which we are handling: you will receive one answer.`,
  };
  return locale === "en"
    ? render("en", `Your request ${d.reference}`, ["Hello,", en[d.outcome]])
    : render("fr", `Votre demande ${d.reference}`, ["Bonjour,", fr[d.outcome]]);
}

export function smsClosing(d: { reference: string; outcome: "completed" | "cancelled" | "duplicate"; link: string }, locale: Locale): string {
  const what = { completed: ["close", "closed"], cancelled: ["annulée", "cancelled"], duplicate: ["regroupée avec une autre", "merged with another"] }[d.outcome];
  return locale === "en" ? `${brand()}: request ${d.reference} ${what[1]}. Letter: ${d.link}` : `${brand()} : demande ${d.reference} ${what[0]}. Courrier : ${d.link}`;
}
