import type { Locale } from "../db/schema/enums";
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

/**
 * Where the controller's part stands, relative to what the person receives:
 * - included: the client's instruction allowed it, and it was done;
 * - awaiting: no instruction yet: left out;
 * - controller_answers / refused: the client answers, or refused (with its reason);
 * - not_instructed: instructions recorded, but none for this (e.g. erase, not give a copy).
 */
export type ControllerPart = {
  client: string;
  contact: string;
  state: "included" | "awaiting" | "controller_answers" | "refused" | "not_instructed";
  note?: string | null;
};

/**
 * One sentence per part, for the archive's letter, the certificate, the
 * closing email and the status page: `what` says what the person is reading
 * ("copy": an archive; "erasure"; "request": the whole request).
 */
export function controllerPartText(p: ControllerPart, locale: Locale, what: "copy" | "erasure" | "request"): string {
  const held =
    locale === "en"
      ? `Part of your data is held by CentreCall on behalf of ${p.client}, which is its controller (CentreCall processes it for ${p.client} and may act on it only on its instructions).`
      : `Une partie de vos données est détenue par CentreCall pour le compte de ${p.client}, qui en est le responsable du traitement (CentreCall la traite pour ${p.client} et ne peut y toucher que sur ses instructions).`;
  const answers = locale === "en" ? `${p.client} answers for that part of your request: ${p.contact}.` : `${p.client} répond de cette partie de votre demande : ${p.contact}.`;
  const fr: Record<ControllerPart["state"], string> = {
    included:
      what === "copy"
        ? `Sur ses instructions, ces données figurent dans cette copie.`
        : what === "erasure"
          ? `Sur ses instructions, ces données ont été traitées avec les autres, comme indiqué ci-dessus.`
          : `Sur ses instructions, nous avons traité ces données comme vous le demandiez.`,
    awaiting:
      what === "request"
        ? `Nous lui avons transmis votre demande et attendons ses instructions.`
        : `Nous lui avons transmis votre demande et attendons ses instructions : ces données ${what === "copy" ? "ne figurent pas dans cette copie" : "n'ont pas été effacées"} pour l'instant.`,
    controller_answers: `${p.client} nous a indiqué qu'elle vous répond elle-même pour ces données${what === "copy" ? " : elles ne figurent pas dans cette copie" : what === "erasure" ? " : nous n'y avons pas touché" : ""}.`,
    refused: `${p.client} a refusé cette partie de votre demande${p.note ? `, pour le motif suivant : « ${p.note} »` : ""}. Vous pouvez contester ce refus auprès d'elle ou introduire une réclamation auprès de la CNIL.`,
    not_instructed:
      what === "copy" ? `${p.client} ne nous a pas demandé de vous communiquer ces données : elles ne figurent pas dans cette copie.` : what === "erasure" ? `${p.client} ne nous a pas demandé de les effacer : nous n'y avons pas touché.` : `Nous avons suivi ses instructions pour ces données.`,
  };
  const en: Record<ControllerPart["state"], string> = {
    included:
      what === "copy"
        ? `On its instructions, that data is included in this copy.`
        : what === "erasure"
          ? `On its instructions, that data was dealt with along with the rest, as set out above.`
          : `On its instructions, we dealt with that data as you asked.`,
    awaiting:
      what === "request"
        ? `We have forwarded your request to it and are waiting for its instructions.`
        : `We have forwarded your request to it and are waiting for its instructions: that data ${what === "copy" ? "is not in this copy" : "has not been erased"} for now.`,
    controller_answers: `${p.client} told us it answers you itself for that data${what === "copy" ? ": it is not in this copy" : what === "erasure" ? ": we did not touch it" : ""}.`,
    refused: `${p.client} refused that part of your request${p.note ? `, on this ground: "${p.note}"` : ""}. You may challenge the refusal with it or lodge a complaint with the CNIL.`,
    not_instructed:
      what === "copy" ? `${p.client} did not ask us to give you that data: it is not in this copy.` : what === "erasure" ? `${p.client} did not ask us to erase it: we did not touch it.` : `We followed its instructions for that data.`,
  };
  return [held, (locale === "en" ? en : fr)[p.state], answers].join(" ");
}
