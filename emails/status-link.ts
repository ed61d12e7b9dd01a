import type { Locale } from "../db/schema/enums";
import { render, type Rendered } from "./layout";

export function statusLink(d: { link: string; reference: string; ttlDays: number }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Follow your request ${d.reference}`, [
      "Hello,",
      `Here is your personal link to follow request ${d.reference}. It works once, within ${d.ttlDays} days; do not forward it. To come back later, ask for a new link on the follow-up page.`,
      { link: d.link, label: "Follow my request" },
      "If you did not ask for this link, you can ignore this message.",
    ]);
  }
  return render("fr", `Suivre votre demande ${d.reference}`, [
    "Bonjour,",
    `Voici votre lien personnel pour suivre la demande ${d.reference}. Il ne sert qu'une fois, dans les ${d.ttlDays} jours ; ne le transférez pas. Pour revenir plus tard, demandez un nouveau lien sur la page de suivi.`,
    { link: d.link, label: "Suivre ma demande" },
    "Si vous n'avez pas demandé ce lien, vous pouvez ignorer ce message.",
  ]);
}
