import { adminFr } from "./admin/fr";

/**
 * French catalogue: the default language and the reference shape; en.ts must
 * provide every key (the type checker enforces it).
 */
export const fr = {
  langName: "Français",
  meta: { title: "RightsDesk — Vos droits sur vos données personnelles · CentreCall" },
  layout: {
    skip: "Aller au contenu",
    brand: "CentreCall · Vos données personnelles",
    switchTo: "English",
    switchToLabel: "Read this site in English",
    nav: { home: "Vos droits", file: "Faire une demande", follow: "Suivre une demande" },
    footer:
      "CentreCall, responsable de traitement · Délégué à la protection des données : dpo@centrecall.example · Vous pouvez aussi saisir la CNIL (www.cnil.fr).",
  },
  rights: {
    access: "Accès à mes données",
    rectification: "Rectification de données inexactes",
    erasure: "Effacement de mes données",
    portability: "Portabilité de mes données",
    restriction: "Limitation du traitement",
    objection: "Opposition au traitement (dont le démarchage)",
  },
  rightsHelp: {
    access:
      "Savoir si CentreCall traite des données vous concernant et en recevoir une copie : réponses aux enquêtes, coordonnées, historique de contacts et enregistrements d'appels (article 15 du RGPD).",
    rectification:
      "Faire corriger une donnée inexacte ou compléter une donnée incomplète, par exemple une adresse ou une réponse mal saisie (article 16).",
    erasure:
      "Faire supprimer vos données. Certaines peuvent être conservées quand la loi l'impose ; nous vous dirons lesquelles et pourquoi (article 17).",
    portability:
      "Recevoir les données que vous nous avez fournies dans un format ouvert et lisible par une machine (JSON et CSV), pour les réutiliser ailleurs (article 20).",
    restriction:
      "Geler l'utilisation de vos données, par exemple le temps de vérifier une donnée que vous contestez (article 18).",
    objection:
      "Vous opposer à l'utilisation de vos données. Pour la prospection, dont le démarchage téléphonique, l'opposition est toujours acceptée (article 21).",
  },
  home: {
    title: "Vos droits sur vos données personnelles",
    intro:
      "CentreCall réalise des enquêtes et des appels pour le compte de ses clients depuis ses centres de Lille, Paris, Tours, Bordeaux et Toulouse. Si nous avons pu enregistrer des informations vous concernant, vous pouvez exercer vos droits ici.",
    rightsTitle: "Ce que vous pouvez demander",
    howTitle: "Comment ça se passe",
    how: [
      "C'est gratuit.",
      "Vous remplissez le formulaire, puis vous confirmez votre identité par un lien envoyé par courriel ou un code envoyé par SMS.",
      "Nous vous répondons dans un délai d'un mois à compter de la réception de votre demande. Pour une demande complexe, ce délai peut être prolongé de deux mois : nous vous le dirons avant la fin du premier mois, avec les raisons.",
      "Tant que votre identité n'est pas confirmée, ce délai est suspendu.",
      "Vous pouvez suivre votre demande à tout moment avec sa référence.",
    ],
    cta: "Faire une demande",
    follow: "Suivre une demande existante",
    complaint:
      "Si vous n'êtes pas satisfait de notre réponse, vous pouvez introduire une réclamation auprès de la CNIL (www.cnil.fr) ou exercer un recours devant le juge.",
  },
  form: {
    title: "Faire une demande",
    intro: "Les champs marqués d'un astérisque (*) sont obligatoires.",
    required: "obligatoire",
    rightsLegend: "Que souhaitez-vous demander ? *",
    rightsHint: "Vous pouvez cocher plusieurs cases.",
    identityLegend: "Votre identité",
    lastName: "Nom *",
    firstName: "Prénom *",
    contactLegend: "Comment vous joindre",
    contactHint: "Indiquez au moins une adresse électronique ou un numéro de téléphone portable.",
    email: "Adresse électronique",
    emailHint: "Exemple : prenom.nom@exemple.fr",
    phone: "Téléphone portable",
    phoneHint: "Exemple : 06 12 34 56 78 ou +33 6 12 34 56 78",
    methodLegend: "Comment confirmer votre identité ?",
    methodEmail: "Par un lien envoyé par courriel",
    methodSms: "Par un code envoyé par SMS",
    behalfLegend: "Pour qui faites-vous cette demande ? *",
    behalfSelf: "Pour moi-même",
    behalfOther: "Pour une autre personne, que je représente",
    subjectLastName: "Nom de la personne représentée *",
    subjectFirstName: "Prénom de la personne représentée *",
    mandate: "Mandat ou justificatif de représentation *",
    mandateHint: (max: string) => `Fichier PDF, JPEG ou PNG, ${max} au maximum.`,
    details: "Précisions sur votre demande",
    detailsHint: "Par exemple : l'enquête ou l'appel concerné, la période, le client pour lequel vous avez été contacté(e).",
    rectificationLegend: "Rectification",
    rectificationWrong: "Quelle donnée est inexacte ? *",
    rectificationCorrect: "Quelle est la valeur correcte ? *",
    consent: "J'accepte d'être contacté(e) par CentreCall au sujet de cette demande, si des précisions sont nécessaires.",
    submit: "Envoyer ma demande",
    privacy:
      "Les informations de ce formulaire servent uniquement à traiter votre demande et sont conservées le temps nécessaire à cette fin et à la preuve de notre réponse.",
    errorSummary: (n: number) => (n > 1 ? `Le formulaire contient ${n} erreurs :` : "Le formulaire contient une erreur :"),
  },
  errors: {
    required: "Ce champ est obligatoire.",
    rights_required: "Choisissez au moins un droit.",
    invalid: "Cette valeur n'est pas valide.",
    too_long: "Ce texte est trop long.",
    name_invalid: "Ce nom contient des caractères non acceptés.",
    email_invalid: "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr.",
    phone_invalid: "Saisissez un numéro de téléphone portable valide, par exemple 06 12 34 56 78.",
    contact_required: "Indiquez une adresse électronique ou un numéro de téléphone portable.",
    method_unavailable: "Ce moyen de confirmation demande le champ correspondant.",
    subject_required: "Indiquez le nom et le prénom de la personne représentée.",
    mandate_required: "Joignez le mandat ou le justificatif de représentation.",
    mandate_type: "Le fichier doit être au format PDF, JPEG ou PNG.",
    mandate_size: (max: string) => `Le fichier dépasse la taille maximale de ${max}.`,
    rectification_required: "Pour une rectification, indiquez la donnée inexacte et la valeur correcte.",
  },
  filed: {
    title: "Votre demande est enregistrée",
    reference: "Référence de votre demande :",
    keep: "Conservez cette référence : elle vous permettra de suivre votre demande.",
    checkEmail:
      "Pour que nous puissions la traiter, confirmez votre identité en cliquant sur le lien que nous venons d'envoyer par courriel. Le lien est valable 24 heures.",
    checkSms: "Pour que nous puissions la traiter, saisissez le code à 6 chiffres que nous venons d'envoyer par SMS. Le code est valable 10 minutes.",
    paused: "Le délai de réponse d'un mois commencera à courir dès que votre identité sera confirmée.",
    codeLabel: "Code reçu par SMS *",
    referenceLabel: "Référence de la demande *",
    codeSubmit: "Confirmer",
    resend: "Recevoir un nouveau code",
    resent: "Un nouveau code vient d'être envoyé.",
    notReceived: "Vous n'avez rien reçu ? Vérifiez vos courriers indésirables.",
    fileAgain: "Déposer une nouvelle demande",
  },
  verify: {
    title: "Confirmer votre identité",
    explain: "Cliquez sur le bouton ci-dessous pour confirmer votre adresse électronique et transmettre votre demande.",
    button: "Je confirme ma demande",
    invalidTitle: "Ce lien ne fonctionne pas",
    invalid:
      "Ce lien de confirmation est invalide, a déjà été utilisé ou a expiré. Si vous avez déjà confirmé votre demande, suivez-la depuis la page « Suivre une demande ». Sinon, déposez une nouvelle demande.",
    codeInvalid: "Ce code n'est pas valide ou a expiré.",
    codeAttempts: (left: number) =>
      left > 1 ? `Il vous reste ${left} essais.` : left === 1 ? "Il vous reste 1 essai." : "",
    codeLocked: "Trop d'essais pour ce code. Demandez un nouveau code.",
    codeFormat: "Le code se compose de 6 chiffres.",
    noPending: "Nous ne retrouvons pas de demande en attente de confirmation dans ce navigateur. Indiquez sa référence.",
    doneTitle: "Votre identité est confirmée",
    done: (due: string) => `Votre demande est transmise à notre délégué à la protection des données. Nous vous répondrons au plus tard le ${due}.`,
  },
  follow: {
    title: "Suivre une demande",
    intro:
      "Indiquez la référence de votre demande et l'adresse électronique ou le numéro de portable utilisés pour la déposer. Nous vous enverrons un lien d'accès personnel.",
    reference: "Référence de la demande *",
    referenceHint: "Exemple : DSR-2026-000123",
    contact: "Adresse électronique ou téléphone portable *",
    submit: "Recevoir le lien de suivi",
    sentTitle: "Vérifiez votre messagerie",
    sent:
      "Si cette référence correspond à ces coordonnées, un lien de suivi vient de vous être envoyé. Il est valable 30 jours.",
    expiredTitle: "Ce lien de suivi a expiré",
    expired: "Demandez un nouveau lien de suivi avec la référence de votre demande.",
    sessionExpired: "Pour voir votre demande, il faut un lien de suivi personnel. Demandez un nouveau lien ci-dessous.",
  },
  status: {
    title: "Votre demande",
    reference: "Référence",
    rights: "Droits demandés",
    receivedAt: "Reçue le",
    state: "État",
    dueOn: "Réponse au plus tard le",
    duePaused: "Délai suspendu tant que votre identité n'est pas confirmée.",
    dueExtended: "Délai prolongé de deux mois.",
    timeline: "Historique",
    labels: {
      awaiting_verification: "En attente de confirmation de votre identité",
      received: "Reçue, en attente de traitement",
      in_progress: "En cours de traitement",
      awaiting_requester: "En attente d'une réponse de votre part",
      ready: "Réponse prête",
      completed: "Terminée",
      refused: "Refusée",
      cancelled: "Annulée",
      duplicate: "Regroupée avec une autre demande",
      expired_unverified: "Expirée faute de confirmation d'identité",
    },
    events: {
      filed: "Demande déposée",
      verification_sent: "Lien ou code de confirmation envoyé",
      verified: "Identité confirmée : le délai de réponse court",
      acknowledged: "Accusé de réception envoyé",
      clock_paused: "Délai suspendu",
      clock_resumed: "Délai repris",
      expired: "Demande expirée faute de confirmation dans les 14 jours",
    } as Record<string, string>,
    other: "Étape de traitement",
  },
  language: { title: "Langue" },
  errorPage: {
    badRequest: "Certaines informations ne sont pas valides.",
    notFound: "Page introuvable.",
    forbidden: "Cette action n'est pas autorisée depuis cette page.",
    tooMany: "Trop de tentatives. Réessayez dans une heure.",
    payloadTooLarge: "L'envoi est trop volumineux.",
    server: "Une erreur est survenue de notre côté. Votre saisie n'a pas été enregistrée ; réessayez dans quelques minutes.",
    back: "Retour à l'accueil",
    title: "Erreur",
  },
  outbox: {
    title: "Messages envoyés (outil de développement)",
    intro: "Cette page n'existe qu'en démonstration et en développement : elle montre les courriels et SMS que l'application aurait envoyés.",
    empty: "Aucun message pour l'instant.",
    to: "Destinataire",
    channel: "Canal",
    subject: "Objet",
    status: "État",
    at: "Créé le",
  },
  admin: adminFr,
  dateLocale: "fr-FR",
  megabytes: (n: number) => `${n.toLocaleString("fr-FR", { maximumFractionDigits: 1 })} Mo`,
};

type Widen<T> = T extends string
  ? string
  : T extends (...args: infer A) => infer R
    ? (...args: A) => R
    : T extends readonly string[]
      ? string[]
      : { [K in keyof T]: Widen<T[K]> };
export type Messages = Widen<typeof fr>;
