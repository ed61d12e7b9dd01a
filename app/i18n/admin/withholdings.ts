import type { Locale } from "../../../db/schema/enums";
import { plural } from "../format";

/** The archive preview and its withholdings (ADR 0016), and the ticket page's notice. */
export const withholdingsFr = {
  title: (kind: string, ref: string) => `Aperçu de l'archive ${kind} — ${ref}`,
  kinds: { access: "d'accès", portability: "de portabilité" } as Record<string, string>,
  kindNames: { access: "Archive d'accès", portability: "Archive de portabilité" } as Record<string, string>,
  back: "Retour à la demande",
  intro:
    "Voici ce que l'archive contiendrait si elle était publiée maintenant. Un élément qui concerne une autre personne (ou un secret d'affaires) peut en être retiré : le retrait proposé par le support doit être approuvé par le ou la DPO, et la lettre jointe à l'archive indique à la personne ce qui a été retiré et pourquoi, sans en donner le contenu. Cette consultation est inscrite au journal d'audit.",
  other: (kind: string) => `Voir l'aperçu de l'archive ${kind}`,
  empty: "L'archive ne contiendrait aucun enregistrement ni fichier.",
  records: (n: number, locale: Locale = "fr") => plural(locale, n, { one: "# enregistrement", other: "# enregistrements" }),
  datasetCaption: (system: string, dataset: string, count: string) => `${system} — ${dataset} (${count})`,
  record: "Enregistrement",
  field: "Champ",
  value: "Valeur",
  empty_value: "(vide)",
  filesTitle: "Fichiers",
  filesCaption: "Fichiers joints à l'archive",
  fileName: "Nom",
  fileSize: "Taille",
  fileSystem: "Système",
  withholdTitle: "Retirer un élément",
  withholdRecord: (key: string) => `Retirer un élément de l'enregistrement ${key}`,
  withholdFile: (name: string) => `Retirer le fichier ${name}`,
  what: "Élément à retirer",
  wholeRecord: "L'enregistrement entier (avec ses fichiers)",
  oneField: (name: string) => `Le champ « ${name} »`,
  scope: "Archive concernée",
  scopes: { access: "Archive d'accès", portability: "Archive de portabilité", both: "Les deux archives" } as Record<string, string>,
  ground: "Motif",
  grounds: {
    others_rights: "Droits et libertés d'autrui (art. 15(4) RGPD)",
    trade_secret: "Secret des affaires ou propriété intellectuelle d'un tiers (considérant 63)",
    other: "Autre motif (à expliquer)",
  } as Record<string, string>,
  explanation: "Explication donnée à la personne (motif « autre »)",
  explanationHint: "10 à 1 000 caractères. Cette phrase figure dans la lettre : n'y recopiez pas le contenu retiré.",
  note: "Note interne (facultative)",
  noteHint: "Pour l'équipe seulement ; jamais dans la lettre.",
  propose: "Proposer le retrait",
  proposeDpo: "Retirer cet élément",
  listTitle: "Retraits",
  listCaption: "Éléments retirés ou proposés au retrait, pour cette demande",
  none: "Aucun retrait n'a été proposé.",
  cols: { item: "Élément", ground: "Motif", state: "État", who: "Proposé", actions: "Actions" },
  itemRecord: (system: string, dataset: string, key: string) => `Enregistrement ${key} (${system} — ${dataset})`,
  itemField: (system: string, dataset: string, key: string, field: string) => `Champ « ${field} » de l'enregistrement ${key} (${system} — ${dataset})`,
  itemFile: (system: string, name: string) => `Fichier ${name} (${system})`,
  states: { pending: "En attente de la décision du ou de la DPO", approved: "Approuvé : retiré de l'archive", rejected: "Refusé : l'élément reste dans l'archive", withdrawn: "Annulé" } as Record<string, string>,
  notFound: "La dernière collecte ne trouve plus cet élément : ce retrait ne s'applique à rien pour l'instant.",
  byOn: (who: string, on: string) => `${who}, le ${on}`,
  decided: (who: string, on: string) => `Décision : ${who}, le ${on}`,
  approve: "Approuver le retrait",
  reject: "Refuser le retrait",
  withdraw: "Annuler ce retrait",
  withholdState: { pending: "Retrait proposé", approved: "Retiré", rejected: "Retrait refusé", withdrawn: "" } as Record<string, string>,
  done: {
    "withhold-propose": "Le retrait est proposé : le ou la DPO doit l'approuver avant la publication de l'archive.",
    "withhold-propose-dpo": "L'élément est retiré de l'archive ; la lettre indiquera ce retrait et son motif.",
    "withhold-approve": "Retrait approuvé : l'élément ne figurera pas dans l'archive.",
    "withhold-reject": "Retrait refusé : l'élément restera dans l'archive.",
    "withhold-withdraw": "Retrait annulé : l'élément figurera de nouveau dans l'archive.",
  } as Record<string, string>,
  // Ticket page
  pendingNotice: (archive: string, n: number) =>
    n === 1
      ? `${archive} : un retrait d'élément attend la décision du ou de la DPO : l'archive ne peut pas être publiée avant.`
      : `${archive} : ${n} retraits d'éléments attendent la décision du ou de la DPO : l'archive ne peut pas être publiée avant.`,
  reviewLink: (kind: string) => `Examiner le contenu de l'archive ${kind}`,
};

export type WithholdingsMessages = typeof withholdingsFr;

export const withholdingsEn: WithholdingsMessages = {
  title: (kind: string, ref: string) => `Preview of the ${kind} archive — ${ref}`,
  kinds: { access: "access", portability: "portability" },
  kindNames: { access: "Access archive", portability: "Portability archive" },
  back: "Back to the request",
  intro:
    "This is what the archive would hold if it were released now. An item that concerns another person (or a trade secret) can be withheld: a withholding proposed by support must be approved by the DPO, and the letter in the archive tells the person what was withheld and why, without its content. This reading is recorded in the audit trail.",
  other: (kind: string) => `See the preview of the ${kind} archive`,
  empty: "The archive would hold no record and no file.",
  records: (n: number, locale: Locale = "en") => plural(locale, n, { one: "# record", other: "# records" }),
  datasetCaption: (system: string, dataset: string, count: string) => `${system} — ${dataset} (${count})`,
  record: "Record",
  field: "Field",
  value: "Value",
  empty_value: "(empty)",
  filesTitle: "Files",
  filesCaption: "Files in the archive",
  fileName: "Name",
  fileSize: "Size",
  fileSystem: "System",
  withholdTitle: "Withhold an item",
  withholdRecord: (key: string) => `Withhold an item of record ${key}`,
  withholdFile: (name: string) => `Withhold file ${name}`,
  what: "Item to withhold",
  wholeRecord: "The whole record (with its files)",
  oneField: (name: string) => `The field "${name}"`,
  scope: "Archive concerned",
  scopes: { access: "Access archive", portability: "Portability archive", both: "Both archives" },
  ground: "Ground",
  grounds: {
    others_rights: "Rights and freedoms of others (Art. 15(4) GDPR)",
    trade_secret: "Trade secret or a third party's intellectual property (Recital 63)",
    other: "Other ground (explain)",
  },
  explanation: "Explanation given to the person (ground \"other\")",
  explanationHint: "10 to 1,000 characters. This sentence goes in the letter: do not copy the withheld content into it.",
  note: "Internal note (optional)",
  noteHint: "For staff only; never in the letter.",
  propose: "Propose withholding",
  proposeDpo: "Withhold this item",
  listTitle: "Withholdings",
  listCaption: "Items withheld or proposed for withholding on this request",
  none: "No withholding has been proposed.",
  cols: { item: "Item", ground: "Ground", state: "State", who: "Proposed", actions: "Actions" },
  itemRecord: (system: string, dataset: string, key: string) => `Record ${key} (${system} — ${dataset})`,
  itemField: (system: string, dataset: string, key: string, field: string) => `Field "${field}" of record ${key} (${system} — ${dataset})`,
  itemFile: (system: string, name: string) => `File ${name} (${system})`,
  states: { pending: "Awaiting the DPO's decision", approved: "Approved: withheld from the archive", rejected: "Rejected: the item stays in the archive", withdrawn: "Withdrawn" },
  notFound: "The latest search no longer finds this item: this withholding applies to nothing for now.",
  byOn: (who: string, on: string) => `${who}, on ${on}`,
  decided: (who: string, on: string) => `Decided by ${who} on ${on}`,
  approve: "Approve withholding",
  reject: "Reject withholding",
  withdraw: "Withdraw this withholding",
  withholdState: { pending: "Withholding proposed", approved: "Withheld", rejected: "Withholding rejected", withdrawn: "" },
  done: {
    "withhold-propose": "Withholding proposed: the DPO must approve it before the archive is released.",
    "withhold-propose-dpo": "The item is withheld from the archive; the letter will say so, with its ground.",
    "withhold-approve": "Withholding approved: the item will not be in the archive.",
    "withhold-reject": "Withholding rejected: the item will stay in the archive.",
    "withhold-withdraw": "Withholding withdrawn: the item will be in the archive again.",
  },
  pendingNotice: (archive: string, n: number) =>
    n === 1
      ? `${archive}: a withholding awaits the DPO's decision: the archive cannot be released before it.`
      : `${archive}: ${n} withholdings await the DPO's decision: the archive cannot be released before they are decided.`,
  reviewLink: (kind: string) => `Review the content of the ${kind} archive`,
};

export const withholdingsMessages: Record<Locale, WithholdingsMessages> = { fr: withholdingsFr, en: withholdingsEn };

/** Merged into the back-office catalogue's `errors`. */
export const withholdingsErrorsFr: Record<string, string> = {
  withholdings_pending: "Un retrait d'élément attend la décision du ou de la DPO : l'archive ne peut pas être publiée avant. Ouvrez l'aperçu de l'archive pour le décider. Rien n'a été envoyé.",
  withholding_unknown_item: "Cet élément ne figure pas dans les données collectées : rechargez l'aperçu.",
  withholding_unknown: "Ce retrait n'existe pas pour cette demande.",
  withholding_exists: "Cet élément est déjà retiré ou proposé au retrait.",
  withholding_decided: "Ce retrait a déjà été décidé ou annulé : rechargez la page.",
  withholding_scope: "Cette demande ne porte pas sur l'archive choisie.",
  explanation_required: "Pour le motif « autre », expliquez le retrait en 10 à 1 000 caractères.",
};

export const withholdingsErrorsEn: Record<string, string> = {
  withholdings_pending: "A withholding awaits the DPO's decision: the archive cannot be released before it. Open the archive preview to decide it. Nothing was sent.",
  withholding_unknown_item: "This item is not in the gathered data: reload the preview.",
  withholding_unknown: "This withholding does not exist on this request.",
  withholding_exists: "This item is already withheld or proposed for withholding.",
  withholding_decided: "This withholding was already decided or withdrawn: reload the page.",
  withholding_scope: "This request does not ask for the archive chosen.",
  explanation_required: "For the ground \"other\", explain the withholding in 10 to 1,000 characters.",
};
