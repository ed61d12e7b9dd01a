import { formatLocalDate } from "../app/i18n";
import type { Locale } from "../db/schema/enums";
import { brand, render, type Rendered } from "./layout";

export function archiveReady(d: { reference: string; kind: "access" | "portability"; expiresOn: string; statusLink: string }, locale: Locale): Rendered {
  const until = formatLocalDate(d.expiresOn, locale);
  if (locale === "en") {
    const what = d.kind === "access" ? `a copy of the data ${brand()} holds about you` : "the data you provided, in a machine-readable format";
    return render("en", `Your data is ready: request ${d.reference}`, [
      "Hello,",
      `The archive answering your request ${d.reference} is ready: ${what}.`,
      `To protect it, you download it from your follow-up page after confirming once more that it is you. It is available until ${until}, then deleted.`,
      { link: d.statusLink, label: "Go to my follow-up page" },
    ]);
  }
  const what = d.kind === "access" ? `une copie des données que ${brand()} détient sur vous` : "les données que vous nous avez fournies, dans un format lisible par une machine";
  return render("fr", `Vos données sont prêtes : demande ${d.reference}`, [
    "Bonjour,",
    `L'archive qui répond à votre demande ${d.reference} est prête : ${what}.`,
    `Pour la protéger, vous la téléchargez depuis votre page de suivi après avoir confirmé une nouvelle fois qu'il s'agit bien de vous. Elle est disponible jusqu'au ${until}, puis supprimée.`,
    { link: d.statusLink, label: "Aller à ma page de suivi" },
  ]);
}

export function downloadLink(d: { reference: string; link: string }, locale: Locale): Rendered {
  if (locale === "en") {
    return render("en", `Download link for request ${d.reference}`, [
      "Hello,",
      "Here is your download link. It works once, for 30 minutes.",
      { link: d.link, label: "Download my archive" },
      "If you did not ask for it, ignore this message: nothing will be sent to anyone else.",
    ]);
  }
  return render("fr", `Lien de téléchargement pour la demande ${d.reference}`, [
    "Bonjour,",
    "Voici votre lien de téléchargement. Il fonctionne une seule fois, pendant 30 minutes.",
    { link: d.link, label: "Télécharger mon archive" },
    "Si vous ne l'avez pas demandé, ignorez ce message : rien ne sera envoyé à personne d'autre.",
  ]);
}
