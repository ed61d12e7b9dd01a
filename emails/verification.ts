import type { Locale } from "../db/schema/enums";
import { render, type Rendered } from "./layout";

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
