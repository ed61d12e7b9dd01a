import { formatParisDate } from "../app/i18n";
import { keptText, outcomeLabel, outcomeText, proofText, type OutcomeLine, type ProofRecord } from "../app/i18n/erasure-outcome";
import { identifierLines, systemLines, type SearchReport } from "../emails/answers";
import { controllerPartText, type ControllerPart } from "../emails/referrals";
import { esc } from "./html";

/** Per system and dataset: what was done, and each field kept with its ground and end date. */
export type CertificateLine = OutcomeLine;

/** The certificate as a standalone HTML document, French then English, in the same words as the emails. */
export function certificateHtml(d: { brand: string; reference: string; at: Date; lines: CertificateLine[]; proof: ProofRecord[]; notified: string[]; searched?: SearchReport | null; controllers?: ControllerPart[] }): string {
  // Data held for a client: what its instruction let us do, and who answers for it (the searches above did not cover what we left).
  const controllers = (lang: "fr" | "en") =>
    d.controllers?.length
      ? `<h2>${lang === "fr" ? "Données détenues pour le compte d'une autre entreprise" : "Data held on behalf of another company"}</h2>\n${d.controllers.map((p) => `<p data-controller-part="${p.state}">${esc(controllerPartText(p, lang, "erasure"))}</p>`).join("\n")}`
      : "";
  // Where we looked, with what: a system not searched (and the DPO's reason) is said, not left out.
  const searched = (lang: "fr" | "en") => {
    if (!d.searched) return "";
    const ul = (lines: string[]) => `<ul>${lines.map((l) => `<li>${esc(l.replace(/^• /, ""))}</li>`).join("")}</ul>`;
    return lang === "fr"
      ? `<h2>Où nous avons cherché vos données</h2>\n<p>Avec ces identifiants :</p>\n${ul(identifierLines(d.searched, "fr", { values: false }))}\n<p>Chaque système, avant l'effacement :</p>\n${ul(systemLines(d.searched, "fr"))}`
      : `<h2>Where we searched for your data</h2>\n<p>With these identifiers:</p>\n${ul(identifierLines(d.searched, "en", { values: false }))}\n<p>Each system, before the erasure:</p>\n${ul(systemLines(d.searched, "en"))}`;
  };
  const table = (lang: "fr" | "en") => {
    const h = lang === "fr" ? ["Système", "Données", "Ce qui a été fait", "Ce qui reste, pourquoi et jusqu'à quand"] : ["System", "Data", "What was done", "What remains, why and until when"];
    const rows = d.lines
      .map((l) => {
        const remains = l.kept.length ? `<ul>${l.kept.map((k) => `<li>${esc(keptText(k, lang))}</li>`).join("")}</ul>` : lang === "fr" ? "Rien" : "Nothing";
        return `<tr data-outcome="${l.outcome}"><th scope="row">${esc(l.system)}</th><td>${esc(l.dataset)}</td><td><strong>${esc(outcomeLabel(l.outcome, lang))}</strong> — ${esc(outcomeText(l, lang))}</td><td>${remains}</td></tr>`;
      })
      .join("\n");
    return `<table><caption>${lang === "fr" ? "Ce qui a été fait, par système" : "What was done, per system"}</caption>
<thead><tr>${h.map((x) => `<th scope="col">${x}</th>`).join("")}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
  };
  const proof = (lang: "fr" | "en") => `<ul>\n${d.proof.map((p) => `<li data-proof="${p.record}">${esc(proofText(p, lang))}</li>`).join("\n")}\n</ul>`;
  const notifiedFr = d.notified.length ? `<p>Conformément à l'article 19 du RGPD, nous avons informé de votre demande d'effacement, et de ce qui est indiqué ci-dessus : ${d.notified.map(esc).join(", ")}.</p>` : "";
  const notifiedEn = d.notified.length ? `<p>Under Article 19 of the GDPR, we informed the following of your erasure request, and of what is shown above: ${d.notified.map(esc).join(", ")}.</p>` : "";
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certificat — votre demande d'effacement ${esc(d.reference)}</title>
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; }
th, td { border: 1px solid #767676; padding: .25rem .5rem; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<main>
<section lang="fr">
<h1>Certificat : ce que nous avons fait de vos données après votre demande d'effacement</h1>
<p>Demande <strong>${esc(d.reference)}</strong> — constaté le ${esc(formatParisDate(d.at, "fr-FR"))}.</p>
<p>Voici, système par système, ce que ${esc(d.brand)} a fait des données personnelles vous concernant (article 17 du RGPD). <strong>Effacé</strong> : la donnée n'existe plus. <strong>Anonymisé</strong> : il ne reste rien qui permette de vous identifier. <strong>Pseudonymisé</strong> : vos nom et coordonnées ont été retirés ou remplacés par un pseudonyme, mais la ligne reste avec des données qui vous concernent encore (une empreinte, une donnée généralisée, des champs inchangés) ; ce sont toujours des données personnelles, conservées pour le motif et jusqu'à la date indiqués. <strong>Conservé</strong> : gardé tel quel, pour le motif et jusqu'à la date indiqués. Après l'opération, chaque système a été interrogé de nouveau avec les mêmes identifiants : aucun ne vous y retrouve plus, sauf dans les enregistrements indiqués comme conservés tels quels.</p>
${table("fr")}
${controllers("fr")}
${searched("fr")}
<h2>Ce que nous gardons pour prouver le traitement de votre demande</h2>
${proof("fr")}
${notifiedFr}
<p>Vous pouvez introduire une réclamation auprès de la CNIL (www.cnil.fr/fr/plaintes).</p>
</section>
<hr>
<section lang="en">
<h1>Certificate: what we did with your data after your erasure request</h1>
<p>Request <strong>${esc(d.reference)}</strong> — confirmed on ${esc(formatParisDate(d.at, "en-GB"))}.</p>
<p>Here is, system by system, what ${esc(d.brand)} did with the personal data about you (Article 17 GDPR). <strong>Erased</strong>: the data no longer exists. <strong>Anonymised</strong>: nothing is left that could identify you. <strong>Pseudonymised</strong>: your name and contact details were removed or replaced by a pseudonym, but the row remains with data that still relates to you (a hash, a generalised value, fields left as they were); it is still personal data, kept for the ground and until the date shown. <strong>Kept</strong>: held as it is, for the ground and until the date shown. Afterwards every system was searched again with the same identifiers: none finds you any more, except in records shown as kept as they are. Legal grounds are quoted as our record of processing states them, in French.</p>
${table("en")}
${controllers("en")}
${searched("en")}
<h2>What we keep to prove how your request was handled</h2>
${proof("en")}
${notifiedEn}
<p>You may lodge a complaint with the CNIL (www.cnil.fr/fr/plaintes).</p>
</section>
</main>
</body>
</html>
`;
}
