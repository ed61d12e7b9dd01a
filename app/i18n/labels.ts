import {
  AGENT_VERIFICATIONS,
  CHANNELS,
  HOLIDAY_PROFILES,
  LOCALES,
  OUTCOMES,
  REFUSAL_REASONS,
  RIGHTS,
  ROLES,
  SITES,
  STATUSES,
  VERIFICATION_METHODS,
  type Locale,
} from "../../db/schema/enums";
import { adminEn } from "./admin/en";
import { adminFr } from "./admin/fr";
import { answersEn, answersFr } from "./admin/answers";
import { formatNumber } from "./format";
import { formatInstant, formatLocalDate } from "./index";

/**
 * Every value staff or the public may see comes with a label in both
 * languages: one table per enum of db/schema/enums.ts (tests/labels.test.ts
 * checks that none is missing), and the words for the details the journal
 * shows ("what: gathered_identity" becomes "Ce qui a été lu : l'identité
 * trouvée dans les systèmes").
 */
type EnumTables = {
  rights: Record<(typeof RIGHTS)[number], string>;
  channels: Record<(typeof CHANNELS)[number], string>;
  sites: Record<(typeof SITES)[number] | "web", string>;
  statuses: Record<(typeof STATUSES)[number], string>;
  locales: Record<(typeof LOCALES)[number], string>;
  roles: Record<(typeof ROLES)[number], string>;
  holidayProfiles: Record<(typeof HOLIDAY_PROFILES)[number], string>;
  refusalReasons: Record<(typeof REFUSAL_REASONS)[number], string>;
  verificationMethods: Record<(typeof VERIFICATION_METHODS)[number], string>;
  outcomes: Record<(typeof OUTCOMES)[number], string>;
  agentVerifications: Record<(typeof AGENT_VERIFICATIONS)[number], string>;
  infoReasons: Record<"identity" | "scope", string>;
  pauseReasons: Record<"identity_verification" | "awaiting_requester", string>;
};

export const ENUM_LABELS: Record<Locale, EnumTables> = {
  fr: {
    rights: adminFr.rights,
    channels: adminFr.channels,
    sites: adminFr.sites,
    statuses: adminFr.statuses,
    locales: { fr: "Français", en: "Anglais" },
    roles: adminFr.roles,
    holidayProfiles: adminFr.team.profiles,
    refusalReasons: adminFr.refusalReasons,
    verificationMethods: answersFr.methods as EnumTables["verificationMethods"],
    outcomes: { no_data: "Aucune donnée trouvée", no_reply: "Close faute de réponse du demandeur" },
    agentVerifications: {
      code_sms: "Code envoyé par SMS",
      code_email: "Code envoyé par courriel",
      callback: "Rappel d'un numéro connu",
      document: "Pièce d'identité présentée",
      postal_code: "Code envoyé par courrier",
    },
    infoReasons: answersFr.ask.reasons as EnumTables["infoReasons"],
    pauseReasons: { identity_verification: "Vérification de l'identité", awaiting_requester: "En attente du demandeur" },
  },
  en: {
    rights: adminEn.rights,
    channels: adminEn.channels,
    sites: adminEn.sites,
    statuses: adminEn.statuses,
    locales: { fr: "French", en: "English" },
    roles: adminEn.roles,
    holidayProfiles: adminEn.team.profiles,
    refusalReasons: adminEn.refusalReasons,
    verificationMethods: answersEn.methods as EnumTables["verificationMethods"],
    outcomes: { no_data: "No data found", no_reply: "Closed: the requester did not reply" },
    agentVerifications: {
      code_sms: "Code sent by SMS",
      code_email: "Code sent by email",
      callback: "Call-back to a known number",
      document: "Identity document shown",
      postal_code: "Code sent by post",
    },
    infoReasons: answersEn.ask.reasons as EnumTables["infoReasons"],
    pauseReasons: { identity_verification: "Identity check", awaiting_requester: "Waiting for the requester" },
  },
};

/** What a "record viewed" entry says was read. */
const WHAT: Record<Locale, Record<string, string>> = {
  fr: {
    gathered_identity: "l'identité trouvée dans les systèmes",
    mandate: "le mandat",
    mandate_file: "le fichier du mandat",
    letter: "une lettre",
    certificate: "le certificat d'effacement",
    archive: "l'archive",
  },
  en: {
    gathered_identity: "the identity found in the systems",
    mandate: "the mandate",
    mandate_file: "the mandate's file",
    letter: "a letter",
    certificate: "the erasure certificate",
    archive: "the archive",
  },
};

/** Words for other codes a detail may carry (who typed a reply, a file format, an outcome of a step). */
const CODES: Record<Locale, Record<string, string>> = {
  fr: {
    mapping: "correspondance des champs",
    staff: "saisie par l'équipe",
    csv: "CSV",
    json: "JSON",
    applied: "appliquée",
    lifted: "levée",
    access: "accès",
    portability: "portabilité",
    phone: "téléphone",
    email: "courriel",
  },
  en: {
    mapping: "field mapping",
    staff: "typed in by staff",
    csv: "CSV",
    json: "JSON",
    applied: "applied",
    lifted: "lifted",
    access: "access",
    portability: "portability",
    phone: "phone",
    email: "email",
  },
};

/** The journal's detail names. A name not listed is shown in words made from it (never as a bare code). */
export const DETAIL_LABELS: Record<Locale, Record<string, string>> = {
  fr: {
    what: "Ce qui a été lu",
    dueOn: "Échéance",
    reason: "Motif",
    reasons: "Motifs",
    assigneeId: "Responsable (n°)",
    via: "Par",
    of: "Doublon de",
    from: "De",
    to: "À",
    status: "État",
    channel: "Canal",
    site: "Site",
    role: "Rôle",
    rights: "Droits",
    method: "Méthode",
    verification: "Vérification",
    outcome: "Issue",
    kind: "Type",
    format: "Format",
    connectorId: "Système",
    connector: "Système",
    connectors: "Systèmes",
    system: "Système",
    systems: "Systèmes",
    records: "Enregistrements",
    files: "Fichiers",
    count: "Nombre",
    counts: "Nombres",
    rows: "Lignes",
    bytes: "Octets",
    size: "Taille (octets)",
    attempt: "Tentative",
    attempts: "Tentatives",
    fields: "Champs",
    changes: "Modifications",
    client: "Client",
    clientCode: "Code client",
    plan: "Plan",
    planId: "Plan n°",
    jobId: "Tâche n°",
    archiveId: "Archive n°",
    letter: "Lettre n°",
    letterId: "Lettre n°",
    version: "Version",
    batch: "Lot",
    day: "Jour",
    emails: "Courriels",
    tickets: "Demandes",
    due: "À échéance",
    overdue: "En retard",
    pausedDays: "Jours de suspension",
    afterDays: "Après (jours)",
    sha256: "Empreinte SHA-256",
    code: "Code",
    id: "N°",
    staffId: "Membre de l'équipe (n°)",
    recipient: "Destinataire",
    referral: "Transmission n°",
    datasets: "Jeux de données",
    holidayProfile: "Calendrier des jours fériés",
    profile: "Calendrier des jours fériés",
    retentionDays: "Conservation (jours)",
    queued: "En file d'attente",
    created: "Créés",
    changed: "Modifiés",
    identifiers: "Identifiants",
    missing: "Manquants",
    searchableBy: "Recherche possible par",
    account: "Compte",
    after: "Après",
    archives: "Archives",
    askedFrom: "Demandé à",
    byProposer: "Par la personne qui l'a proposé",
    contact: "Coordonnée",
    copies: "Copies",
    current: "Actuel",
    dataset: "Jeu de données",
    done: "Terminé",
    download: "Téléchargement",
    extendedDueOn: "Échéance prolongée",
    failed: "En échec",
    filters: "Filtres",
    ground: "Motif",
    held: "Conservé",
    hold: "Conservation pour litige",
    holdId: "Conservation (n°)",
    instruction: "Instruction",
    itemKey: "Élément",
    leftovers: "Restes",
    lift: "Levée",
    links: "Liens",
    matches: "Correspondances",
    note: "Note",
    operations: "Traitements",
    origin: "Origine",
    page: "Page",
    preparedBy: "Préparé par (n°)",
    previous: "Précédent",
    record: "Enregistrement",
    recordCount: "Nombre d'enregistrements",
    recording: "Enregistrement d'appel",
    reference: "Référence",
    reminder: "Relance",
    replacedBy: "Remplacé par",
    retained: "Conservés",
    run: "Exécution",
    runId: "Exécution (n°)",
    shown: "Affichés",
    state: "État",
    summary: "Résumé",
    today: "Aujourd'hui",
    trigger: "Déclenchement",
    upTo: "Jusqu'au",
    verificationMethod: "Méthode de vérification",
    was: "Ancienne valeur",
    withholding: "Retrait (n°)",
    why: "Pourquoi",
  },
  en: {
    what: "What was read",
    dueOn: "Due date",
    reason: "Reason",
    reasons: "Reasons",
    assigneeId: "Assignee (no.)",
    via: "Via",
    of: "Duplicate of",
    from: "From",
    to: "To",
    status: "Status",
    channel: "Channel",
    site: "Site",
    role: "Role",
    rights: "Rights",
    method: "Method",
    verification: "Verification",
    outcome: "Outcome",
    kind: "Kind",
    format: "Format",
    connectorId: "System",
    connector: "System",
    connectors: "Systems",
    system: "System",
    systems: "Systems",
    records: "Records",
    files: "Files",
    count: "Count",
    counts: "Counts",
    rows: "Rows",
    bytes: "Bytes",
    size: "Size (bytes)",
    attempt: "Attempt",
    attempts: "Attempts",
    fields: "Fields",
    changes: "Changes",
    client: "Client",
    clientCode: "Client code",
    plan: "Plan",
    planId: "Plan no.",
    jobId: "Job no.",
    archiveId: "Archive no.",
    letter: "Letter no.",
    letterId: "Letter no.",
    version: "Version",
    batch: "Batch",
    day: "Day",
    emails: "Emails",
    tickets: "Requests",
    due: "Due",
    overdue: "Overdue",
    pausedDays: "Days paused",
    afterDays: "After (days)",
    sha256: "SHA-256 fingerprint",
    code: "Code",
    id: "No.",
    staffId: "Staff member (no.)",
    recipient: "Recipient",
    referral: "Referral no.",
    datasets: "Datasets",
    holidayProfile: "Public holiday calendar",
    profile: "Public holiday calendar",
    retentionDays: "Retention (days)",
    queued: "Queued",
    created: "Created",
    changed: "Changed",
    identifiers: "Identifiers",
    missing: "Missing",
    searchableBy: "Searchable by",
    account: "Account",
    after: "After",
    archives: "Archives",
    askedFrom: "Asked of",
    byProposer: "By the person who proposed it",
    contact: "Contact",
    copies: "Copies",
    current: "Current",
    dataset: "Dataset",
    done: "Done",
    download: "Download",
    extendedDueOn: "Extended due date",
    failed: "Failed",
    filters: "Filters",
    ground: "Ground",
    held: "Held",
    hold: "Litigation hold",
    holdId: "Hold no.",
    instruction: "Instruction",
    itemKey: "Item",
    leftovers: "Leftovers",
    lift: "Lift",
    links: "Links",
    matches: "Matches",
    note: "Note",
    operations: "Processing operations",
    origin: "Origin",
    page: "Page",
    preparedBy: "Prepared by (no.)",
    previous: "Previous",
    record: "Record",
    recordCount: "Number of records",
    recording: "Call recording",
    reference: "Reference",
    reminder: "Reminder",
    replacedBy: "Replaced by",
    retained: "Kept",
    run: "Run",
    runId: "Run no.",
    shown: "Shown",
    state: "State",
    summary: "Summary",
    today: "Today",
    trigger: "Trigger",
    upTo: "Up to",
    verificationMethod: "Verification method",
    was: "Previous value",
    withholding: "Withholding no.",
    why: "Why",
  },
};

/** "dueOn" → "due on": a name nobody labelled yet still reads as words. */
const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();

export function detailLabel(key: string, locale: Locale): string {
  const label = DETAIL_LABELS[locale][key];
  if (label) return label;
  const w = words(key);
  return w.charAt(0).toUpperCase() + w.slice(1);
}

const YES_NO: Record<Locale, [string, string]> = { fr: ["oui", "non"], en: ["yes", "no"] };

/** A code in words, from the table the detail's name points to, else any table that knows it. */
function codeLabel(key: string, value: string, locale: Locale): string {
  const t = ENUM_LABELS[locale] as unknown as Record<string, Record<string, string>>;
  const byKey: Record<string, string[]> = {
    what: [],
    status: ["statuses"],
    from: ["statuses"],
    to: ["statuses"],
    reason: ["infoReasons", "pauseReasons", "refusalReasons"],
    reasons: ["refusalReasons", "infoReasons"],
    rights: ["rights"],
    right: ["rights"],
    channel: ["channels"],
    site: ["sites"],
    role: ["roles"],
    method: ["verificationMethods"],
    verification: ["agentVerifications", "verificationMethods"],
    outcome: ["outcomes"],
    profile: ["holidayProfiles"],
    holidayProfile: ["holidayProfiles"],
    locale: ["locales"],
  };
  if (key === "what") return WHAT[locale][value] ?? CODES[locale][value] ?? value;
  for (const table of byKey[key] ?? []) if (t[table]?.[value]) return t[table]![value]!;
  if (CODES[locale][value]) return CODES[locale][value]!;
  for (const table of Object.values(t)) if (table[value]) return table[value]!;
  return WHAT[locale][value] ?? value;
}

/** A detail's value for people: dates in words, numbers with separators, yes/no, codes as labels. */
export function detailValue(key: string, value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return YES_NO[locale][value ? 0 : 1];
  if (typeof value === "number") return /Id$|^id$|^seq$/.test(key) ? String(value) : formatNumber(locale, value);
  if (Array.isArray(value)) return value.length ? value.map((v) => detailValue(key, v, locale)).join(", ") : "—";
  if (typeof value === "string") {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatLocalDate(value, locale);
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return formatInstant(new Date(value), locale);
    // "mapping:respondents": a kind of thing and its name.
    const pair = /^([a-z_]+):(.+)$/.exec(value);
    if (pair && !/^https?$/.test(pair[1]!)) return `${codeLabel(key, pair[1]!, locale)} : ${pair[2]}`.replace(" : ", locale === "fr" ? " : " : ": ");
    return codeLabel(key, value, locale);
  }
  if (typeof value === "object")
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${detailLabel(k, locale)}${locale === "fr" ? " : " : ": "}${detailValue(k, v, locale)}`)
      .join(" ; ");
  return String(value);
}
