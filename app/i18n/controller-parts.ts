import type { Locale } from "../../db/schema/enums";

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
