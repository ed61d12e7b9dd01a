import type { Locale } from "../../../db/schema/enums";
import type { Widen } from "../widen";

/** The ticket page's restriction (Art. 18) and objection (Art. 21) panel. */
export const rightsPanelFr = {
  restrictionTitle: "Limitation du traitement (article 18)",
  restrictionIntro:
    "Les enregistrements de la personne sont marqués comme limités dans chaque système qui le permet : ils sont conservés mais ne doivent plus être utilisés. Un système qui ne le permet pas est signalé : la limitation y est à faire à la main.",
  caption: "Où la limitation s'applique, par système",
  columns: { system: "Système", state: "État", records: "Enregistrements", applied: "Appliquée", lifted: "Levée", detail: "Détail" },
  states: {
    not_applied: "Non appliquée",
    no_records: "Aucun enregistrement trouvé",
    applied: "Appliquée",
    failed: "Échec",
    not_supported: "Non prise en charge par ce système",
    lift_failed: "Toujours appliquée : la levée a échoué",
    lifted: "Levée",
  },
  notSupportedHint: "Ce système ne sait pas marquer les enregistrements : limitez-les à la main et notez-le sur la demande.",
  when: (date: string, by: string | null) => (by ? `le ${date} par ${by}` : `le ${date}`),
  apply: "Appliquer la limitation",
  retry: "Réessayer",
  retryFor: (system: string) => `Réessayer la limitation — ${system}`,
  lift: "Lever la limitation",
  liftHint: "Le demandeur est informé par courriel avant la levée (article 18.3 du RGPD).",
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
  columns: { system: "System", state: "State", records: "Records", applied: "Applied", lifted: "Lifted", detail: "Detail" },
  states: {
    not_applied: "Not applied",
    no_records: "No record found",
    applied: "Applied",
    failed: "Failed",
    not_supported: "Not supported by this system",
    lift_failed: "Still applied: lifting failed",
    lifted: "Lifted",
  },
  notSupportedHint: "This system cannot mark records: restrict them by hand and note it on the request.",
  when: (date: string, by: string | null) => (by ? `${date} by ${by}` : date),
  apply: "Apply the restriction",
  retry: "Retry",
  retryFor: (system: string) => `Retry the restriction — ${system}`,
  lift: "Lift the restriction",
  liftHint: "The requester is informed by email before the restriction is lifted (Article 18(3) GDPR).",
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
  gather_unfinished: "La collecte n'est pas terminée pour tous les systèmes : relancez ceux en échec, puis appliquez la limitation.",
  no_contact_to_suppress: "La demande ne comporte ni téléphone ni adresse électronique à inscrire.",
};
export const rightsErrorsEn: Record<string, string> = {
  restriction_not_requested: "This request does not ask for restriction of processing.",
  objection_not_requested: "This request does not ask for objection.",
  nothing_to_restrict: "Nothing to restrict: no record was found, or the restriction already applies everywhere.",
  nothing_to_retry: "Nothing to retry for this system.",
  not_restricted: "No restriction in force to lift.",
  gather_unfinished: "The gather has not finished for every system: re-run the failed ones, then apply the restriction.",
  no_contact_to_suppress: "The request has neither a phone number nor an email address to add.",
};
