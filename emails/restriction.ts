import type { Locale } from "../db/schema/enums";
import { businessFooter, render, type Rendered, type Sender, brand } from "./layout";

/**
 * Art. 18(3): a person who obtained a restriction is told before it is
 * lifted. This is that notice: it goes when the lift is scheduled, states the
 * date from which it may happen (the end of the notice period), and how to
 * object meanwhile. Nothing is unmarked before that date.
 */
export function restrictionLiftNotice(d: { reference: string; liftFrom: string; days: number; contact: string }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: the restriction of processing is to be lifted`, [
      "Hello,",
      `Following your request ${d.reference}, the processing of your personal data was restricted (Article 18 GDPR): your data were kept but no longer used.`,
      `As Article 18(3) GDPR requires, we are informing you before this restriction is lifted. It will not be lifted before ${d.liftFrom} (${d.days} days from this notice); from then on your data may again be processed for the purposes for which they were collected.`,
      `If you disagree, or if you object to the processing of your data (Article 21 GDPR), tell us before that date: from your follow-up page, by replying to this email, or by writing to our data protection officer at ${d.contact}, quoting ${d.reference}. The restriction then stays in force while we examine your objection.`,
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : levée prochaine de la limitation du traitement`, [
    "Bonjour,",
    `À la suite de votre demande ${d.reference}, le traitement de vos données personnelles a été limité (article 18 du RGPD) : vos données sont conservées mais ne sont plus utilisées.`,
    `Comme le prévoit l'article 18.3 du RGPD, nous vous informons avant la levée de cette limitation. Elle ne sera pas levée avant le ${d.liftFrom} (${d.days} jours après cet avis) ; vos données pourront ensuite de nouveau être traitées pour les finalités pour lesquelles elles ont été collectées.`,
    `Si vous n'êtes pas d'accord, ou si vous vous opposez au traitement de vos données (article 21 du RGPD), dites-le-nous avant cette date : depuis votre page de suivi, en répondant à ce courriel ou en écrivant à notre délégué à la protection des données, ${d.contact}, en rappelant la référence ${d.reference}. La limitation reste alors en vigueur le temps d'examiner votre opposition.`,
  ]);
}

/** The same notice by SMS, with a link to the full letter. */
export function smsRestrictionLiftNotice(d: { reference: string; liftFrom: string; contact: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: the restriction obtained with request ${d.reference} will be lifted, not before ${d.liftFrom} (Art. 18(3) GDPR). To object: ${d.contact}. Letter: ${d.link}`
    : `${brand()} : la limitation obtenue par la demande ${d.reference} sera levée, pas avant le ${d.liftFrom} (art. 18.3 RGPD). Pour vous y opposer : ${d.contact}. Courrier : ${d.link}`;
}

/** The lift announced was stopped: the restriction stays in force. */
export function restrictionLiftStopped(d: { reference: string; objected: boolean }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: the restriction stays in force`, [
      "Hello,",
      d.objected
        ? `We have recorded your objection: the restriction of processing obtained with request ${d.reference} will not be lifted as announced and stays in force.`
        : `The restriction of processing obtained with request ${d.reference} will not be lifted as announced: it stays in force.`,
      "Should we plan to lift it later, we will tell you beforehand again.",
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : la limitation reste en vigueur`, [
    "Bonjour,",
    d.objected
      ? `Nous avons enregistré votre opposition : la limitation du traitement obtenue par la demande ${d.reference} ne sera pas levée comme annoncé et reste en vigueur.`
      : `La limitation du traitement obtenue par la demande ${d.reference} ne sera pas levée comme annoncé : elle reste en vigueur.`,
    "Si nous envisagions de la lever plus tard, nous vous préviendrions de nouveau auparavant.",
  ]);
}

export function smsRestrictionLiftStopped(d: { reference: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: the restriction obtained with request ${d.reference} stays in force; it will not be lifted as announced.`
    : `${brand()} : la limitation obtenue par la demande ${d.reference} reste en vigueur ; elle ne sera pas levée comme annoncé.`;
}

/**
 * After the lift: where it was lifted, from what happened — by RightsDesk in
 * the systems that mark records, by our staff in the others.
 */
export function restrictionLiftDone(d: { reference: string; lifted: string[]; byHand: string[] }, locale: Locale): Rendered {
  const list = (xs: string[]) => xs.map((x) => `• ${x}`).join("\n");
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: restriction of processing lifted`, [
      "Hello,",
      `As announced, the restriction of processing obtained with request ${d.reference} has been lifted.`,
      ...(d.lifted.length ? [`Lifted in these systems:\n${list(d.lifted)}`] : []),
      ...(d.byHand.length ? [`Lifted by our staff by hand in these systems, which cannot mark records themselves:\n${list(d.byHand)}`] : []),
      "You may still object to the processing of your data at any time (Article 21 GDPR).",
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : limitation du traitement levée`, [
    "Bonjour,",
    `Comme annoncé, la limitation du traitement obtenue par la demande ${d.reference} a été levée.`,
    ...(d.lifted.length ? [`Levée dans ces systèmes :\n${list(d.lifted)}`] : []),
    ...(d.byHand.length ? [`Levée à la main par notre équipe dans ces systèmes, qui ne savent pas marquer les données eux-mêmes :\n${list(d.byHand)}`] : []),
    "Vous pouvez toujours vous opposer au traitement de vos données (article 21 du RGPD).",
  ]);
}

export function smsRestrictionLiftDone(d: { reference: string; link: string }, locale: Locale): string {
  return locale === "en"
    ? `${brand()}: the restriction obtained with request ${d.reference} has been lifted. Details: ${d.link}`
    : `${brand()} : la limitation obtenue par la demande ${d.reference} a été levée. Détails : ${d.link}`;
}

/** Art. 19: a recipient told of a restriction is told it was lifted. */
export function recipientRestrictionLiftedNotice(d: { reference: string; recipient: string; records: string[]; sender: Sender }): Rendered {
  return render(
    "fr",
    `Levée de la limitation du traitement (art. 19 RGPD) — référence ${d.reference}`,
    [
      `Madame, Monsieur (${d.recipient}),`,
      `Conformément à l'article 19 du RGPD, nous vous informons que la limitation du traitement que nous vous avions notifiée sous la référence ${d.reference} est levée pour ${d.records.length > 1 ? `les ${d.records.length} fiches suivantes` : "la fiche suivante"} : ces données peuvent de nouveau être traitées pour les finalités prévues.`,
      ...d.records,
      `Pour toute question, contactez notre délégué à la protection des données en rappelant la référence ${d.reference}.`,
    ],
    { footer: businessFooter(d.sender) },
  );
}

/**
 * Art. 18: the person is told where the restriction now applies, and where it
 * could not be applied (a system that cannot mark records, one that failed),
 * from what the systems answered.
 */
export function restrictionApplied(d: { reference: string; applied: string[]; byHand: string[]; failed: string[] }, locale: Locale): Rendered {
  const list = (xs: string[]) => xs.map((x) => `• ${x}`).join("\n");
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: processing restricted`, [
      "Hello,",
      `As you asked in request ${d.reference} (Article 18 GDPR), your data is now kept but no longer used in these systems:`,
      ...(d.applied.length ? [list(d.applied)] : ["• none yet"]),
      ...(d.byHand.length ? [`These systems cannot mark records themselves; our staff restrict your data there by hand:\n${list(d.byHand)}`] : []),
      ...(d.failed.length ? [`These systems could not be reached; we will try again and tell you:\n${list(d.failed)}`] : []),
      "We will tell you before the restriction is lifted.",
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : traitement limité`, [
    "Bonjour,",
    `Comme vous l'avez demandé (demande ${d.reference}, article 18 du RGPD), vos données sont désormais conservées mais ne sont plus utilisées dans ces systèmes :`,
    ...(d.applied.length ? [list(d.applied)] : ["• aucun pour l'instant"]),
    ...(d.byHand.length ? [`Ces systèmes ne savent pas marquer les données eux-mêmes ; notre équipe y limite vos données à la main :\n${list(d.byHand)}`] : []),
    ...(d.failed.length ? [`Ces systèmes n'ont pas pu être joints ; nous réessaierons et vous tiendrons informé(e) :\n${list(d.failed)}`] : []),
    "Nous vous préviendrons avant de lever cette limitation.",
  ]);
}
