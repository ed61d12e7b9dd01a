import type { Locale } from "../../../db/schema/enums";
import type { Widen } from "../widen";

/** The ticket page's restriction (Art. 18) and objection (Art. 21) panel. */
export const rightsPanelFr = {
  restrictionTitle: "Limitation du traitement (article 18)",
  restrictionIntro:
    "Les enregistrements de la personne sont marqués comme limités dans chaque système qui le permet : ils sont conservés mais ne doivent plus être utilisés. Un système qui ne le permet pas est signalé : la limitation y est à faire à la main.",
  caption: "Où la limitation s'applique, par système",
  columns: { system: "Système", state: "État", records: "Enregistrements", applied: "Appliquée", lifted: "Levée", detail: "Détail", action: "Action" },
  states: {
    not_applied: "Non appliquée",
    no_records: "Aucun enregistrement trouvé",
    applied: "Appliquée",
    failed: "Échec",
    not_supported: "Non prise en charge par ce système : à limiter à la main",
    by_hand: "Appliquée à la main",
    lift_failed: "Toujours appliquée : la levée a échoué",
    lifted: "Levée",
  },
  notSupportedHint: "Ce système ne sait pas marquer les enregistrements : limitez-les à la main, puis confirmez-le ici.",
  when: (date: string, by: string | null) => (by ? `le ${date} par ${by}` : `le ${date}`),
  handApplied: (date: string, by: string | null) => `Limitée à la main, confirmé le ${date}${by ? ` par ${by}` : ""}`,
  handLifted: (date: string, by: string | null) => `Levée à la main, confirmé le ${date}${by ? ` par ${by}` : ""}`,
  liftedBySystem: (date: string) => `le ${date} par RightsDesk, à la fin du préavis`,
  confirmHandApplied: "Confirmer la limitation faite à la main",
  confirmHandAppliedFor: (system: string) => `Confirmer la limitation faite à la main — ${system}`,
  confirmHandLifted: "Confirmer la levée faite à la main",
  confirmHandLiftedFor: (system: string) => `Confirmer la levée faite à la main — ${system}`,
  liftScheduled: (on: string, by: string | null, due: string) =>
    `Levée annoncée au demandeur le ${on}${by ? ` par ${by}` : ""} : elle sera exécutée à partir du ${due}, sauf si elle est arrêtée d'ici là (opposition du demandeur…).`,
  liftRunning: "Levée en cours dans les systèmes.",
  liftFailed: "La levée a échoué dans au moins un système (voir le détail) : relancez-la.",
  liftStopped: (on: string, by: string | null, objected: boolean) => `Levée arrêtée le ${on}${by ? ` par ${by}` : ""}${objected ? " : le demandeur s'y est opposé" : ""}. La limitation reste en vigueur.`,
  liftCompleted: (on: string) => `Limitation levée partout ; demandeur et destinataires informés le ${on}.`,
  liftAwaitingHand: "Levée exécutée dans les systèmes qui marquent les données ; reste à lever à la main et à le confirmer ci-dessus.",
  stopObjected: "Le demandeur s'oppose : arrêter la levée",
  stopOther: "Arrêter la levée",
  retryLift: "Relancer la levée",
  apply: "Appliquer la limitation",
  retry: "Réessayer",
  retryFor: (system: string) => `Réessayer la limitation — ${system}`,
  lift: "Annoncer la levée de la limitation",
  liftHint: (days: number) => `Le demandeur est informé maintenant (courriel, SMS ou courrier) ; la levée n'a lieu qu'après ${days} jours de préavis, pendant lesquels elle peut être arrêtée (article 18.3 du RGPD).`,
  onlyDpoLifts: "Seul le DPO peut lever la limitation.",
  needGather: "La limitation s'applique aux enregistrements trouvés par la collecte : lancez-la et attendez qu'elle soit terminée pour tous les systèmes.",
  objectionTitle: "Opposition (article 21)",
  objectionIntro:
    "L'opposition à la prospection, y compris au démarchage téléphonique, est absolue (article 21.3 du RGPD) : il n'y a pas de mise en balance des intérêts. Le numéro de téléphone et l'adresse électronique de la demande sont inscrits sur la liste d'opposition sous forme d'empreintes à clé (HMAC), jamais en clair.",
  kinds: { phone: "Numéro de téléphone", email: "Adresse électronique" },
  listedSince: (date: string) => `Sur la liste d'opposition depuis le ${date}`,
  notListed: "Pas sur la liste d'opposition",
  record: "Inscrire sur la liste d'opposition",
  noContact: "La demande ne comporte ni téléphone ni adresse électronique à inscrire.",
};

export type RightsPanelMessages = Widen<typeof rightsPanelFr>;

export const rightsPanelEn: RightsPanelMessages = {
  restrictionTitle: "Restriction of processing (Article 18)",
  restrictionIntro:
    "The person's records are marked as restricted in every system that can mark them: they are kept but must no longer be used. A system that cannot is flagged: the restriction has to be applied there by hand.",
  caption: "Where the restriction applies, per system",
  columns: { system: "System", state: "State", records: "Records", applied: "Applied", lifted: "Lifted", detail: "Detail", action: "Action" },
  states: {
    not_applied: "Not applied",
    no_records: "No record found",
    applied: "Applied",
    failed: "Failed",
    not_supported: "Not supported by this system: to restrict by hand",
    by_hand: "Applied by hand",
    lift_failed: "Still applied: lifting failed",
    lifted: "Lifted",
  },
  notSupportedHint: "This system cannot mark records: restrict them by hand, then confirm it here.",
  when: (date: string, by: string | null) => (by ? `${date} by ${by}` : date),
  handApplied: (date: string, by: string | null) => `Restricted by hand, confirmed ${date}${by ? ` by ${by}` : ""}`,
  handLifted: (date: string, by: string | null) => `Lifted by hand, confirmed ${date}${by ? ` by ${by}` : ""}`,
  liftedBySystem: (date: string) => `${date} by RightsDesk, at the end of the notice period`,
  confirmHandApplied: "Confirm the restriction made by hand",
  confirmHandAppliedFor: (system: string) => `Confirm the restriction made by hand — ${system}`,
  confirmHandLifted: "Confirm the lift made by hand",
  confirmHandLiftedFor: (system: string) => `Confirm the lift made by hand — ${system}`,
  liftScheduled: (on: string, by: string | null, due: string) =>
    `Lift announced to the requester on ${on}${by ? ` by ${by}` : ""}: it will be carried out from ${due}, unless it is stopped before then (the requester objects…).`,
  liftRunning: "Lift under way in the systems.",
  liftFailed: "Lifting failed in at least one system (see the detail): retry it.",
  liftStopped: (on: string, by: string | null, objected: boolean) => `Lift stopped on ${on}${by ? ` by ${by}` : ""}${objected ? ": the requester objected" : ""}. The restriction stays in force.`,
  liftCompleted: (on: string) => `Restriction lifted everywhere; requester and recipients told on ${on}.`,
  liftAwaitingHand: "Lift carried out in the systems that mark records; still to lift by hand and confirm above.",
  stopObjected: "The requester objects: stop the lift",
  stopOther: "Stop the lift",
  retryLift: "Retry the lift",
  apply: "Apply the restriction",
  retry: "Retry",
  retryFor: (system: string) => `Retry the restriction — ${system}`,
  lift: "Announce the lifting of the restriction",
  liftHint: (days: number) => `The requester is told now (email, SMS or letter); the lift happens only after ${days} days' notice, during which it can be stopped (Article 18(3) GDPR).`,
  onlyDpoLifts: "Only the DPO can lift the restriction.",
  needGather: "The restriction applies to the records the gather found: start it and wait until it has finished for every system.",
  objectionTitle: "Objection (Article 21)",
  objectionIntro:
    "Objection to direct marketing, telemarketing included, is absolute (Article 21(3) GDPR): there is no balancing of interests. The request's phone number and email address join the suppression list as keyed hashes (HMAC), never in clear.",
  kinds: { phone: "Phone number", email: "Email address" },
  listedSince: (date: string) => `On the suppression list since ${date}`,
  notListed: "Not on the suppression list",
  record: "Add to the suppression list",
  noContact: "The request has neither a phone number nor an email address to add.",
};

export const rightsPanelMessages: Record<Locale, RightsPanelMessages> = { fr: rightsPanelFr, en: rightsPanelEn };

/** Timeline labels of this panel's events, merged into the back-office catalogue's `events`. */
/** This panel's error messages, merged into the back-office catalogue's `errors`. */
export const rightsErrorsFr: Record<string, string> = {
  restriction_not_requested: "Cette demande ne porte pas sur la limitation du traitement.",
  objection_not_requested: "Cette demande ne porte pas sur l'opposition.",
  nothing_to_restrict: "Rien à limiter : aucun enregistrement trouvé, ou la limitation est déjà appliquée partout.",
  nothing_to_retry: "Rien à réessayer pour ce système.",
  not_restricted: "Aucune limitation en vigueur à lever.",
  lift_already_scheduled: "La levée est déjà annoncée : attendez la fin du préavis, ou arrêtez-la.",
  no_lift_to_stop: "Aucune levée annoncée à arrêter : elle a déjà eu lieu ou a été arrêtée.",
  nothing_by_hand: "Rien à confirmer à la main pour ce système.",
  lift_not_due: "Le préavis n'est pas écoulé : rien ne se lève avant sa fin, à la main non plus.",
  gather_unfinished: "La collecte n'est pas terminée pour tous les systèmes : relancez ceux en échec, puis appliquez la limitation.",
  no_contact_to_suppress: "La demande ne comporte ni téléphone ni adresse électronique à inscrire.",
};
export const rightsErrorsEn: Record<string, string> = {
  restriction_not_requested: "This request does not ask for restriction of processing.",
  objection_not_requested: "This request does not ask for objection.",
  nothing_to_restrict: "Nothing to restrict: no record was found, or the restriction already applies everywhere.",
  nothing_to_retry: "Nothing to retry for this system.",
  not_restricted: "No restriction in force to lift.",
  lift_already_scheduled: "The lift is already announced: wait for the notice period to end, or stop it.",
  no_lift_to_stop: "No announced lift to stop: it has already happened or was stopped.",
  nothing_by_hand: "Nothing to confirm by hand for this system.",
  lift_not_due: "The notice period has not ended: nothing is lifted before then, by hand either.",
  gather_unfinished: "The gather has not finished for every system: re-run the failed ones, then apply the restriction.",
  no_contact_to_suppress: "The request has neither a phone number nor an email address to add.",
};
