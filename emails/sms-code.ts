import type { Locale } from "../db/schema/enums";

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
