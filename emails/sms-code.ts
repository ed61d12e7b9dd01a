import type { Locale } from "../db/schema/enums";
import { render } from "./layout";

/** SMS are short, plain and carry no personal data besides the code. */
export function smsCode(d: { code: string; reference: string; ttlMinutes: number }, locale: Locale): { text: string } {
  return locale === "en"
    ? { text: `CentreCall: your code to confirm request ${d.reference} is ${d.code}. Valid ${d.ttlMinutes} min. Never share it.` }
    : { text: `CentreCall : votre code pour confirmer la demande ${d.reference} est ${d.code}. Valable ${d.ttlMinutes} min. Ne le communiquez à personne.` };
}

export function smsStatusLink(d: { link: string; reference: string }, locale: Locale): { text: string } {
  return locale === "en"
    ? { text: `CentreCall: follow your request ${d.reference} here: ${d.link}` }
    : { text: `CentreCall : suivez votre demande ${d.reference} ici : ${d.link}` };
}

export function smsAcknowledgement(d: { reference: string; dueOn: string; statusLink: string }, locale: Locale): { text: string } {
  const [y, m, day] = d.dueOn.split("-");
  return locale === "en"
    ? { text: `CentreCall: request ${d.reference} confirmed. Answer by ${day}/${m}/${y} at the latest. Follow it: ${d.statusLink}` }
    : { text: `CentreCall : demande ${d.reference} confirmée. Réponse au plus tard le ${day}/${m}/${y}. Suivi : ${d.statusLink}` };
}

/** The code a call-centre agent asks the caller to read back, when sent by email. */
export function agentCode(d: { code: string; reference: string; ttlMinutes: number }, locale: Locale) {
  return locale === "en"
    ? render("en", `Your confirmation code for request ${d.reference}`, [
        "Hello,",
        `Your code to confirm request ${d.reference} is: ${d.code}`,
        `Read it to the CentreCall agent you are speaking with. It is valid for ${d.ttlMinutes} minutes. Never share it with anyone else.`,
      ])
    : render("fr", `Votre code de confirmation pour la demande ${d.reference}`, [
        "Bonjour,",
        `Votre code pour confirmer la demande ${d.reference} est : ${d.code}`,
        `Communiquez-le à l'agent de CentreCall avec qui vous êtes en ligne. Il est valable ${d.ttlMinutes} minutes. Ne le donnez à personne d'autre.`,
      ]);
}
