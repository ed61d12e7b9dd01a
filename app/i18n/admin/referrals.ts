import type { Locale } from "../../../db/schema/enums";
import type { Widen } from "../widen";
import { plural } from "../format";

/** The ticket page's panel for data held as a processor (Art. 28): the request forwarded to the client, and its instructions. */
export const referralsFr = {
  title: "Données détenues comme sous-traitant (article 28)",
  intro:
    "La recherche a trouvé la personne dans des données que CentreCall traite pour le compte d'un client, responsable du traitement. La demande lui a été transmise : tant qu'une instruction ne l'autorise pas, ces données sont exclues de la copie d'accès ou de portabilité, du plan d'effacement, de la rectification et de la limitation, et la demande ne peut pas être close.",
  client: "Responsable du traitement",
  contact: "Contact",
  datasets: "Données concernées",
  records: (n: number) => plural("fr", n, { one: "# enregistrement, désigné par les références du client", other: "# enregistrements, désignés par les références du client" }),
  state: "État",
  states: {
    sent: (client: string) => `En attente des instructions du responsable du traitement (${client}) — demande transmise, réception non confirmée`,
    acknowledged: (client: string) => `En attente des instructions du responsable du traitement (${client}) — réception confirmée`,
    instructed: (client: string) => `Instructions reçues de ${client}`,
  },
  sentAt: (date: string) => `Transmise le ${date}`,
  acknowledgedAt: (date: string, by: string | null) => `Réception confirmée le ${date}${by ? `, enregistrée par ${by}` : ""}`,
  reminders: (n: number, date: string) => `${plural("fr", n, { one: "# relance", other: "# relances" })}, la dernière le ${date}`,
  instructionsTitle: "Instructions reçues",
  instructionLine: (label: string, date: string, by: string | null) => `${label} — le ${date}${by ? `, enregistrée par ${by}` : ""}`,
  instructions: {
    answer: "Communiquer ses données à la personne avec notre réponse",
    erase: "Effacer ces données",
    rectify: "Rectifier ces données comme demandé",
    restrict: "Limiter le traitement de ces données",
    controller_answers: "Le responsable du traitement répond lui-même à la personne",
    refuse: "Refus du responsable du traitement, avec son motif",
  },
  acknowledge: "Enregistrer l'accusé de réception",
  acknowledgeFor: (client: string) => `Enregistrer l'accusé de réception de ${client}`,
  instructionLabel: "Instruction reçue",
  noteLabel: "Précisions (obligatoire pour un refus : son motif, tel que le client le donne)",
  record: "Enregistrer l'instruction",
};

export type ReferralsMessages = Widen<typeof referralsFr>;

export const referralsEn: ReferralsMessages = {
  title: "Data held as a processor (Article 28)",
  intro:
    "The search found the person in data CentreCall processes on behalf of a client, the controller. The request was forwarded to it: until an instruction allows it, that data is left out of the access or portability copy, the erasure plan, rectification and restriction, and the request cannot be closed.",
  client: "Controller",
  contact: "Contact",
  datasets: "Data concerned",
  records: (n: number) => plural("en", n, { one: "# record, named by the client's own references", other: "# records, named by the client's own references" }),
  state: "State",
  states: {
    sent: (client: string) => `Awaiting the controller's instructions (${client}) — request forwarded, receipt not confirmed`,
    acknowledged: (client: string) => `Awaiting the controller's instructions (${client}) — receipt confirmed`,
    instructed: (client: string) => `Instructions received from ${client}`,
  },
  sentAt: (date: string) => `Forwarded on ${date}`,
  acknowledgedAt: (date: string, by: string | null) => `Receipt confirmed on ${date}${by ? `, recorded by ${by}` : ""}`,
  reminders: (n: number, date: string) => `${plural("en", n, { one: "# reminder", other: "# reminders" })}, the last on ${date}`,
  instructionsTitle: "Instructions received",
  instructionLine: (label: string, date: string, by: string | null) => `${label} — on ${date}${by ? `, recorded by ${by}` : ""}`,
  instructions: {
    answer: "Give the person its data with our answer",
    erase: "Erase that data",
    rectify: "Rectify that data as asked",
    restrict: "Restrict the processing of that data",
    controller_answers: "The controller answers the person itself",
    refuse: "Refused by the controller, with its reason",
  },
  acknowledge: "Record the acknowledgement",
  acknowledgeFor: (client: string) => `Record ${client}'s acknowledgement`,
  instructionLabel: "Instruction received",
  noteLabel: "Details (required for a refusal: its reason, as the client gives it)",
  record: "Record the instruction",
};

export const referralsMessages: Record<Locale, ReferralsMessages> = { fr: referralsFr, en: referralsEn };

export const referralsErrorsFr: Record<string, string> = {
  awaiting_controller:
    "Une partie des données est détenue pour le compte d'un client (responsable du traitement) dont les instructions sont attendues : enregistrez-les avant de clore la demande ou d'agir sur ces données.",
  referral_already_acknowledged: "La réception est déjà enregistrée.",
  instruction_invalid: "Choisissez l'instruction reçue.",
  instruction_reason_required: "Un refus s'enregistre avec le motif donné par le client.",
  instruction_not_requested: "Cette instruction ne correspond à aucun droit demandé dans cette demande.",
  nothing_to_erase_ours: "Rien à effacer de notre côté : les seules données trouvées sont détenues pour un client qui n'a pas demandé leur effacement.",
};
export const referralsErrorsEn: Record<string, string> = {
  awaiting_controller:
    "Part of the data is held on behalf of a client (the controller) whose instructions are awaited: record them before closing the request or acting on that data.",
  referral_already_acknowledged: "Receipt is already recorded.",
  instruction_invalid: "Choose the instruction received.",
  instruction_reason_required: "A refusal is recorded with the reason the client gives.",
  instruction_not_requested: "This instruction matches no right asked for in this request.",
  nothing_to_erase_ours: "Nothing to erase on our side: the only data found is held for a client that did not ask for its erasure.",
};
