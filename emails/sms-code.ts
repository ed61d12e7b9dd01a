import type { Locale } from "../db/schema/enums";
import { render, brand } from "./layout";

/** SMS are short, plain and carry no personal data besides the code. */
export function smsCode(d: { code: string; reference: string; ttlMinutes: number }, locale: Locale): { text: string } {
  return locale === "en"
    ? { text: `${brand()}: your code to confirm request ${d.reference} is ${d.code}. Valid ${d.ttlMinutes} min. Never share it.` }
    : { text: `${brand()} : votre code pour confirmer la demande ${d.reference} est ${d.code}. Valable ${d.ttlMinutes} min. Ne le communiquez à personne.` };
}

export function smsStatusLink(d: { link: string; reference: string }, locale: Locale): { text: string } {
  return locale === "en"
    ? { text: `${brand()}: follow your request ${d.reference} here: ${d.link}` }
    : { text: `${brand()} : suivez votre demande ${d.reference} ici : ${d.link}` };
}

export function smsAcknowledgement(d: { reference: string; dueOn: string; statusLink: string }, locale: Locale): { text: string } {
  const [y, m, day] = d.dueOn.split("-");
  return locale === "en"
    ? { text: `${brand()}: request ${d.reference} confirmed. Answer by ${day}/${m}/${y} at the latest. Follow it: ${d.statusLink}` }
    : { text: `${brand()} : demande ${d.reference} confirmée. Réponse au plus tard le ${day}/${m}/${y}. Suivi : ${d.statusLink}` };
}

/** The code a call-centre agent asks the caller to read back, when sent by email. */
export function agentCode(d: { code: string; reference: string; ttlMinutes: number }, locale: Locale) {
  return locale === "en"
    ? render("en", `Your confirmation code for request ${d.reference}`, [
        "Hello,",
        `Your code to confirm request ${d.reference} is: ${d.code}`,
        `Read it to the ${brand()} agent you are speaking with. It is valid for ${d.ttlMinutes} minutes. Never share it with anyone else.`,
      ])
    : render("fr", `Votre code de confirmation pour la demande ${d.reference}`, [
        "Bonjour,",
        `Votre code pour confirmer la demande ${d.reference} est : ${d.code}`,
        `Communiquez-le à l'agent de ${brand()} avec qui vous êtes en ligne. Il est valable ${d.ttlMinutes} minutes. Ne le donnez à personne d'autre.`,
      ]);
}

/**
 * A postal request's proof of address: the code goes by letter to the address
 * given; the person calls us or writes back with it. Until then nothing is
 * searched and nothing is sent there but this letter.
 */
export function postalCode(d: { code: string; reference: string; days: number }, locale: Locale) {
  return locale === "en"
    ? render("en", `Confirm your request ${d.reference}`, [
        "Hello,",
        `We have received your request ${d.reference}. To make sure that our answer reaches you and nobody else, please confirm it with this code: ${d.code}`,
        `Call us on 02 47 60 00 00 (Monday to Friday, 9 am to 5 pm) and give the reference and the code, or write it on this letter and send it back to the address above. The code is valid for ${d.days} days.`,
        "While we wait for the code, the one-month time limit for our answer is suspended.",
      ])
    : render("fr", `Confirmez votre demande ${d.reference}`, [
        "Madame, Monsieur,",
        `Nous avons bien reçu votre demande ${d.reference}. Pour être sûrs que notre réponse vous parvienne, à vous et à personne d'autre, confirmez-la avec ce code : ${d.code}`,
        `Appelez-nous au 02 47 60 00 00 (du lundi au vendredi, de 9 h à 17 h) en donnant la référence et le code, ou inscrivez-le sur ce courrier et renvoyez-le à l'adresse ci-dessus. Le code est valable ${d.days} jours.`,
        "En attendant le code, le délai d'un mois pour vous répondre est suspendu.",
      ]);
}

/** What expired unsent, and so where the person gets a new one. */
export type ExpiredKind = "web_code" | "web_link" | "agent_code" | "download_link";

export function expiredKind(template: string): ExpiredKind {
  if (template === "verification" || template === "verification_reminder") return "web_link";
  if (template === "agent_code") return "agent_code";
  if (template.includes("download_link")) return "download_link";
  return "web_code";
}

/**
 * A code (or a link) that expired before we could send it, because the SMS
 * gateway or the mail server was down: it is never sent late; this notice
 * goes instead, saying where to get a new one for this kind of message.
 */
export function expiredNotice(d: { reference: string; kind: ExpiredKind }, locale: Locale) {
  const link = d.kind === "web_link" || d.kind === "download_link";
  const en = locale === "en";
  const what = link ? (en ? "link" : "lien") : "code";
  const where = {
    web_code: en
      ? 'Ask for a new one on the page where you made your request, or with "Follow a request" on our site (your reference and mobile number).'
      : "Demandez-en un nouveau sur la page où vous avez fait votre demande, ou avec « Suivre une demande » sur notre site (votre référence et votre numéro de portable).",
    web_link: en
      ? 'Ask for a new one with "Follow a request" on our site (your reference and email address).'
      : "Demandez-en un nouveau avec « Suivre une demande » sur notre site (votre référence et votre adresse électronique).",
    agent_code: en
      ? `Call us back: the ${brand()} agent who takes your call will send you a new one.`
      : `Rappelez-nous : l'agent de ${brand()} qui prendra votre appel vous en enverra un nouveau.`,
    download_link: en
      ? "Ask for a new one from your request's status page."
      : "Demandez-en un nouveau depuis la page de suivi de votre demande.",
  }[d.kind];
  const m = en
    ? render("en", `Request ${d.reference}: please ask for a new ${what}`, ["Hello,", `We could not send you the ${what} for request ${d.reference} in time, and it has expired. ${where}`])
    : render("fr", `Demande ${d.reference} : demandez un nouveau ${what}`, ["Bonjour,", `Nous n'avons pas pu vous envoyer à temps le ${what} de la demande ${d.reference}, et il a expiré. ${where}`]);
  const sms = en
    ? `${brand()}: the ${what} for request ${d.reference} expired before we could send it. ${where}`
    : `${brand()} : le ${what} de la demande ${d.reference} a expiré avant de pouvoir vous être envoyé. ${where}`;
  return { subject: m.subject, text: m.text, html: m.html, sms };
}
