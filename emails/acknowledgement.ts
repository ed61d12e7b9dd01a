import type { Locale, Right } from "../db/schema/enums";
import { catalogues, formatLocalDate } from "../app/i18n";
import { render, type Rendered } from "./layout";

export function acknowledgement(
  d: { reference: string; rights: Right[]; receivedOn: string; dueOn: string; statusLink: string },
  locale: Locale,
): Rendered {
  const rights = d.rights.map((r) => `• ${catalogues[locale].rights[r]}`).join("\n");
  const received = formatLocalDate(d.receivedOn, locale);
  const due = formatLocalDate(d.dueOn, locale);
  if (locale === "en") {
    return render("en", `We have received your request ${d.reference}`, [
      "Hello,",
      `Thank you: your identity is confirmed and your request ${d.reference}, received on ${received}, is now with our data protection officer.`,
      `You asked for:\n${rights}`,
      `We will answer by ${due} at the latest (one month, Article 12(3) GDPR). If your request is complex we may extend this by two months; we would tell you before that date, with the reasons.`,
      { link: d.statusLink, label: "Follow my request" },
    ]);
  }
  return render("fr", `Nous avons bien reçu votre demande ${d.reference}`, [
    "Bonjour,",
    `Merci : votre identité est confirmée et votre demande ${d.reference}, reçue le ${received}, est transmise à notre délégué à la protection des données.`,
    `Vous avez demandé :\n${rights}`,
    `Nous vous répondrons au plus tard le ${due} (un mois, article 12.3 du RGPD). Si votre demande est complexe, ce délai peut être prolongé de deux mois ; nous vous le dirions avant cette date, avec les raisons.`,
    { link: d.statusLink, label: "Suivre ma demande" },
  ]);
}
