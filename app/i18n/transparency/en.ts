import type { Widen } from "../widen";
import type { transparencyFr } from "./fr";

export const transparencyEn: Widen<typeof transparencyFr> = {
  footer: {
    navLabel: "Legal information",
    publisher: (name: string) => `Site published by ${name}, controller of the processing of your requests.`,
    dpo: "Data protection officer:",
    privacy: "Privacy notice",
    legal: "Legal notice",
    cookies: "Cookies",
    accessibility: (status: string) => `Accessibility: ${status}`,
  },
  status: { total: "fully compliant", partial: "partially compliant", none: "non-compliant" },
  privacy: {
    title: "Privacy notice",
    intro: (name: string) =>
      `As Article 13 of the GDPR requires, this page tells you how ${name} processes the personal data you entrust to it on this site and when you exercise your rights, whatever the means (this site, telephone, post, email or in person).`,
    controllerTitle: "Who processes your data?",
    controller: "Controller",
    dpo: "Data protection officer",
    name: "Name",
    email: "Email",
    phone: "Telephone",
    address: "Address",
    processingTitle: "Why, on what basis and for how long?",
    fromRegister:
      "This information is that of our record of processing activities (Article 30 of the GDPR), reproduced as the record describes it; the record is kept in French.",
    registerMissing:
      "Our record of processing activities does not describe this processing yet. The data protection officer will tell you its purposes, legal basis, recipients and retention period on request.",
    purpose: "Purpose",
    legalBasis: "Legal basis",
    dataCategories: "Data processed",
    recipients: "Recipients",
    retention: "Retention period",
    source: "Where the data come from",
    transfersTitle: "Transfers outside the European Union",
    noTransfer: "The data of this processing are not transferred to any country outside the European Union.",
    transfersIntro: "Some data of this processing are transferred outside the European Union, with the following safeguards:",
    transfer: (recipient: string, country: string) => `${recipient} (${country}):`,
    requiredTitle: "Must you provide these data?",
    required:
      "You are never obliged to make a request. For us to handle yours, the information marked with an asterisk (*) in the form is needed: your name, a way to reach you and the right you are exercising, and a mandate if you act for someone else. Without it we can neither check that the request comes from the person concerned nor answer them (Article 12(6) of the GDPR). The other fields are optional.",
    automatedTitle: "Automated decisions",
    automated: (unconfirmedDays: number, unansweredDays: number) =>
      `No decision producing legal effects concerning you is based solely on automated processing, including profiling (Article 22 of the GDPR): a refusal, an extension of the time limit or an erasure is decided by a person in our team. Only two closures are automatic, and you can make your request again at any time: a request never confirmed is closed ${unconfirmedDays} days after it was sent, and a request on which we asked you a question left unanswered is closed ${unansweredDays} days later, after a reminder.`,
    rightsTitle: "Your rights",
    rightsIntro:
      "You can ask for access to your data, their rectification, their erasure, their portability or the restriction of their processing, and object to their processing (Articles 15 to 21 of the GDPR). You can also set out instructions on what happens to your data after your death (Article 85 of the French Data Protection Act).",
    rightsHow: "To exercise these rights:",
    rightsForm: "fill in the request form",
    rightsWrite: "or write to the data protection officer:",
    rightsPost: "or by post:",
    complaintTitle: "Complaint to the CNIL",
    complaint: (authority: string) =>
      `If, after contacting us, you consider that your rights are not respected, you may lodge a complaint with the supervisory authority: ${authority}.`,
    complaintOnline: "Complaint online:",
    cookiesTitle: "Cookies",
    cookiesLink: "The cookies this site sets, and why, are listed on the Cookies page.",
  },
  legal: {
    title: "Legal notice",
    intro: "Information published under Article 6 of French Law No. 2004-575 of 21 June 2004 on confidence in the digital economy (LCEN).",
    publisherTitle: "Publisher",
    name: "Company name",
    legalForm: "Legal form and share capital",
    registration: "Registration",
    vatNumber: "EU VAT number",
    address: "Registered office",
    phone: "Telephone",
    email: "Email",
    directorTitle: "Publication director",
    hostTitle: "Host",
    hostName: "Name",
    hostAddress: "Address",
    dataTitle: "Personal data",
    data: "How your data are processed, your rights and how to reach the data protection officer are described in the",
    dataLink: "privacy notice",
  },
  cookies: {
    title: "Cookies",
    intro: (name: string) =>
      `A cookie is a small file a site stores in your browser. On this site ${name} stores only the cookies listed below, each strictly necessary for the service you ask for. No audience-measurement, advertising or social-network cookie is used, and no third party sets cookies through this site.`,
    consent:
      "These cookies need no consent: Article 82 of the French Data Protection Act (Law No. 78-17 of 6 January 1978) exempts cookies strictly necessary to provide a service expressly requested by the user, as the CNIL's guidelines and recommendation of 17 September 2020 explain. That is why this site does not ask for your agreement.",
    tableCaption: "Cookies set by this site",
    name: "Name",
    purpose: "What it does",
    why: "Why it is necessary",
    lifetime: "Maximum lifetime",
    when: "When it is set",
    list: {
      lang: {
        purpose: "Remembers the language you chose (French or English).",
        why: "Without it every page would come back in French: it is a customisation of the interface you asked for.",
        when: "When you click “English” or “Français”.",
      },
      rd_pending: {
        purpose: "Links your browser to the request you have just sent, to show you its reference and, if you chose a text message, to enter the code received.",
        why: "Without it the confirmation page would not know which request to confirm. It holds a signed token, never your contact details.",
        when: "After you send the request form.",
      },
      rd_follow: {
        purpose: "Opens the follow-up page of your request after a successful check (link received or code).",
        why: "Without it the follow-up page could not show your request without putting its token in the address. It holds a signed token, never your contact details.",
        when: "After a successful check.",
      },
      rd_claim: {
        purpose: "Remembers for one hour the reference and a keyed hash (never the number) of the telephone typed in “Follow a request”.",
        why: "Without it you could not enter the new code sent by text message for that request.",
        when: "When you follow a request with a telephone number.",
      },
      rd_staff: {
        purpose: "Identifies the session of a staff member signed in to the back office.",
        why: "Without it the back office could not know who is signed in nor protect the requesters' data. It is set for staff only.",
        when: "On signing in to the back office; deleted on signing out.",
      },
    },
    attributes:
      "All these cookies are marked HttpOnly (no script can read them), SameSite=Lax (the browser does not send them with requests coming from other sites) and Secure when the site is served over HTTPS.",
    storageTitle: "Browser session storage",
    storage:
      "To move between pages, the site also uses your browser's session storage (sessionStorage): the scroll position of each page visited (key “positions”) and, after an update of the site, its version number (key “remix-manifest-version”). These values are never sent to the server and disappear when you close the tab.",
    manageTitle: "Deleting or blocking these cookies",
    manage:
      "You can delete these cookies or block them in your browser's settings. The site is still shown, but your choice of language will not be remembered, and you will be able neither to enter a code received by text message nor to follow your request online; you can then make and follow your request by telephone or by post.",
    duration: (seconds: number) => {
      if (seconds % 86_400 === 0 && seconds >= 86_400 * 365) {
        const years = Math.round(seconds / (86_400 * 365));
        return years > 1 ? `${years} years` : "1 year";
      }
      if (seconds % 86_400 === 0 && seconds > 86_400) return `${seconds / 86_400} days`;
      if (seconds % 3_600 === 0) return seconds === 3_600 ? "1 hour" : `${seconds / 3_600} hours`;
      return `${Math.round(seconds / 60)} minutes`;
    },
  },
  accessibility: {
    title: "Accessibility statement",
    commitment: (name: string) =>
      `${name} is committed to making this site accessible in accordance with Article 47 of French Law No. 2005-102 of 11 February 2005.`,
    scope: (site: string) => `This accessibility statement applies to the site ${site}.`,
    statusTitle: "Compliance status",
    status: (status: string) => `This site is ${status} with the French accessibility framework (RGAA), version 4.1.`,
    noAudit:
      "No audit of compliance with the RGAA criteria has been carried out yet. Without audit results the RGAA does not allow any compliance, even partial, to be claimed: the site is therefore declared non-compliant.",
    resultsTitle: "Test results",
    auditResult: (auditor: string, date: string, rate: string) =>
      `The compliance audit carried out by ${auditor} on ${date} shows that ${rate}% of the RGAA version 4.1 criteria are met.`,
    auditPages: "Pages audited:",
    checksResult: (date: string) =>
      `Automated checks were run on ${date}: they accept no issue of “serious” or “critical” impact on the pages checked. These tools cover only part of the RGAA criteria and do not replace an audit.`,
    nonAccessibleTitle: "Non-accessible content",
    nonCompliance: "Known non-compliance",
    noKnownIssue: "No non-compliance is known so far; others may exist as long as no full audit has been carried out.",
    derogations: "Exemptions for disproportionate burden: none is claimed.",
    establishedTitle: "Preparation of this statement",
    established: (date: string) => `This statement was prepared on ${date}.`,
    technologies: "Technologies used to build the site: HTML5, CSS, JavaScript (React).",
    tools: "Tools used to check accessibility:",
    pages: "Pages of the site that were checked:",
    contactTitle: "Feedback and contact",
    contact: (name: string) =>
      `If you cannot access a content or a service, contact ${name} to be directed to an accessible alternative or to obtain the content in another form:`,
    contactEmail: "by email:",
    contactPost: "by post:",
    contactPhone: "by telephone, including to make a request about your data:",
    remedyTitle: "Remedies",
    remedyWhen:
      "If you have reported an accessibility defect that prevents you from accessing a content or a service of the site and have not received a satisfactory answer, you can:",
    remedyForm: "write to the Défenseur des droits (online form):",
    remedyDelegate: "contact the Défenseur des droits' delegate in your region:",
    remedyPhone: "call the Défenseur des droits:",
    remedyPost: "send a letter by post (free of charge, no stamp needed):",
  },
};
