/**
 * The transparency pages and the footer that links them (French, the
 * reference shape). Facts — names, addresses, the register's texts, the
 * audit — are arguments, taken from organisation.config.json and the
 * register; only the law's own wording lives here.
 */
export const transparencyFr = {
  footer: {
    navLabel: "Informations légales",
    publisher: (name: string) => `Site publié par ${name}, responsable du traitement de vos demandes.`,
    dpo: "Délégué à la protection des données :",
    privacy: "Politique de confidentialité",
    legal: "Mentions légales",
    cookies: "Cookies",
    accessibility: (status: string) => `Accessibilité : ${status}`,
  },
  status: { total: "totalement conforme", partial: "partiellement conforme", none: "non conforme" },
  privacy: {
    title: "Politique de confidentialité",
    intro: (name: string) =>
      `Cette page vous informe, comme l'exige l'article 13 du RGPD, de la façon dont ${name} traite les données personnelles que vous lui confiez sur ce site et lorsque vous exercez vos droits, quel que soit le moyen utilisé (site, téléphone, courrier, courriel ou en personne).`,
    controllerTitle: "Qui traite vos données ?",
    controller: "Responsable de traitement",
    dpo: "Délégué à la protection des données",
    name: "Nom",
    email: "Courriel",
    phone: "Téléphone",
    address: "Adresse",
    processingTitle: "Pourquoi, sur quelle base et pour combien de temps ?",
    fromRegister:
      "Ces informations sont celles de notre registre des activités de traitement (article 30 du RGPD), reproduites telles qu'il les décrit.",
    registerMissing:
      "Notre registre des activités de traitement ne décrit pas encore ce traitement. Le délégué à la protection des données vous en communique sur simple demande les finalités, la base légale, les destinataires et la durée de conservation.",
    purpose: "Finalité",
    legalBasis: "Base légale",
    dataCategories: "Données traitées",
    recipients: "Destinataires",
    retention: "Durée de conservation",
    source: "Origine des données",
    transfersTitle: "Transferts hors de l'Union européenne",
    noTransfer: "Les données de ce traitement ne sont transférées vers aucun pays situé hors de l'Union européenne.",
    transfersIntro: "Certaines données de ce traitement sont transférées hors de l'Union européenne, avec les garanties suivantes :",
    transfer: (recipient: string, country: string) => `${recipient} (${country}) :`,
    requiredTitle: "Devez-vous fournir ces données ?",
    required:
      "Vous n'êtes jamais obligé(e) de faire une demande. Pour que nous puissions traiter la vôtre, les informations marquées d'un astérisque (*) dans le formulaire sont nécessaires : votre nom, un moyen de vous joindre et le droit que vous exercez, ainsi qu'un mandat si vous agissez pour quelqu'un d'autre. Sans elles, nous ne pouvons ni vérifier que la demande émane bien de la personne concernée ni lui répondre (article 12, paragraphe 6, du RGPD). Les autres champs sont facultatifs.",
    automatedTitle: "Décision automatisée",
    automated: (unconfirmedDays: number, unansweredDays: number) =>
      `Aucune décision produisant des effets juridiques à votre égard n'est prise sur le seul fondement d'un traitement automatisé, profilage compris (article 22 du RGPD) : un refus, une prolongation du délai ou un effacement sont décidés par une personne de notre équipe. Deux clôtures seulement sont automatiques, et vous pouvez refaire votre demande à tout moment : une demande jamais confirmée est classée sans suite ${unconfirmedDays} jours après son envoi, et une demande pour laquelle nous vous avons posé une question restée sans réponse est close ${unansweredDays} jours plus tard, après un rappel.`,
    rightsTitle: "Vos droits",
    rightsIntro:
      "Vous pouvez demander l'accès à vos données, leur rectification, leur effacement, leur portabilité ou la limitation de leur traitement, et vous opposer à leur traitement (articles 15 à 21 du RGPD). Vous pouvez aussi définir des directives sur le sort de vos données après votre décès (article 85 de la loi « Informatique et Libertés »).",
    rightsHow: "Pour exercer ces droits :",
    rightsForm: "remplissez le formulaire de demande",
    rightsWrite: "ou écrivez au délégué à la protection des données :",
    rightsPost: "ou par courrier :",
    complaintTitle: "Réclamation auprès de la CNIL",
    complaint: (authority: string) =>
      `Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à l'autorité de contrôle : ${authority}.`,
    complaintOnline: "Réclamation en ligne :",
    cookiesTitle: "Cookies",
    cookiesLink: "La liste des cookies de ce site et leur raison d'être figurent sur la page Cookies.",
  },
  legal: {
    title: "Mentions légales",
    intro: "Informations publiées en application de l'article 6 de la loi n° 2004-575 du 21 juin 2004 pour la confiance dans l'économie numérique (LCEN).",
    publisherTitle: "Éditeur du site",
    name: "Dénomination",
    legalForm: "Forme juridique et capital",
    registration: "Immatriculation",
    vatNumber: "Numéro de TVA intracommunautaire",
    address: "Siège social",
    phone: "Téléphone",
    email: "Courriel",
    directorTitle: "Directeur de la publication",
    hostTitle: "Hébergeur",
    hostName: "Nom",
    hostAddress: "Adresse",
    dataTitle: "Données personnelles",
    data: "La façon dont vos données sont traitées, vos droits et le contact du délégué à la protection des données sont décrits dans la",
    dataLink: "politique de confidentialité",
  },
  cookies: {
    title: "Cookies",
    intro: (name: string) =>
      `Un cookie est un petit fichier déposé par un site dans votre navigateur. ${name} ne dépose sur ce site que les cookies listés ci-dessous, tous strictement nécessaires au service que vous demandez. Aucun cookie de mesure d'audience, de publicité ou de réseau social n'est utilisé, et aucun tiers ne dépose de cookie par ce site.`,
    consent:
      "Ces cookies sont exemptés de consentement : l'article 82 de la loi n° 78-17 du 6 janvier 1978 « Informatique et Libertés » dispense d'accord les cookies strictement nécessaires à la fourniture d'un service expressément demandé par l'utilisateur, ce que précisent les lignes directrices et la recommandation de la CNIL du 17 septembre 2020. C'est pourquoi ce site ne vous demande pas votre accord.",
    tableCaption: "Cookies déposés par ce site",
    name: "Nom",
    purpose: "Rôle",
    why: "Pourquoi il est nécessaire",
    lifetime: "Durée de vie maximale",
    when: "Quand il est déposé",
    list: {
      lang: {
        purpose: "Retient la langue que vous avez choisie (français ou anglais).",
        why: "Sans lui, chaque page reviendrait en français : c'est une personnalisation de l'interface que vous avez demandée.",
        when: "Quand vous cliquez sur « English » ou « Français ».",
      },
      rd_pending: {
        purpose: "Relie votre navigateur à la demande que vous venez d'envoyer, pour vous en montrer la référence et, si vous avez choisi le SMS, y saisir le code reçu.",
        why: "Sans lui, la page de confirmation ne saurait pas quelle demande confirmer. Il contient un jeton signé, jamais vos coordonnées.",
        when: "Après l'envoi du formulaire de demande.",
      },
      rd_follow: {
        purpose: "Vous ouvre la page de suivi de votre demande après une vérification réussie (lien reçu ou code).",
        why: "Sans lui, la page de suivi ne pourrait pas vous montrer votre demande sans mettre son jeton dans l'adresse. Il contient un jeton signé, jamais vos coordonnées.",
        when: "Après une vérification réussie.",
      },
      rd_claim: {
        purpose: "Retient, pour une heure, la référence et l'empreinte (jamais le numéro) du téléphone saisis dans « Suivre une demande ».",
        why: "Sans lui, vous ne pourriez pas saisir le nouveau code envoyé par SMS pour cette demande.",
        when: "Quand vous suivez une demande avec un numéro de téléphone.",
      },
      rd_staff: {
        purpose: "Identifie la session d'un membre du personnel connecté à l'espace de gestion.",
        why: "Sans lui, l'espace de gestion ne pourrait pas savoir qui est connecté ni protéger les données des demandeurs. Il n'est déposé que pour le personnel.",
        when: "À la connexion à l'espace de gestion ; supprimé à la déconnexion.",
      },
    },
    attributes:
      "Tous ces cookies sont marqués HttpOnly (aucun script ne peut les lire), SameSite=Lax (le navigateur ne les envoie pas lors de requêtes venues d'autres sites) et Secure lorsque le site est servi en HTTPS.",
    storageTitle: "Stockage de session du navigateur",
    storage:
      "Pour la navigation entre les pages, le site utilise aussi le stockage de session de votre navigateur (sessionStorage) : la position de défilement de chaque page visitée (clé « positions ») et, après une mise à jour du site, son numéro de version (clé « remix-manifest-version »). Ces valeurs ne sont jamais envoyées au serveur et disparaissent quand vous fermez l'onglet.",
    manageTitle: "Supprimer ou bloquer ces cookies",
    manage:
      "Vous pouvez supprimer ces cookies ou les bloquer dans les réglages de votre navigateur. Le site s'affiche toujours, mais votre choix de langue ne sera pas retenu, et vous ne pourrez ni saisir un code reçu par SMS ni consulter le suivi de votre demande en ligne ; vous pouvez alors faire et suivre votre demande par téléphone ou par courrier.",
    duration: (seconds: number) => {
      if (seconds % 86_400 === 0 && seconds >= 86_400 * 365) {
        const years = Math.round(seconds / (86_400 * 365));
        return years > 1 ? `${years} ans` : "1 an";
      }
      if (seconds % 86_400 === 0 && seconds > 86_400) return `${seconds / 86_400} jours`;
      if (seconds % 3_600 === 0) return seconds === 3_600 ? "1 heure" : `${seconds / 3_600} heures`;
      return `${Math.round(seconds / 60)} minutes`;
    },
  },
  accessibility: {
    title: "Déclaration d'accessibilité",
    commitment: (name: string) =>
      `${name} s'engage à rendre ce site accessible conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.`,
    scope: (site: string) => `Cette déclaration d'accessibilité s'applique au site ${site}.`,
    statusTitle: "État de conformité",
    status: (status: string) => `Ce site est ${status} avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.`,
    noAudit:
      "Aucun audit de conformité aux critères du RGAA n'a été réalisé à ce jour. Sans résultat d'audit, le RGAA ne permet pas de déclarer une conformité, même partielle : le site est donc déclaré non conforme.",
    resultsTitle: "Résultats des tests",
    auditResult: (auditor: string, date: string, rate: string) =>
      `L'audit de conformité réalisé par ${auditor} le ${date} révèle que ${rate} % des critères du RGAA version 4.1 sont respectés.`,
    auditPages: "Pages auditées :",
    checksResult: (date: string) =>
      `Des vérifications automatiques ont été faites le ${date} : elles n'acceptent aucune anomalie de gravité « sérieuse » ou « critique » sur les pages vérifiées. Ces outils ne contrôlent qu'une partie des critères du RGAA et ne remplacent pas un audit.`,
    nonAccessibleTitle: "Contenus non accessibles",
    nonCompliance: "Non-conformités connues",
    noKnownIssue: "Aucune non-conformité n'est connue à ce jour ; d'autres peuvent exister tant qu'un audit complet n'a pas été fait.",
    derogations: "Dérogations pour charge disproportionnée : aucune n'est invoquée.",
    establishedTitle: "Établissement de cette déclaration",
    established: (date: string) => `Cette déclaration a été établie le ${date}.`,
    technologies: "Technologies utilisées pour la réalisation du site : HTML5, CSS, JavaScript (React).",
    tools: "Outils utilisés pour vérifier l'accessibilité :",
    pages: "Pages du site ayant fait l'objet de la vérification :",
    contactTitle: "Retour d'information et contact",
    contact: (name: string) =>
      `Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez ${name} pour être orienté(e) vers une alternative accessible ou obtenir le contenu sous une autre forme :`,
    contactEmail: "par courriel :",
    contactPost: "par courrier :",
    contactPhone: "par téléphone, y compris pour faire une demande sur vos données :",
    remedyTitle: "Voies de recours",
    remedyWhen:
      "Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service du site et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez :",
    remedyForm: "écrire un message au Défenseur des droits (formulaire en ligne) :",
    remedyDelegate: "contacter le délégué du Défenseur des droits dans votre région :",
    remedyPhone: "appeler le Défenseur des droits :",
    remedyPost: "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) :",
  },
};
