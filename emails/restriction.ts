import type { Locale } from "../db/schema/enums";
import { render, type Rendered } from "./layout";

/**
 * Art. 18(3): a person who obtained a restriction is told before it is
 * lifted. This message is that notice; it is committed to the outbox before
 * any system is asked to lift the restriction.
 */
export function restrictionLifted(d: { reference: string }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Your request ${d.reference}: the restriction of processing is being lifted`, [
      "Hello,",
      `Following your request ${d.reference}, the processing of your personal data was restricted (Article 18 GDPR): your data were kept but no longer used.`,
      "As Article 18(3) GDPR requires, we are informing you before this restriction is lifted: from now on your data may again be processed for the purposes for which they were collected.",
      `If you disagree, reply to this email quoting ${d.reference}; you may also object to the processing of your data (Article 21 GDPR).`,
    ]);
  }
  return render("fr", `Votre demande ${d.reference} : levée de la limitation du traitement`, [
    "Bonjour,",
    `À la suite de votre demande ${d.reference}, le traitement de vos données personnelles avait été limité (article 18 du RGPD) : vos données étaient conservées mais n'étaient plus utilisées.`,
    "Comme le prévoit l'article 18.3 du RGPD, nous vous informons avant la levée de cette limitation : vos données pourront de nouveau être traitées pour les finalités pour lesquelles elles ont été collectées.",
    `Si vous n'êtes pas d'accord, répondez à ce courriel en rappelant la référence ${d.reference} ; vous pouvez aussi vous opposer au traitement de vos données (article 21 du RGPD).`,
  ]);
}

/** The same notice by SMS, for a requester who gave no email address. */
export function smsRestrictionLifted(d: { reference: string }, locale: Locale): string {
  return locale === "en"
    ? `CentreCall: the restriction of processing obtained with request ${d.reference} is being lifted (Art. 18(3) GDPR). To disagree, write to dpo@centrecall.example.`
    : `CentreCall : la limitation du traitement obtenue par la demande ${d.reference} va être levée (art. 18.3 RGPD). Pour vous y opposer : dpo@centrecall.example.`;
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
