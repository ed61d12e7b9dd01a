import { render, type Rendered } from "./layout";

/**
 * Data CentreCall holds as a processor (Art. 28) belongs to its client, the
 * controller: the request is forwarded to that client, who instructs us; and
 * the person is told which company answers for that part of their request.
 */

const RIGHTS_FR: Record<string, string> = {
  access: "accès (article 15)",
  rectification: "rectification (article 16)",
  erasure: "effacement (article 17)",
  restriction: "limitation du traitement (article 18)",
  portability: "portabilité (article 20)",
  objection: "opposition (article 21)",
};

export type ReferralMail = {
  reference: string;
  client: string;
  /** the register operations concerned: code and name */
  operations: { code: string; name: string }[];
  rights: string[];
  /** the client's own references, per dataset of its system */
  records: { dataset: string; keys: string[] }[];
  /** the date by which the person must be answered, already written out in French */
  dueOn: string;
  /** CentreCall's DPO, from the organisation's configuration */
  dpo: { name: string; email: string; address: string };
  controllerName: string;
  /** 0: the first message; n: the n-th reminder */
  reminder: number;
  sentOn?: string;
};

/** A message between companies: no complaint line meant for data subjects, but who writes and why. */
function businessFooter(d: Pick<ReferralMail, "controllerName" | "dpo" | "client">) {
  return `${d.controllerName} — ${d.dpo.name} — ${d.dpo.email}\n${d.dpo.address}\nMessage adressé à ${d.client} en sa qualité de responsable du traitement, par son sous-traitant (article 28 du RGPD). Il ne contient que notre référence et vos propres références d'enregistrement.`;
}

/** To the client (the controller), in French: which of its records, what was asked, by when, and what we need from it. */
export function controllerReferral(d: ReferralMail): Rendered {
  const subject =
    d.reminder > 0
      ? `Relance n° ${d.reminder} — demande d'exercice de droits en attente de vos instructions — référence ${d.reference}`
      : `Demande d'exercice de droits à traiter sur vos instructions (art. 28 RGPD) — référence ${d.reference}`;
  return render(
    "fr",
    subject,
    [
      `Madame, Monsieur (${d.client}),`,
      ...(d.reminder > 0 ? [`Nous vous avons transmis le ${d.sentOn} la demande ci-dessous et n'avons pas encore reçu vos instructions. La personne doit recevoir une réponse au plus tard le ${d.dueOn}.`] : []),
      `${d.controllerName} traite pour votre compte, en qualité de sous-traitant (article 28 du RGPD), les données concernées par : ${d.operations.map((o) => `${o.code} — ${o.name}`).join(" ; ")}. Une personne dont les données figurent dans votre système a exercé auprès de nous ses droits : ${d.rights.map((r) => RIGHTS_FR[r] ?? r).join(", ")}.`,
      `Dans votre système, ces données sont les suivantes, sous vos propres références : ${d.records.map((r) => `${r.dataset} : ${r.keys.join(", ")}`).join(" ; ")}.`,
      `Vous êtes responsable du traitement de ces données : nous n'y donnerons suite que sur vos instructions (article 28, paragraphe 3, points a) et e), et article 29 du RGPD). Merci de nous indiquer, en répondant à ce message, si nous devons communiquer ces données à la personne avec notre réponse, les effacer, les rectifier ou en limiter le traitement comme elle le demande, ou bien si vous répondez vous-même à la personne ou refusez sa demande (en nous donnant vos motifs).`,
      `Référence de la demande : ${d.reference}. Date limite de réponse à la personne : ${d.dueOn} (article 12, paragraphe 3 du RGPD). Merci d'accuser réception de ce message.`,
      `Nous indiquons à la personne que ${d.client} répond de cette partie de sa demande, avec vos coordonnées de contact pour la protection des données.`,
      `Pour toute question, notre délégué à la protection des données : ${d.dpo.name}, ${d.dpo.email}.`,
    ],
    { footer: businessFooter(d) },
  );
}

// The sentences about a controller's part are shared with the status page, which renders in the browser too:
// they live apart from the email layout (app/i18n/controller-parts.ts).
export { controllerPartText, type ControllerPart } from "../app/i18n/controller-parts";
