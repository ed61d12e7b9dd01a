import { sql } from "drizzle-orm";
import type { z } from "zod";
import { NewOperationInput } from "../app/services/register.server";
import type { Db } from "../app/utils/db.server";
import { processingOperations, registerClients } from "../db/schema/register";
import { rawGet, withTx } from "../app/utils/db.server";

/**
 * CentreCall's record of processing activities (GDPR Art. 30) for the
 * market-research process: the seed's Document 3 table (OP-01), the
 * questionnaire for the client Osiris (Document 1), the ComPlus multichannel
 * collection (Document 6) and RightsDesk itself. Call recordings follow the
 * CNIL guidance: kept briefly (25 days by default), never beyond six months.
 */
/** ComPlus's measures (seed document 3's security plan), common to the operations it holds. */
const COMPLUS_SECURITY = [
  "Accès par compte nominatif et habilitations par profil (opérateur, call manager, chargé d'études, DSI)",
  "Base de données ComPlus redondée et sauvegardée, serveurs au siège de Tours",
  "Chiffrement des échanges (HTTPS) et des supports mobiles",
  "Journalisation des accès et des modifications",
  "Clauses de confidentialité et de sécurité dans les contrats des sous-traitants",
];

const OPERATIONS: z.input<typeof NewOperationInput>[] = [
  {
    code: "OP-01",
    name: "Enregistrement d'un appel téléphonique",
    purpose:
      "Preuve de l'appel : conserver la trace de l'entretien téléphonique réalisé pour le compte d'un client (ex. étude de marché Osiris sur la publicité et les réseaux sociaux) afin de pouvoir vérifier les réponses recueillies et l'accord donné par la personne interrogée, et de ne pas commettre d'erreur dans la collecte des informations.",
    legalBasis:
      "Consentement de la personne (art. 6, paragraphe 1, point a) du RGPD), recueilli oralement en début d'appel après un message l'informant de la finalité de l'enregistrement, de ses destinataires, de son droit d'opposition et de son droit d'accès aux enregistrements (recommandations CNIL). Sans accord, l'entretien se poursuit sans enregistrement.",
    dataCategories: [
      "Vie personnelle (propos tenus pendant l'entretien)",
      "Voix (enregistrement audio)",
      "Numéro de téléphone de l'appelé",
      "Date, heure et durée de l'appel",
      "Accord oral à l'enregistrement",
      "Opérateur et centre d'appels ayant passé l'appel",
    ],
    personCategories: ["Prospects et personnes interrogées", "Opérateurs téléphoniques de CentreCall (voix, identifiant)"],
    recipients: [
      "Client (ex. Osiris) et service interne de CentreCall",
      "Prestataire de téléphonie hébergeant les fichiers audio (sous-traitant, art. 28 du RGPD)",
    ],
    source:
      "Collectées directement auprès de la personne pendant l'appel, sur les plateformes téléphoniques de Lille, Paris, Tours, Bordeaux et Toulouse.",
    retention:
      "25 jours par défaut à compter de l'appel, puis suppression automatique du fichier audio et de sa ligne d'index ; durée paramétrable par campagne, jamais plus de 6 mois (recommandation CNIL). Un enregistrement nécessaire à un litige en cours est isolé et conservé jusqu'à sa clôture.",
    retentionDays: 25,
    datasets: ["recordings:calls"],
    role: "controller",
    processors: ["Prestataire de téléphonie hébergeant les fichiers audio (contrat art. 28 ; centres de données situés en France, certifiés ISO 27001 et HDS)"],
    transfers: [],
    securityMeasures: [
      "Écoute et export des enregistrements réservés aux call managers et au DPO, par compte nominatif, chaque accès journalisé",
      "Fichiers audio hébergés en France ; appels chiffrés (DTLS-SRTP) et API en HTTPS uniquement",
      "Suppression automatique à l'échéance de la durée de conservation, sauf enregistrement isolé pour un litige",
      "Enregistrement seulement après l'accord de la personne, l'accord étant conservé avec l'enregistrement",
    ],
    sensitiveData:
      "Aucune donnée sensible n'est recherchée. Des propos tenus spontanément pendant l'appel peuvent en révéler : ils ne sont ni extraits ni exploités, et disparaissent avec l'enregistrement.",
  },
  {
    code: "OP-02",
    name: "Recueil des réponses aux questionnaires d'études de marché",
    purpose:
      "Réaliser les études de marché commandées par les entreprises clientes : saisir, contrôler et analyser les réponses aux questionnaires (ex. questionnaire Osiris : possession d'un smartphone, réseaux sociaux fréquentés, fréquence d'utilisation, perception de la publicité) et produire les synthèses remises au client.",
    legalBasis:
      "Consentement de la personne interrogée (art. 6, paragraphe 1, point a) du RGPD) : la participation est libre, la personne peut refuser de répondre à une question ou interrompre l'entretien et retirer son accord à tout moment (art. 7, paragraphe 3).",
    dataCategories: [
      "Vie personnelle : équipement (smartphone), habitudes d'usage des réseaux sociaux et fréquence",
      "Opinions et perceptions (ex. la publicité sur les réseaux sociaux est intrusive)",
      "Habitudes de consommation",
      "Identifiant de l'enquête, de la question et date de la réponse",
    ],
    personCategories: ["Personnes interrogées", "Prospects contactés pour l'enquête"],
    recipients: [
      "Client commanditaire de l'étude (ex. Osiris) : synthèses agrégées produites par ComPlus, sans données nominatives",
      "Chargés d'études, opérateurs et call managers de CentreCall",
    ],
    source:
      "Directement auprès de la personne interrogée : entretien téléphonique ou en visioconférence, formulaire du site Internet, application mobile CentreCall, questionnaire PDF renvoyé par courriel.",
    retention:
      "Réponses nominatives conservées jusqu'à la livraison de l'étude au client et au plus 2 ans après la fin de l'étude ; au-delà, seules des statistiques anonymes sont conservées.",
    retentionDays: 730,
    datasets: ["sql-survey:answers"],
    role: "controller",
    processors: [],
    transfers: [],
    securityMeasures: COMPLUS_SECURITY,
  },
  {
    code: "OP-03",
    name: "Gestion des coordonnées des personnes interrogées",
    purpose:
      "Joindre les personnes à interroger, planifier et relancer les entretiens, éviter de recontacter une personne qui s'y est opposée et permettre l'exercice de ses droits.",
    legalBasis:
      "Intérêt légitime de CentreCall et de ses clients à réaliser des études de marché (art. 6, paragraphe 1, point f) du RGPD), avec droit d'opposition à tout moment (art. 21) ; prospection par courriel ou SMS uniquement avec le consentement préalable de la personne (art. L. 34-5 du code des postes et des communications électroniques).",
    dataCategories: [
      "Identité : nom, prénom",
      "Adresse postale complète",
      "Adresse électronique",
      "Numéro de téléphone",
      "Historique des tentatives de contact et opposition éventuelle",
    ],
    personCategories: ["Personnes interrogées", "Prospects"],
    recipients: [
      "Opérateurs téléphoniques et call managers de CentreCall",
      "Pôle Applications de la DSI (maintenance de ComPlus)",
      "Client commanditaire, uniquement lorsqu'il a fourni le fichier d'appel",
    ],
    source:
      "Fichier de prospects fourni par le client commanditaire (ex. Osiris) ou coordonnées données par la personne elle-même lors de l'entretien ou sur le formulaire du site Internet. En cas de collecte indirecte, la personne est informée au premier contact (art. 14 du RGPD).",
    retention:
      "3 ans à compter du dernier contact émanant de la personne (référentiel CNIL « gestion commerciale ») ; en cas d'opposition, inscription immédiate sur la liste d'opposition et suppression des coordonnées de la base d'enquête.",
    retentionDays: 1095,
    datasets: ["sql-survey:respondents"],
    role: "controller",
    processors: [],
    transfers: [],
    securityMeasures: COMPLUS_SECURITY,
  },
  {
    code: "OP-04",
    name: "Collecte multicanale ComPlus (site web, courriel, application mobile, saisie opérateur)",
    purpose:
      "Centraliser dans la base ComPlus les réponses et coordonnées reçues par plusieurs canaux : formulaire du site Internet (insertion directe), courriels contenant un questionnaire PDF converti automatiquement en CSV, application mobile (données transférées en JSON), saisie manuelle par les opérateurs pour les enquêtes par téléphone ou visioconférence ; contrôler les formats (dates notamment) et rapprocher les données d'une même personne.",
    legalBasis:
      "Celle du traitement alimenté : consentement pour les réponses aux questionnaires (art. 6, paragraphe 1, point a), intérêt légitime pour les coordonnées (art. 6, paragraphe 1, point f) ; obligation de sécurité et d'exactitude (art. 5, paragraphe 1, point d) et art. 32 du RGPD).",
    dataCategories: [
      "Identité et coordonnées (nom, prénom, adresse postale, courriel, téléphone)",
      "Réponses aux questionnaires",
      "Canal, horodatage et fichier d'origine (PDF, CSV, JSON)",
      "Opérateur ayant saisi les données",
    ],
    personCategories: ["Personnes interrogées", "Prospects", "Opérateurs téléphoniques (auteur de la saisie)"],
    recipients: [
      "Pôle Applications et pôle Infrastructures et serveurs de la DSI de CentreCall",
      "Call managers (rapports d'activité ComPlus)",
      "Client commanditaire (synthèses d'études uniquement)",
    ],
    source:
      "La personne elle-même (site Internet, courriel, application mobile, entretien) ; saisie par les opérateurs lorsque la source n'est pas traitable automatiquement.",
    retention:
      "Fichiers intermédiaires (PDF reçus, CSV et JSON de transfert) supprimés après intégration et contrôle, au plus tard 30 jours après réception ; les données intégrées suivent les durées d'OP-02 et OP-03. Les dates qui ne respectent pas le format déclaré sont signalées, jamais devinées (incident d'inversion jour/mois du 20/05).",
    retentionDays: 30,
    datasets: ["sql-survey:respondents", "sql-survey:answers"],
    role: "controller",
    processors: [],
    transfers: [],
    securityMeasures: COMPLUS_SECURITY,
  },
  {
    code: "OP-05",
    name: "Écoute et contrôle qualité des appels par les call managers",
    purpose:
      "Évaluer la qualité des entretiens, former et accompagner les opérateurs téléphoniques, et vérifier la cohérence entre les propos tenus pendant l'appel et les données saisies dans ComPlus (incident d'intégrité du 14/06).",
    legalBasis:
      "Intérêt légitime de CentreCall à contrôler la qualité de ses prestations et à former ses équipes (art. 6, paragraphe 1, point f) du RGPD) ; information préalable des salariés et consultation du CSE (art. L. 1222-4 et L. 2312-38 du code du travail) ; information et droit d'opposition des personnes appelées.",
    dataCategories: [
      "Voix (écoute en direct ou de l'enregistrement)",
      "Vie personnelle (propos tenus pendant l'entretien)",
      "Grille d'évaluation et commentaires sur la prestation de l'opérateur",
      "Date, heure et centre d'appels",
    ],
    personCategories: ["Opérateurs téléphoniques de CentreCall", "Prospects et personnes interrogées"],
    recipients: ["Call managers du centre d'appels concerné", "Service formation de CentreCall"],
    source: "Enregistrements d'OP-01 et écoutes en direct réalisées depuis la plateforme téléphonique.",
    retention:
      "Écoutes réalisées sur les enregistrements pendant leur durée de conservation (25 jours par défaut, 6 mois au maximum) ; grilles d'évaluation conservées 1 an au plus, sans extrait audio.",
    retentionDays: 25,
    datasets: ["recordings:calls"],
    role: "controller",
    processors: [],
    transfers: [],
    securityMeasures: [
      "Écoutes réservées aux call managers du centre concerné et au service formation, par compte nominatif",
      "Grilles d'évaluation sans extrait audio, accessibles au seul opérateur évalué et à sa hiérarchie",
      "Journalisation des écoutes",
    ],
  },
  {
    code: "OP-06",
    name: "Gestion de la relation client (CRM) pour le compte des clients",
    purpose:
      "Tenir l'historique des contacts et interactions multicanal (appel, courriel, SMS, application mobile) avec les usagers des entreprises clientes afin d'assurer le suivi de leurs demandes par l'accueil téléphonique.",
    legalBasis:
      "Exécution du contrat liant le client à ses usagers (art. 6, paragraphe 1, point b) du RGPD) et intérêt légitime du client à suivre la relation (art. 6, paragraphe 1, point f) ; CentreCall agit en sous-traitant du client (contrat art. 28).",
    dataCategories: [
      "Identité et coordonnées (nom, prénom, courriel, téléphone)",
      "Historique des interactions : date, canal, objet, suite donnée",
      "Numéro de client ou de dossier chez l'entreprise cliente",
    ],
    personCategories: ["Clients et usagers des entreprises clientes", "Prospects"],
    recipients: ["Entreprise cliente (responsable du traitement)", "Opérateurs d'accueil téléphonique et call managers de CentreCall"],
    source: "La personne elle-même lors de ses contacts, et l'entreprise cliente (fichier clients).",
    retention: "3 ans à compter du dernier contact, ou durée fixée par le contrat du client si elle est plus courte.",
    retentionDays: 1095,
    datasets: ["crm-http:contacts", "crm-http:interactions"],
    role: "processor",
    controllerClient: "NEVA",
    processors: [],
    transfers: [],
    securityMeasures: [
      "Accès au CRM du client par compte nominatif, limité aux opérateurs affectés à son accueil téléphonique",
      "API du CRM en HTTPS, authentifiée par jeton",
      "Aucune copie des données hors du CRM du client, sauf le temps de répondre à une demande d'exercice de droits, sur ses instructions",
    ],
  },
  {
    code: "OP-07",
    name: "Traitement des demandes d'exercice des droits (RightsDesk)",
    purpose:
      "Recevoir, vérifier et traiter les demandes d'accès, de rectification, d'effacement, de portabilité, de limitation et d'opposition, respecter les délais légaux et pouvoir prouver la réponse apportée.",
    legalBasis:
      "Obligation légale (art. 6, paragraphe 1, point c) du RGPD) : articles 12 à 22 du RGPD et article 77 du décret n° 2019-536 du 29 mai 2019.",
    dataCategories: [
      "Identité et coordonnées du demandeur (et de son mandataire le cas échéant)",
      "Contenu de la demande et échanges",
      "Éléments de vérification d'identité (sans copie de pièce d'identité conservée après contrôle)",
      "Journal d'audit des actions réalisées",
    ],
    personCategories: ["Demandeurs (personnes concernées)", "Mandataires", "Personnel de CentreCall traitant les demandes"],
    recipients: ["Délégué à la protection des données et service support de CentreCall", "Autorité de contrôle (CNIL) sur demande"],
    source: "La personne elle-même (site Internet, téléphone, courrier, courriel ou en personne) ou son mandataire.",
    retention:
      "5 ans après la clôture de la demande, à titre de preuve (prescription de droit commun) ; les archives d'accès sont supprimées à l'expiration du lien de téléchargement.",
    retentionDays: 1826,
    datasets: ["rightsdesk:requests"],
    role: "controller",
    processors: [
      "Passerelle d'envoi de SMS (codes de vérification et liens) — contrat art. 28",
      "Serveur de messagerie de CentreCall (envoi des courriels)",
    ],
    transfers: [],
    securityMeasures: [
      "Vérification d'identité proportionnée (lien ou code envoyé au contact connu), sans copie de pièce d'identité conservée",
      "Données des systèmes interrogés et archives chiffrées au repos (AES-256-GCM), liens de téléchargement à usage unique et de durée limitée",
      "Accès du personnel par compte nominatif avec double authentification, sessions limitées, chaque accès à des données personnelles journalisé",
      "Journal d'audit chaîné (empreintes SHA-256) permettant de détecter toute modification",
      "Aucune donnée personnelle dans les adresses des pages ni dans les journaux techniques",
    ],
  },
  {
    code: "OP-08",
    name: "Comptes du personnel et journal d'audit de RightsDesk",
    purpose:
      "Authentifier le personnel qui traite les demandes (DPO, support, téléconseillers), limiter chacun à ce que son rôle permet, et tracer chaque accès à des données personnelles pour pouvoir en rendre compte (sécurité du traitement et responsabilité).",
    legalBasis:
      "Obligation légale de sécurité et de responsabilité (art. 5, paragraphe 2, art. 24 et art. 32 du RGPD, art. 6, paragraphe 1, point c)) ; intérêt légitime de CentreCall à prouver le traitement des demandes (art. 6, paragraphe 1, point f)).",
    dataCategories: [
      "Identité professionnelle : nom, adresse électronique professionnelle, rôle, site",
      "Données d'authentification : empreinte du mot de passe, secret de double authentification",
      "Journal d'audit : action, date, référence de la demande concernée (sans les données de la personne)",
    ],
    personCategories: ["Personnel de CentreCall utilisant le back-office (DPO, support, téléconseillers, administrateurs)"],
    recipients: ["Administrateurs de RightsDesk et délégué à la protection des données", "Autorité de contrôle (CNIL) sur demande"],
    source: "Le membre du personnel et son responsable, à la création du compte ; le journal est produit par RightsDesk.",
    retention:
      "Compte : jusqu'au départ de la personne ou au retrait de son accès. Journal d'audit : 5 ans, comme les demandes dont il prouve le traitement ; les entrées ne contiennent aucune donnée des demandeurs.",
    retentionDays: 1826,
    datasets: ["rightsdesk:staff"],
    role: "controller",
    processors: [],
    transfers: [],
    securityMeasures: [
      "Mots de passe conservés sous forme d'empreinte, double authentification, sessions limitées et fermées au changement de mot de passe",
      "Journal chaîné et vérifiable (npm run -s cli -- audit verify)",
    ],
  },
];

/**
 * The companies named on CentreCall's records. Osiris, Lumen Énergie and
 * Verdi Mobilité commission the surveys (the client named on each respondent
 * and on each survey call's recording is the Art. 19 recipient of that
 * person's data); Neva Assurances has its reception desk run by CentreCall on
 * its own CRM, for which CentreCall is its processor (OP-06, Art. 30(2)).
 */
const CLIENTS: Omit<typeof registerClients.$inferInsert, "updatedAt">[] = [
  {
    code: "OSIRIS",
    name: "Osiris",
    aliases: ["Osiris", "OSIRIS-RS-2026"],
    contactEmail: "rgpd@osiris.example",
    address: "Osiris — Protection des données\n12, avenue de la République\n75011 Paris",
    dpoContact: "Délégué à la protection des données d'Osiris — rgpd@osiris.example",
  },
  {
    code: "LUMEN",
    name: "Lumen Énergie",
    aliases: ["Lumen Énergie", "LUMEN-ENERGIE-2026"],
    contactEmail: "rgpd@lumen-energie.example",
    address: "Lumen Énergie — Protection des données\n4, quai de la Fosse\n44000 Nantes",
    dpoContact: "Délégué à la protection des données de Lumen Énergie — rgpd@lumen-energie.example",
  },
  {
    code: "VERDI",
    name: "Verdi Mobilité",
    aliases: ["Verdi Mobilité", "VERDI-MOBILITE-2026"],
    contactEmail: "dpo@verdi-mobilite.example",
    address: "Verdi Mobilité — Protection des données\n8, rue Sainte-Catherine\n33000 Bordeaux",
    dpoContact: "Délégué à la protection des données de Verdi Mobilité — dpo@verdi-mobilite.example",
  },
  {
    code: "NEVA",
    name: "Neva Assurances",
    aliases: ["Neva Assurances"],
    contactEmail: "dpo@client-crm.example",
    address: "Neva Assurances — Délégué à la protection des données\n20, rue Nationale\n59000 Lille",
    dpoContact: "Délégué à la protection des données de Neva Assurances — dpo@client-crm.example",
    processingCategories: [
      "Accueil téléphonique de ses usagers et suivi de leurs demandes dans son CRM (appels, courriels, SMS, application mobile)",
      "Assistance dans la réponse aux demandes d'exercice des droits de ses usagers, sur ses instructions (art. 28, paragraphe 3, point e))",
    ],
    transfers: [],
    securityMeasures: [
      "Accès au CRM du client par compte nominatif, limité aux opérateurs affectés à son accueil",
      "API du CRM en HTTPS, authentifiée par jeton ; aucune copie hors du CRM sauf sur instruction",
      "Confidentialité imposée aux opérateurs ; journalisation des accès",
    ],
  },
];

/** Seeds the register when it is empty; returns the number of operations written. */
export async function seedRegister(db: Db, now: Date): Promise<number> {
  const existing = (await rawGet<{ n: number }>(db, sql`SELECT count(*) AS n FROM processing_operations`))!.n;
  if (existing > 0) return 0;
  const rows = OPERATIONS.map((o) => NewOperationInput.parse(o)); // all valid, or nothing written
  await withTx(db, async (tx) => {
    for (const row of rows) await tx.insert(processingOperations).values({ ...row, version: 1, updatedAt: now, updatedBy: null });
    for (const client of CLIENTS) await tx.insert(registerClients).values({ ...client, updatedAt: now }).onConflictDoNothing();
  });
  return rows.length;
}
