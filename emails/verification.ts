import type { Locale } from "../db/schema/enums";
import { formatLocalDate } from "../app/i18n";
import { brand, render, type Rendered } from "./layout";

export function verification(d: { link: string; reference: string; ttlHours: number }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Confirm your request ${d.reference}`, [
      "Hello,",
      `We have received a request about your personal data, reference ${d.reference}. To protect your data, we handle it only once you confirm it comes from you.`,
      { link: d.link, label: "Confirm my request" },
      `This link works once and for ${d.ttlHours} hours. Until you confirm, the one-month time limit is suspended.`,
      "If you did not make this request, ignore this message: nothing will happen and it will expire by itself.",
    ]);
  }
  return render("fr", `Confirmez votre demande ${d.reference}`, [
    "Bonjour,",
    `Nous avons reçu une demande concernant vos données personnelles, sous la référence ${d.reference}. Pour protéger vos données, nous ne la traitons qu'une fois que vous avez confirmé qu'elle vient bien de vous.`,
    { link: d.link, label: "Confirmer ma demande" },
    `Ce lien fonctionne une seule fois, pendant ${d.ttlHours} heures. Tant que vous n'avez pas confirmé, le délai d'un mois est suspendu.`,
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : il ne se passera rien et elle expirera d'elle-même.",
  ]);
}

/**
 * The one reminder to a person who filed and has not confirmed: a fresh link,
 * the day the request lapses, and what lapsing means. Sent only to the
 * address given at filing, which is where the first link went.
 */
export function verificationReminder(d: { link: string; reference: string; filedOn: string; lapsesOn: string; ttlHours: number }, locale: Locale): Rendered {
  const filed = formatLocalDate(d.filedOn, locale);
  const lapses = formatLocalDate(d.lapsesOn, locale);
  if (locale === "en") {
    return render("en", `Reminder: confirm your request ${d.reference}`, [
      "Hello,",
      `On ${filed} we received a request about your personal data, reference ${d.reference}. It has not been confirmed yet, so we have not started handling it.`,
      { link: d.link, label: "Confirm my request" },
      `This new link works once and for ${d.ttlHours} hours. Without confirmation, the request will lapse on ${lapses}: it will be closed without any action and the details given in it deleted.`,
      "If you did not make this request, ignore this message: nothing will happen. We will not remind you again.",
    ]);
  }
  return render("fr", `Rappel : confirmez votre demande ${d.reference}`, [
    "Bonjour,",
    `Le ${filed}, nous avons reçu une demande concernant vos données personnelles, sous la référence ${d.reference}. Elle n'est pas encore confirmée : nous n'avons donc pas commencé à la traiter.`,
    { link: d.link, label: "Confirmer ma demande" },
    `Ce nouveau lien fonctionne une seule fois, pendant ${d.ttlHours} heures. Sans confirmation, la demande expirera le ${lapses} : elle sera close sans suite et les coordonnées indiquées seront effacées.`,
    "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : il ne se passera rien. Nous ne vous relancerons pas.",
  ]);
}

/** The same reminder by SMS: a new code, where to type it, the lapse date. */
export function smsVerificationReminder(d: { code: string; reference: string; lapsesOn: string; ttlMinutes: number; followLink: string }, locale: Locale): { text: string } {
  const [y, m, day] = d.lapsesOn.split("-");
  return locale === "en"
    ? { text: `${brand()}: request ${d.reference} is not confirmed yet. Code ${d.code}, valid ${d.ttlMinutes} min, to type on the page where you filed it; or ask for a new code: ${d.followLink}. Without confirmation it lapses on ${day}/${m}/${y}.` }
    : { text: `${brand()} : la demande ${d.reference} n'est pas encore confirmée. Code ${d.code}, valable ${d.ttlMinutes} min, à saisir sur la page où vous l'avez déposée ; ou demandez un nouveau code : ${d.followLink}. Sans confirmation, elle expirera le ${day}/${m}/${y}.` };
}

/**
 * The request lapsed unconfirmed: what happened (nothing), what is kept and
 * until when (retention deletes the identity of a lapsed request after
 * UNVERIFIED_PURGE_GRACE_DAYS), and how to file again.
 */
export function unconfirmedLapsed(d: { reference: string; filedOn: string; lapsedOn: string; purgeOn: string; fileLink: string }, locale: Locale): Rendered {
  const filed = formatLocalDate(d.filedOn, locale);
  const lapsed = formatLocalDate(d.lapsedOn, locale);
  const purge = formatLocalDate(d.purgeOn, locale);
  if (locale === "en") {
    return render("en", `Your request ${d.reference} has lapsed`, [
      "Hello,",
      `The request filed on ${filed} under reference ${d.reference} was not confirmed by ${lapsed}. It has therefore lapsed: nothing was done with it, and no system was searched for your data.`,
      `The names, contact details and text given in it will be deleted on ${purge} at the latest. We keep only its reference, dates and history, as a record that it was filed, and a one-way fingerprint of the contact details from which they cannot be read back.`,
      "You may still exercise your rights: file a new request and confirm it with the link or code we then send you.",
      { link: d.fileLink, label: "File a new request" },
    ]);
  }
  return render("fr", `Votre demande ${d.reference} a expiré`, [
    "Bonjour,",
    `La demande déposée le ${filed} sous la référence ${d.reference} n'a pas été confirmée au ${lapsed}. Elle a donc expiré : nous n'en avons rien fait, et vos données n'ont été recherchées dans aucun de nos systèmes.`,
    `Les noms, coordonnées et textes qui y étaient indiqués seront effacés au plus tard le ${purge}. Nous ne gardons que sa référence, ses dates et son historique, pour mémoire, et une empreinte des coordonnées qui ne permet pas de les retrouver.`,
    "Vous pouvez toujours exercer vos droits : déposez une nouvelle demande et confirmez-la avec le lien ou le code que nous vous enverrons.",
    { link: d.fileLink, label: "Déposer une nouvelle demande" },
  ]);
}

export function smsUnconfirmedLapsed(d: { reference: string; purgeOn: string; fileLink: string }, locale: Locale): { text: string } {
  const [y, m, day] = d.purgeOn.split("-");
  return locale === "en"
    ? { text: `${brand()}: request ${d.reference} was not confirmed and has lapsed; nothing was done with it. Its details will be deleted by ${day}/${m}/${y}. To file again: ${d.fileLink}` }
    : { text: `${brand()} : la demande ${d.reference} n'a pas été confirmée et a expiré ; nous n'en avons rien fait. Ses coordonnées seront effacées au plus tard le ${day}/${m}/${y}. Pour la déposer de nouveau : ${d.fileLink}` };
}
