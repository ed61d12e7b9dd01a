import type { Locale } from "../../../db/schema/enums";
import type { Channel, Consequence, ErasureLine, SentNotice } from "../../services/confirmations.server";
import { formatNumber, plural } from "../format";

/**
 * The staff ticket page's own sentences (issue 16): what an irreversible
 * action will do before it is confirmed, what it did afterwards, why an
 * action is not offered, and how the long jobs stand. Every sentence is built
 * from the ticket's facts (counts, channels, dates), never a template assuming
 * success.
 */
const n = (locale: Locale, count: number, one: string, other: string) => `${formatNumber(locale, count)} ${plural(locale, count, { one, other })}`;

const viaFr: Record<Channel, string> = {
  email: "par courriel",
  sms: "par SMS (avec un lien vers la lettre)",
  post: "par une lettre à imprimer et à poster depuis cette page",
};
const viaEn: Record<Channel, string> = {
  email: "by email",
  sms: "by text message (with a link to the letter)",
  post: "by a letter to print and post from this page",
};

function erasureLineFr(l: ErasureLine): string {
  const parts = [
    l.deleted ? `${n("fr", l.deleted, "enregistrement effacé", "enregistrements effacés")}` : "",
    l.anonymised ? `${n("fr", l.anonymised, "anonymisé", "anonymisés")}` : "",
    l.pseudonymised ? `${n("fr", l.pseudonymised, "pseudonymisé (pas effacé)", "pseudonymisés (pas effacés)")}` : "",
    l.kept ? `${n("fr", l.kept, "conservé", "conservés")}` : "",
  ].filter(Boolean);
  return `${l.system} : ${parts.join(", ")}`;
}

function erasureLineEn(l: ErasureLine): string {
  const parts = [
    l.deleted ? `${n("en", l.deleted, "record erased", "records erased")}` : "",
    l.anonymised ? `${n("en", l.anonymised, "anonymised", "anonymised")}` : "",
    l.pseudonymised ? `${n("en", l.pseudonymised, "pseudonymised (not erased)", "pseudonymised (not erased)")}` : "",
    l.kept ? `${n("en", l.kept, "kept", "kept")}` : "",
  ].filter(Boolean);
  return `${l.system}: ${parts.join(", ")}`;
}

/** What a timeline line needs to name things: dates, systems, grounds and methods in the reader's words. */
export type EventWords = { date: (iso: string) => string; connector: (id: string) => string; reason: (r: string) => string; method: (m: string) => string };
type EventData = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" ? v : 0);

export const ticketPageFr = {
  confirm: {
    title: "Confirmer une action définitive",
    back: "Revenir sans rien faire",
    buttons: {
      refuse: "Confirmer le refus",
      cancel: "Confirmer l'annulation",
      complete: "Confirmer la clôture",
      "release-access": "Confirmer la publication",
      "release-portability": "Confirmer la publication",
      "erasure-approve": "Confirmer et lancer l'effacement",
    } as Record<Consequence["intent"], string>,
    /** `reasons`: the refusal grounds in words */
    text: (c: Consequence, reasons: string) => {
      switch (c.intent) {
        case "refuse":
          return `Refuser la demande ${c.reference} : le demandeur sera informé ${viaFr[c.channel]} du motif « ${reasons} » ; la demande sera close et ne pourra pas être rouverte.`;
        case "cancel":
          return `Annuler la demande ${c.reference} à la demande du demandeur : elle sera close sans suite et ne pourra pas être rouverte ; le demandeur en sera informé ${viaFr[c.channel]}.`;
        case "complete":
          return `Clore la demande ${c.reference} comme traitée : elle ne pourra plus être modifiée ni rouverte ; le demandeur recevra ${viaFr[c.channel]} le récapitulatif de ce qui a été fait.`;
        case "release-access":
        case "release-portability":
          return `Publier l'archive ${c.intent === "release-access" ? "d'accès (art. 15)" : "de portabilité (art. 20)"} de la demande ${c.reference} : ${n("fr", c.records, "enregistrement", "enregistrements")} ${plural("fr", c.records, { one: "trouvé", other: "trouvés" })} dans ${n("fr", c.systems, "système", "systèmes")}${c.files ? `, dont ${n("fr", c.files, "fichier audio", "fichiers audio")}` : ""}. Le demandeur sera prévenu ${viaFr[c.channel]} et pourra la télécharger pendant ${n("fr", c.ttlDays, "jour", "jours")}, après une nouvelle vérification de son identité. Ce message ne pourra pas être repris.`;
        case "erasure-approve":
          return `Approuver et lancer l'effacement pour la demande ${c.reference} : ${c.lines.map(erasureLineFr).join(" ; ")}. L'exécution commence aussitôt et ne peut pas être annulée ; le certificat sera envoyé au demandeur ${viaFr[c.channel]}.`;
      }
    },
  },
  /** After the action: what happened, from the ticket as it now stands. */
  done: {
    refuse: "Demande refusée",
    cancel: "Demande annulée",
    complete: "Demande close comme traitée",
    "release-access": "Archive d'accès publiée",
    "release-portability": "Archive de portabilité publiée",
    "erasure-approve": "Effacement approuvé : l'exécution a commencé, son avancement s'affiche ci-dessous",
    notice: (s: NonNullable<SentNotice>, when: (d: Date | string) => string) =>
      s.state === "sent"
        ? `le demandeur a été informé ${viaFr[s.delivery]} le ${when(s.sentAt!)}`
        : s.state === "queued"
          ? `le message au demandeur (${viaFr[s.delivery]}) est en cours d'envoi`
          : s.state === "expired"
            ? `l'envoi du message au demandeur (${viaFr[s.delivery]}) a échoué : voir la boîte d'envoi`
            : s.state === "posted"
              ? `la lettre au demandeur a été postée le ${when(s.sentAt!)}`
              : "la lettre au demandeur est à imprimer et à poster (voir « Courriers » ci-dessous)",
    other: "Action enregistrée.",
    sentence: (what: string, notice: string | null) => `${what}${notice ? ` ; ${notice}` : ""}.`,
  },
  unavailable: {
    extendOverdue: (date: string) => `Prolongation impossible : l'échéance du ${date} est dépassée.`,
    extendAlready: (date: string) => `Prolongation impossible : la demande a déjà été prolongée, jusqu'au ${date}.`,
    extendDpo: "La prolongation est décidée par le DPO.",
    closed: "Demande close : aucune action n'est plus possible, sauf ajouter une note.",
    accessDpo: "La publication de l'archive d'accès revient au DPO.",
    noDataDpo: "La réponse « aucune donnée » est envoyée par le DPO.",
    refuseDpo: "Le refus d'une demande revient au DPO.",
    refuseReady: "Réponse prête : la demande ne peut plus être refusée ni annulée ; remettez-la en traitement pour la modifier.",
  },
  progress: {
    title: "Travaux en cours",
    gatherRunning: (done: number, total: number) => `Collecte en cours : ${formatNumber("fr", done)} ${plural("fr", done, { one: "système terminé", other: "systèmes terminés" })} sur ${formatNumber("fr", total)}.`,
    gatherDone: "Collecte terminée pour tous les systèmes.",
    erasure: {
      approved: "Effacement approuvé : en attente de démarrage.",
      executing: "Effacement en cours.",
      executed: "Effacement exécuté : vérification en cours dans chaque système.",
      verified: "Effacement terminé et vérifié : certificat disponible.",
      failed: "Effacement en échec : des données restent après la vérification (voir ci-dessous).",
    } as Record<string, string>,
    erasureSteps: (done: number, total: number) => `${formatNumber("fr", done)} ${plural("fr", done, { one: "lot exécuté", other: "lots exécutés" })} sur ${formatNumber("fr", total)}.`,
    liftRunning: "Levée de la limitation en cours.",
    refresh: "Actualiser la page",
  },
  /** The facts an event recorded, in words (never "dueOn 2027-02-01"); null when the label says it all. */
  eventDetail: (type: string, d: EventData, w: EventWords): string | null => {
    switch (type) {
      case "extended":
        return d.dueOn ? `nouvelle échéance le ${w.date(str(d.dueOn))}` : null;
      case "clock_resumed":
        return `${ticketPageFr.pausedDays(num(d.pausedDays))}${d.dueOn ? ` ; échéance le ${w.date(str(d.dueOn))}` : ""}`;
      case "clock_paused":
        return d.reason === "awaiting_requester" ? "en attendant la réponse du demandeur" : d.reason === "identity_verification" ? "en attendant la vérification de son identité" : null;
      case "refused":
        return Array.isArray(d.reasons) && d.reasons.length ? `motif : ${d.reasons.map((r) => w.reason(str(r))).join(", ")}` : null;
      case "archive_released":
      case "archive_withdrawn":
      case "archive_expired":
        return d.kind === "access" ? "archive d'accès" : d.kind === "portability" ? "archive de portabilité" : null;
      case "gather_connector_done":
        return d.connectorId ? `${w.connector(str(d.connectorId))} : ${n("fr", num(d.records), "enregistrement trouvé", "enregistrements trouvés")}` : null;
      case "gather_connector_failed":
      case "gather_connector_skipped":
      case "gather_connector_waived":
        return d.connectorId ? w.connector(str(d.connectorId)) : null;
      case "verified":
      case "verification_sent":
        return d.method ? w.method(str(d.method)) : null;
      case "duplicate":
        return d.of ? `doublon de ${str(d.of)}` : null;
      case "acknowledged":
      case "answered_no_data":
        return d.channel || d.delivery ? viaFr[(str(d.channel) || str(d.delivery)) as Channel] ?? null : null;
      default:
        return null;
    }
  },
  retryColumn: "Action",
  pausedDays: (d: number) => `${formatNumber("fr", d)} ${plural("fr", d, { one: "jour de suspension", other: "jours de suspension" })}`,
  seconds: (ms: number) => `${formatNumber("fr", ms / 1000, { maximumFractionDigits: 1 })} s`,
  duePaused: "Délai suspendu tant que l'identité du demandeur n'est pas vérifiée.",
  verifiedBy: {
    email: "Vérifiée par lien envoyé à l'adresse électronique",
    sms: "Vérifiée par code envoyé par SMS",
    agent: "Vérifiée par code lu à un agent",
    document: "Vérifiée sur pièce d'identité présentée en personne",
    callback: "Vérifiée par rappel d'un numéro connu de nos systèmes",
    postal: "Vérifiée par code envoyé par courrier et renvoyé",
  } as Record<string, string>,
  notVerifiedBy: (method: string) => `Non vérifiée (moyen prévu : ${method})`,
  letterStates: {
    sent: (d: string) => `envoyé le ${d}`,
    queued: "en cours d'envoi",
    expired: "envoi en échec",
  },
};

export type TicketPageMessages = typeof ticketPageFr;

export const ticketPageEn: TicketPageMessages = {
  confirm: {
    title: "Confirm an action that cannot be undone",
    back: "Go back without doing anything",
    buttons: {
      refuse: "Confirm the refusal",
      cancel: "Confirm the cancellation",
      complete: "Confirm the closure",
      "release-access": "Confirm the release",
      "release-portability": "Confirm the release",
      "erasure-approve": "Confirm and start the erasure",
    },
    text: (c, reasons) => {
      switch (c.intent) {
        case "refuse":
          return `Refuse request ${c.reference}: the requester will be told ${viaEn[c.channel]} of the grounds "${reasons}"; the request will be closed and cannot be reopened.`;
        case "cancel":
          return `Cancel request ${c.reference} at the requester's wish: it will be closed without further action and cannot be reopened; the requester will be told ${viaEn[c.channel]}.`;
        case "complete":
          return `Close request ${c.reference} as handled: it can no longer be changed or reopened; the requester will receive ${viaEn[c.channel]} a summary of what was done.`;
        case "release-access":
        case "release-portability":
          return `Release the ${c.intent === "release-access" ? "access (Art. 15)" : "portability (Art. 20)"} archive of request ${c.reference}: ${n("en", c.records, "record", "records")} found in ${n("en", c.systems, "system", "systems")}${c.files ? `, including ${n("en", c.files, "audio file", "audio files")}` : ""}. The requester will be told ${viaEn[c.channel]} and may download it for ${n("en", c.ttlDays, "day", "days")}, after proving their identity again. That message cannot be taken back.`;
        case "erasure-approve":
          return `Approve and start the erasure for request ${c.reference}: ${c.lines.map(erasureLineEn).join("; ")}. It starts at once and cannot be stopped; the certificate will be sent to the requester ${viaEn[c.channel]}.`;
      }
    },
  },
  done: {
    refuse: "Request refused",
    cancel: "Request cancelled",
    complete: "Request closed as handled",
    "release-access": "Access archive released",
    "release-portability": "Portability archive released",
    "erasure-approve": "Erasure approved: it has started, its progress is shown below",
    notice: (s, when) =>
      s.state === "sent"
        ? `the requester was told ${viaEn[s.delivery]} on ${when(s.sentAt!)}`
        : s.state === "queued"
          ? `the message to the requester (${viaEn[s.delivery]}) is being sent`
          : s.state === "expired"
            ? `the message to the requester (${viaEn[s.delivery]}) could not be sent: see the outbox`
            : s.state === "posted"
              ? `the letter to the requester was posted on ${when(s.sentAt!)}`
              : `the letter to the requester is to be printed and posted (see "Letters" below)`,
    other: "Action recorded.",
    sentence: (what, notice) => `${what}${notice ? `; ${notice}` : ""}.`,
  },
  unavailable: {
    extendOverdue: (date) => `Extension not possible: the deadline of ${date} has passed.`,
    extendAlready: (date) => `Extension not possible: the request was already extended, to ${date}.`,
    extendDpo: "Extensions are decided by the DPO.",
    closed: "Request closed: nothing more can be done but add a note.",
    accessDpo: "Releasing the access archive is for the DPO.",
    noDataDpo: "The \"no data\" answer is sent by the DPO.",
    refuseDpo: "Refusing a request is for the DPO.",
    refuseReady: "Answer ready: the request can no longer be refused or cancelled; put it back in progress to change it.",
  },
  progress: {
    title: "Work in progress",
    gatherRunning: (done, total) => `Gathering in progress: ${formatNumber("en", done)} of ${formatNumber("en", total)} ${plural("en", total, { one: "system", other: "systems" })} done.`,
    gatherDone: "Gathering done for every system.",
    erasure: {
      approved: "Erasure approved: waiting to start.",
      executing: "Erasure in progress.",
      executed: "Erasure carried out: checking every system.",
      verified: "Erasure finished and verified: certificate available.",
      failed: "Erasure failed: data remains after the check (see below).",
    },
    erasureSteps: (done, total) => `${formatNumber("en", done)} of ${formatNumber("en", total)} ${plural("en", total, { one: "batch", other: "batches" })} done.`,
    liftRunning: "Lifting the restriction.",
    refresh: "Refresh the page",
  },
  eventDetail: (type, d, w) => {
    switch (type) {
      case "extended":
        return d.dueOn ? `new deadline ${w.date(str(d.dueOn))}` : null;
      case "clock_resumed":
        return `${ticketPageEn.pausedDays(num(d.pausedDays))}${d.dueOn ? `; deadline ${w.date(str(d.dueOn))}` : ""}`;
      case "clock_paused":
        return d.reason === "awaiting_requester" ? "waiting for the requester's reply" : d.reason === "identity_verification" ? "waiting for the identity check" : null;
      case "refused":
        return Array.isArray(d.reasons) && d.reasons.length ? `grounds: ${d.reasons.map((r) => w.reason(str(r))).join(", ")}` : null;
      case "archive_released":
      case "archive_withdrawn":
      case "archive_expired":
        return d.kind === "access" ? "access archive" : d.kind === "portability" ? "portability archive" : null;
      case "gather_connector_done":
        return d.connectorId ? `${w.connector(str(d.connectorId))}: ${n("en", num(d.records), "record found", "records found")}` : null;
      case "gather_connector_failed":
      case "gather_connector_skipped":
      case "gather_connector_waived":
        return d.connectorId ? w.connector(str(d.connectorId)) : null;
      case "verified":
      case "verification_sent":
        return d.method ? w.method(str(d.method)) : null;
      case "duplicate":
        return d.of ? `duplicate of ${str(d.of)}` : null;
      case "acknowledged":
      case "answered_no_data":
        return d.channel || d.delivery ? viaEn[(str(d.channel) || str(d.delivery)) as Channel] ?? null : null;
      default:
        return null;
    }
  },
  retryColumn: "Action",
  pausedDays: (d) => `${formatNumber("en", d)} ${plural("en", d, { one: "day paused", other: "days paused" })}`,
  seconds: (ms) => `${formatNumber("en", ms / 1000, { maximumFractionDigits: 1 })} s`,
  duePaused: "Clock stopped until the requester's identity is verified.",
  verifiedBy: {
    email: "Verified by a link sent to the email address",
    sms: "Verified by a code sent by text message",
    agent: "Verified by a code read back to an agent",
    document: "Verified on an identity document shown in person",
    callback: "Verified by calling back a number held in our systems",
    postal: "Verified by a code sent by post and returned",
  },
  notVerifiedBy: (method) => `Not verified (planned means: ${method})`,
  letterStates: {
    sent: (d) => `sent on ${d}`,
    queued: "being sent",
    expired: "sending failed",
  },
};

export const ticketPageMessages: Record<Locale, TicketPageMessages> = { fr: ticketPageFr, en: ticketPageEn };
