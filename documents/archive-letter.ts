import type { Locale, Right } from "../db/schema/enums";
import type { ArchiveKind } from "../app/services/archive.server";
import { identifierLines, noDataAnswer, systemLines, type SearchReport } from "../emails/answers";
import { letterHtml } from "../emails/layout";
import { controllerPartText, type ControllerPart } from "../emails/referrals";
import { formatLocalDate, formatParisDate } from "../app/i18n";
import type { Art15Entry } from "../app/services/register.server";
import { datasetCount, datasetTitle, type ReadableDataset } from "./archive-pages";
import { documentPage, esc } from "./html";
import { counted, dateInWords } from "./values";
import { withheldSection, type WithheldItem } from "./withholdings";

/**
 * The letter an access (Art. 15) or portability (Art. 20) archive opens on,
 * in the language of the request: what is inside and how to open it, where
 * we searched, and the Art. 15 information. The register's details for each
 * processing (purpose, recipients, processors, transfers, retention,
 * source) are long: they have a page of their own, which the letter links to.
 * A short paragraph in the other language says what the archive is.
 */


export type ArchiveLetter = {
  kind: ArchiveKind;
  locale: Locale;
  reference: string;
  generatedAt: Date;
  /** the controller, as organisation.config.json names it, and its DPO's address */
  brand: string;
  dpoEmail: string;
  /** one per dataset, with the entry names of its readable page and files */
  datasets: ReadableDataset[];
  /** audio files (recordings/) and other files (files/) */
  audio: number;
  otherFiles: number;
  /** access: the page giving the register's details (lire/traitements.html) */
  operationsPage: string | null;
  operations: Art15Entry[];
  /** Art. 15(1)(c), CJEU C-154/21: the companies this person's records actually went to, by register dataset */
  concerned: Map<string, string[]>;
  /** values that could not be read, listed in manifest.json */
  anomalies: number;
  /** some CSV cell starts with an added apostrophe */
  csvApostrophes: boolean;
  /** where we searched, with what, and what each system answered */
  report: SearchReport | null;
  /** data held for a client as its processor: included on its instructions, or not, and who answers for it */
  controllers: ControllerPart[];
  /** items kept out on a ground the DPO approved (ADR 0016): said after the contents */
  withheld: WithheldItem[];
};

const href = (entry: string) => entry.split("/").map(encodeURIComponent).join("/");
const ul = (items: string[], attrs = "") => `<ul${attrs}>${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;

/** Who answers for the data held for a client (Art. 28). */
function controllersBlock(parts: ControllerPart[], lang: Locale) {
  if (!parts.length) return "";
  const title = lang === "fr" ? "Données détenues pour le compte d'une autre entreprise" : "Data held on behalf of another company";
  return `<h2>${title}</h2>
${parts.map((p) => `<p data-controller-part="${esc(p.state)}">${esc(controllerPartText(p, lang, "copy"))}</p>`).join("\n")}`;
}

/** The search as the letter states it (lines from the emails' own wording). */
function searchBlock(report: SearchReport | null, lang: Locale) {
  if (!report) return "";
  const [title, intro, answered] =
    lang === "fr"
      ? ["Où nous avons cherché", `Le ${formatLocalDate(report.on, "fr")}, nous avons recherché vos données avec ces identifiants :`, "Ce que chaque système a répondu :"]
      : ["Where we searched", `On ${formatLocalDate(report.on, "en")} we searched for your data with these identifiers:`, "What each system answered:"];
  const lines = (l: string[]) => ul(l.map((x) => esc(x.replace(/^• /, ""))));
  return `<h2>${title}</h2>
<p>${esc(intro)}</p>
${lines(identifierLines(report, lang))}
<p>${answered}</p>
${lines(systemLines(report, lang))}`;
}

/** The values we could not read: listed raw in the manifest, never guessed. */
function anomaliesNote(n: number, lang: Locale) {
  if (!n) return "";
  return lang === "fr"
    ? `<p>${counted(n, ["valeur n'a pas pu être lue", "valeurs n'ont pas pu être lues"], "fr")} dans le format attendu (par exemple une date). Nous ne les avons pas devinées : elles figurent telles quelles, avec le format attendu, dans la liste <code>anomalies</code> du fichier <code>manifest.json</code>, et apparaissent comme « Non renseigné » dans les pages.</p>`
    : `<p>${counted(n, ["value", "values"], "en")} could not be read in the expected format (a date, for instance). We did not guess them: they are listed as stored, with the expected format, under <code>anomalies</code> in <code>manifest.json</code>, and show as "Not recorded" in the pages.</p>`;
}

/** Said only when it happened: which CSV cells were changed, and where the exact values are. */
function csvNote(shown: boolean, lang: Locale) {
  if (!shown) return "";
  return lang === "fr"
    ? `<p>Dans les fichiers CSV, une apostrophe (<code>'</code>) a été ajoutée au début des cellules qui commencent par <code>=</code>, <code>+</code>, <code>-</code> ou <code>@</code> (un numéro de téléphone comme +33…, par exemple), pour qu'un tableur les affiche au lieu de les exécuter comme des formules. Les fichiers JSON contiennent les valeurs exactes.</p>`
    : `<p>In the CSV files, an apostrophe (<code>'</code>) was added at the start of cells beginning with <code>=</code>, <code>+</code>, <code>-</code> or <code>@</code> (a phone number such as +33…, for instance), so that a spreadsheet shows them instead of running them as formulas. The JSON files hold the exact values.</p>`;
}

const CNIL = {
  fr: `Vous pouvez introduire une réclamation auprès de la Commission nationale de l'informatique et des libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 — <a href="https://www.cnil.fr/fr/plaintes">www.cnil.fr/fr/plaintes</a>.`,
  en: `You may lodge a complaint with the French supervisory authority, the <span lang="fr">Commission nationale de l'informatique et des libertés</span> (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 — <a href="https://www.cnil.fr/fr/plaintes" hreflang="fr">www.cnil.fr/fr/plaintes</a>.`,
};

/** What is inside: one item per dataset, linking to its readable page, with its count; then the files. */
function contents(l: ArchiveLetter) {
  const fr = l.locale === "fr";
  const items = l.datasets.map(
    (d) =>
      `<li><a class="titre" href="${esc(href(d.page))}">${esc(datasetTitle(d, l.locale))}</a><span class="detail">${esc(datasetCount(d, l.locale))} — ${fr ? "source :" : "source:"} ${esc(d.source)}</span></li>`,
  );
  if (l.audio)
    items.push(
      fr
        ? `<li><span class="titre">Vos appels enregistrés</span><span class="detail">${counted(l.audio, ["fichier audio", "fichiers audio"], "fr")} dans leur format d'origine, dans le dossier <code>recordings</code> ; la page des enregistrements renvoie à chacun.</span></li>`
        : `<li><span class="titre">Your recorded calls</span><span class="detail">${counted(l.audio, ["audio file", "audio files"], "en")} in their original format, in the <code>recordings</code> folder; the recordings page links to each.</span></li>`,
    );
  if (l.otherFiles)
    items.push(
      fr
        ? `<li><span class="titre">Autres fichiers</span><span class="detail">${counted(l.otherFiles, ["fichier", "fichiers"], "fr")}, dans le dossier <code>files</code>.</span></li>`
        : `<li><span class="titre">Other files</span><span class="detail">${counted(l.otherFiles, ["file", "files"], "en")}, in the <code>files</code> folder.</span></li>`,
    );
  // Only data held for another company, awaiting its instructions: nothing of ours to hand over yet.
  if (!items.length)
    return fr
      ? `<p>Aucune donnée ne figure dans cette archive : la section « Données détenues pour le compte d'une autre entreprise » ci-dessous explique pourquoi.</p>`
      : `<p>This archive holds no data: the section "Data held on behalf of another company" below explains why.</p>`;
  return `<ul class="contenu">\n${items.join("\n")}\n</ul>`;
}

/** How to open it: the pages, the spreadsheet files, the machine-readable files. */
function howToOpen(l: ArchiveLetter) {
  if (!l.datasets.length) return "";
  const pages = l.datasets[0]?.page.split("/")[0] ?? "";
  const sheets = l.datasets[0]?.spreadsheet.split("/")[0] ?? "";
  const fr = l.locale === "fr";
  const sep = fr ? "point-virgule" : "comma";
  const items = fr
    ? [
        `<strong>Pour lire vos données</strong> : cliquez sur les titres ci-dessus. Ces pages (dossier <code>${esc(pages)}</code>) s'ouvrent dans votre navigateur, sans connexion à internet.`,
        `<strong>Dans un tableur</strong> (Excel, LibreOffice Calc) : les fichiers du dossier <code>${esc(sheets)}</code> s'ouvrent directement en colonnes, avec les mêmes intitulés (séparateur ${sep}).`,
        `<strong>Pour un programme, ou pour les transmettre à un autre organisme</strong> : le dossier <code>data</code> contient les mêmes données au format JSON et CSV (UTF-8, séparateur virgule), avec les noms de champs et les valeurs de nos systèmes. Le fichier <code>manifest.json</code> donne la taille et l'empreinte SHA-256 de chaque fichier.`,
      ]
    : [
        `<strong>To read your data</strong>: select the titles above. These pages (folder <code>${esc(pages)}</code>) open in your web browser, with no internet connection needed.`,
        `<strong>In a spreadsheet</strong> (Excel, LibreOffice Calc): the files in the <code>${esc(sheets)}</code> folder open in columns, with the same headings (${sep}-separated).`,
        `<strong>For a program, or to pass them on to another organisation</strong>: the <code>data</code> folder holds the same data as JSON and CSV (UTF-8, comma-separated), with our systems' field names and values. <code>manifest.json</code> gives each file's size and SHA-256 fingerprint.`,
      ];
  return `<h2>${fr ? "Comment ouvrir ces fichiers" : "How to open these files"}</h2>\n${ul(items)}`;
}

/** The register's entries are written in French: in an English page they keep lang="fr". */
function operationsBlock(ops: Art15Entry[], concerned: Map<string, string[]>, lang: Locale) {
  const L =
    lang === "fr"
      ? {
          purpose: "Finalité — art. 15(1)(a)",
          basis: "Base légale",
          categories: "Catégories de données — art. 15(1)(b)",
          recipients: "Destinataires — art. 15(1)(c)",
          named: (names: string[]) => `Vos données de ce traitement ont été recueillies pour le compte de : ${names.join(", ")}. Ce qui en est communiqué à ${names.length > 1 ? "ces entreprises" : "cette entreprise"} est décrit ci-dessous.`,
          processors: "Sous-traitants (ils agissent sur nos instructions)",
          transfers: "Transferts hors de l'Union européenne — art. 15(2)",
          noTransfer: "Aucun : vos données de ce traitement restent dans l'Union européenne.",
          transfer: (t: Art15Entry["transfers"][number]) => `${t.recipient} — ${t.country} — garantie : ${t.safeguard}`,
          retention: "Durée de conservation — art. 15(1)(d)",
          source: "Source des données — art. 15(1)(g)",
        }
      : {
          purpose: "Purpose — Art. 15(1)(a)",
          basis: "Legal basis",
          categories: "Categories of data — Art. 15(1)(b)",
          recipients: "Recipients — Art. 15(1)(c)",
          named: (names: string[]) => `Your data in this processing was collected on behalf of: ${names.join(", ")}. What ${names.length > 1 ? "those companies receive" : "that company receives"} of it is described below.`,
          processors: "Processors (they act on our instructions)",
          transfers: "Transfers outside the European Union — Art. 15(2)",
          noTransfer: "None: your data in this processing stays in the European Union.",
          transfer: (t: Art15Entry["transfers"][number]) => `${t.recipient} — ${t.country} — safeguard: ${t.safeguard}`,
          retention: "Retention period — Art. 15(1)(d)",
          source: "Source of the data — Art. 15(1)(g)",
        };
  const fr = lang === "en" ? ' lang="fr"' : "";
  const list = (items: string[]) => ul(items.map(esc), fr);
  return ops
    .map((op) => {
      const names = [...new Set(op.datasets.flatMap((d) => concerned.get(d) ?? []))];
      return `<section>
<h2 id="${esc(op.code)}"><span${fr}>${esc(op.name)}</span> (${esc(op.code)})</h2>
<dl>
<dt>${L.purpose}</dt><dd${fr}>${esc(op.purpose)}</dd>
<dt>${L.basis}</dt><dd${fr}>${esc(op.legalBasis)}</dd>
<dt>${L.categories}</dt><dd>${list(op.dataCategories)}</dd>
<dt>${L.recipients}</dt><dd>${names.length ? `<p>${esc(L.named(names))}</p>` : ""}${list(op.recipients)}</dd>
${op.processors.length ? `<dt>${L.processors}</dt><dd>${list(op.processors)}</dd>` : ""}
<dt>${L.transfers}</dt><dd>${op.transfers.length ? list(op.transfers.map(L.transfer)) : esc(L.noTransfer)}</dd>
<dt>${L.retention}</dt><dd${fr}>${esc(op.retention)}</dd>
<dt>${L.source}</dt><dd${fr}>${esc(op.source)}</dd>
</dl>
</section>`;
    })
    .join("\n");
}

/** The Art. 15 information that stays in the letter: the processing in one line each, rights, complaint, automated decisions. */
function art15(l: ArchiveLetter) {
  const fr = l.locale === "fr";
  const opsList = ul(l.operations.map((op) => `<a href="${esc(href(l.operationsPage!))}#${esc(op.code)}"${fr ? "" : ' lang="fr"'}>${esc(op.name)}</a> (${esc(op.code)})`));
  const processing = (html: string) => (l.operations.length ? html : "");
  return fr
    ? `${processing(`<h2>Les traitements qui concernent vos données</h2>
<p>Vos données figurent dans ${l.operations.length === 1 ? "le traitement suivant" : `les ${l.operations.length} traitements suivants`} de notre registre des activités de traitement (y compris celui de votre demande) :</p>
${opsList}
<p>Pour chacun, <a href="${esc(href(l.operationsPage!))}">la page des traitements</a> indique sa finalité et sa base légale, les catégories de données, les destinataires, les sous-traitants, les transferts hors de l'Union européenne, la durée de conservation et la source des données (article 15, paragraphes 1 et 2, du RGPD).</p>`)}
<h2>Vos droits — art. 15(1)(e)</h2>
<p>Vous pouvez demander la rectification de données inexactes (art. 16), leur effacement (art. 17), la limitation de leur traitement (art. 18), vous opposer à leur traitement (art. 21) et recevoir les données que vous nous avez fournies dans un format réutilisable (art. 20). Il suffit de déposer une nouvelle demande sur notre portail ou auprès de nos équipes, en rappelant la référence ${esc(l.reference)}.</p>
<h2>Réclamation — art. 15(1)(f)</h2>
<p>${CNIL.fr}</p>
<h2>Décision automatisée — art. 15(1)(h)</h2>
<p>Aucune décision fondée exclusivement sur un traitement automatisé, y compris le profilage, n'est prise à votre égard.</p>`
    : `${processing(`<h2>The processing your data is part of</h2>
<p>Your data is part of ${l.operations.length === 1 ? "this processing activity" : "these processing activities"} in our record of processing (the handling of your request included); the record is kept in French:</p>
${opsList}
<p>For each, <a href="${esc(href(l.operationsPage!))}">the processing page</a> gives its purpose and legal basis, the categories of data, the recipients, the processors, transfers outside the European Union, the retention period and the source of the data (Article 15(1) and (2) GDPR).</p>`)}
<h2>Your rights — Art. 15(1)(e)</h2>
<p>You may ask for inaccurate data to be rectified (Art. 16), for your data to be erased (Art. 17), for its processing to be restricted (Art. 18), object to its processing (Art. 21), and receive the data you provided in a reusable format (Art. 20). File a new request on our portal or with our staff, quoting reference ${esc(l.reference)}.</p>
<h2>Complaint — Art. 15(1)(f)</h2>
<p>${CNIL.en}</p>
<h2>Automated decision-making — Art. 15(1)(h)</h2>
<p>No decision based solely on automated processing, including profiling, is made about you.</p>`;
}

/** Portability: what the archive holds and does not, and why (WP242, Art. 20(4)). */
function portabilityScope(l: ArchiveLetter) {
  const fr = l.locale === "fr";
  const voice = l.audio ? (fr ? ", ainsi que votre voix : les enregistrements de vos appels, dans leur format audio d'origine" : ", and your voice: the recordings of your calls, in their original audio format") : "";
  return fr
    ? `<h2>Ce que la portabilité couvre</h2>
<ul>
<li><strong>Ce que vous nous avez dit ou saisi</strong> : votre identité, vos coordonnées, vos réponses aux questionnaires${voice}.</li>
<li><strong>Ce que nos systèmes ont enregistré de votre utilisation de nos services</strong>, que les lignes directrices européennes sur la portabilité (WP242) comptent parmi les données que vous avez fournies : pour vos appels enregistrés, la date, l'heure, la durée, les numéros, le centre d'appels et votre accord à l'enregistrement ; l'historique de vos échanges avec le service client (date et canal) ; la date, le canal et le centre de votre participation aux études.</li>
<li><strong>Ce qu'il faut pour les comprendre</strong> : avec chaque réponse, la question posée et la date de la réponse ; l'étude à laquelle vous avez répondu.</li>
</ul>
<h2>Ce qu'elle ne contient pas, et pourquoi</h2>
<p>Le droit à la portabilité porte sur les données que vous avez fournies, pas sur ce que nos équipes ont écrit ou déduit à votre sujet : les résumés et notes de nos conseillers après vos échanges, nos marqueurs internes (par exemple une limitation de traitement) et nos numéros de dossier n'y figurent donc pas. Les identifiants de nos salariés (le conseiller qui a pris votre appel) n'y figurent pas non plus : la portabilité ne doit pas porter atteinte aux droits d'autrui (article 20, paragraphe 4). Vous pouvez obtenir une copie de l'ensemble de vos données, y compris celles-ci, en exerçant votre droit d'accès (article 15).</p>
<h2>Réclamation</h2>
<p>${CNIL.fr}</p>`
    : `<h2>What portability covers</h2>
<ul>
<li><strong>What you told us or typed in</strong>: your identity, your contact details, your survey answers${voice}.</li>
<li><strong>What our systems recorded of your use of our services</strong>, which the European guidelines on portability (WP242) count as data you provided: for your recorded calls, the date, time, duration, numbers, call centre and your consent to the recording; the history of your contacts with customer service (date and channel); the date, channel and call centre of your survey interviews.</li>
<li><strong>What is needed to understand them</strong>: with each answer, the question asked and the date of the answer; the survey you answered.</li>
</ul>
<h2>What it does not hold, and why</h2>
<p>The right to data portability covers the data you provided, not what our staff wrote or inferred about you: our agents' summaries and notes of your contacts, our internal markers (a restriction of processing, for instance) and our record numbers are therefore not included. Neither are our employees' identifiers (the agent who took your call): portability must not adversely affect the rights of others (Article 20(4)). You can obtain a copy of all your data, these included, through your right of access (Article 15).</p>
<h2>Complaint</h2>
<p>${CNIL.en}</p>`;
}

/** One paragraph in the other language: what this is, and whom to ask. */
function otherLanguage(l: ArchiveLetter) {
  return l.locale === "fr"
    ? `<section lang="en" class="encadre">
<h2>In English</h2>
<p>This is the ${l.kind === "access" ? "copy of your personal data (Article 15 GDPR)" : "data portability archive (Article 20 GDPR)"} you asked ${esc(l.brand)} for, reference ${esc(l.reference)}. This letter and its pages are in French, the language of your request; the <code>data</code> folder holds the same data as JSON and CSV. If you need them in English, write to our data protection officer at ${esc(l.dpoEmail)}, quoting the reference.</p>
</section>`
    : `<section lang="fr" class="encadre">
<h2>En français</h2>
<p>Voici ${l.kind === "access" ? "la copie de vos données personnelles (article 15 du RGPD)" : "l'archive de portabilité de vos données (article 20 du RGPD)"} que vous avez demandée à ${esc(l.brand)}, référence ${esc(l.reference)}. Cette lettre et ses pages sont en anglais, la langue de votre demande ; le dossier <code>data</code> contient les mêmes données aux formats JSON et CSV. Pour les recevoir en français, écrivez à notre délégué à la protection des données, ${esc(l.dpoEmail)}, en rappelant la référence.</p>
</section>`;
}

export function archiveLetter(l: ArchiveLetter): string {
  const fr = l.locale === "fr";
  const date = dateInWords(parisDay(l.generatedAt), l.locale);
  const title = l.kind === "access" ? (fr ? "Votre demande d'accès à vos données personnelles" : "Your request for access to your personal data") : fr ? "Votre demande de portabilité de vos données" : "Your data portability request";
  const intro =
    l.kind === "access"
      ? fr
        ? `Conformément à l'article 15 du règlement général sur la protection des données (RGPD), voici la copie des données personnelles que ${esc(l.brand)} détient sur vous${l.audio ? ", avec les enregistrements de vos appels" : ""}. Archive établie le ${esc(date)}.`
        : `Under Article 15 of the General Data Protection Regulation (GDPR), here is a copy of the personal data ${esc(l.brand)} holds about you${l.audio ? ", with the recordings of your calls" : ""}. Archive prepared on ${esc(date)}.`
      : fr
        ? `Conformément à l'article 20 du RGPD, cette archive contient les données personnelles que vous avez fournies à ${esc(l.brand)}, dans des formats structurés, couramment utilisés et lisibles par machine : vous pouvez les transmettre à un autre organisme. Archive établie le ${esc(date)}.`
        : `Under Article 20 of the GDPR, this archive holds the personal data you provided to ${esc(l.brand)}, in structured, commonly used, machine-readable formats: you may pass them on to another organisation. Archive prepared on ${esc(date)}.`;
  const notes = anomaliesNote(l.anomalies, l.locale) + csvNote(l.csvApostrophes, l.locale);
  const body = `<h1>${title}</h1>
<p class="chapo">${intro}</p>
<h2>${fr ? "Ce que contient cette archive" : "What this archive holds"}</h2>
${contents(l)}
${notes}
${withheldSection(l.withheld, l.locale, l.kind)}
${howToOpen(l)}
${controllersBlock(l.controllers, l.locale)}
${l.kind === "access" ? searchBlock(l.report, l.locale) : ""}
${l.kind === "access" && l.operationsPage ? art15(l) : ""}
${l.kind === "portability" ? portabilityScope(l) : ""}
${otherLanguage(l)}`;
  return documentPage({
    lang: l.locale,
    title,
    brand: l.brand,
    subtitle: fr ? "Délégué à la protection des données" : "Data protection officer",
    reference: l.reference,
    body,
    footer: `${esc(l.brand)} — ${fr ? "Délégué à la protection des données" : "Data protection officer"} — ${esc(l.dpoEmail)}`,
  });
}

/** The page of the register's details for each processing the person's data is in (access only). */
export function operationsPage(l: ArchiveLetter): string {
  const fr = l.locale === "fr";
  const title = fr ? "Les traitements qui concernent vos données" : "The processing your data is part of";
  const body = `<p><a href="../LISEZ-MOI.html">${fr ? "Retour à la lettre qui accompagne vos données" : "Back to the letter that comes with your data"}</a></p>
<h1>${title}</h1>
<p class="chapo">${
    fr
      ? "Les informations ci-dessous proviennent de notre registre des activités de traitement, pour les traitements dans lesquels figurent vos données et pour le traitement de votre demande."
      : "Taken from our record of processing activities, for the processing your data was found in and for the handling of your request. The record is kept in French and is quoted as written."
  }</p>
${operationsBlock(l.operations, l.concerned, l.locale)}`;
  return documentPage({ lang: l.locale, title, brand: l.brand, subtitle: fr ? "Copie de vos données personnelles" : "Copy of your personal data", reference: l.reference, body });
}

/** The Paris calendar day of an instant, YYYY-MM-DD. */
function parisDay(at: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The archive of a person held nowhere: the no-data answer itself, as the letter in the zip. */
export function noDataLetter(d: { reference: string; rights: Right[]; locale: Locale; report: SearchReport; proofRetention: string; generatedAt: Date }): string {
  return letterHtml(noDataAnswer({ reference: d.reference, rights: d.rights, report: d.report, proofRetention: d.proofRetention }, d.locale), {
    reference: d.reference,
    date: formatParisDate(d.generatedAt, d.locale === "en" ? "en-GB" : "fr-FR"),
  });
}
