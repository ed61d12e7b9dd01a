import { SITE_VALUES } from "../presentation";
import type { MappingInput } from "./config";

/**
 * The mapping of the demo survey database (demo.ts), for the same three
 * dialects. Portability (Art. 20, WP242): what the respondent told us
 * (identity, contact, answers) is `providedBySubject`; what ComPlus recorded
 * about their taking part (when, through which channel, at which site) is
 * "observed"; the study's client and each answer's question are "context",
 * there so the answers can be understood. Our record numbers are none of these.
 *
 * Erasure keeps a respondent row for the client's statistics (OP-02): what
 * stays — a keyed hash of the email, the département, the city, the site, the
 * channel, the client, the interview date — is pseudonymised data, each with
 * the register's ground and end date (OP-02: at most two years).
 *
 * A connector entry using it:
 *   { "id": "survey", "kind": "sql-survey", "label": "Études de marché (ComPlus)",
 *     "dialect": "sqlite", "url": "file:var/demo-survey.sqlite",
 *     "hashKeyEnv": "SURVEY_MASK_KEY", "mapping": <this object> }
 *
 * connectors.config.json holds the same mapping (the demo's configuration): keep them in step.
 */
export const demoSurveyMapping = {
  tables: {
    respondents: {
      primaryKey: "id",
      columns: {
        id: { label: { fr: "Numéro de participant", en: "Participant number" }, format: "reference" },
        last_name: { providedBySubject: true, label: { fr: "Nom", en: "Last name" } },
        first_name: { providedBySubject: true, label: { fr: "Prénom", en: "First name" } },
        address: { providedBySubject: true, label: { fr: "Adresse", en: "Address" } },
        postcode: { providedBySubject: true, label: { fr: "Code postal", en: "Postcode" } },
        city: { providedBySubject: true, label: { fr: "Ville", en: "Town" } },
        email: { providedBySubject: true, label: { fr: "Adresse électronique", en: "Email address" } },
        phone: { providedBySubject: true, label: { fr: "Téléphone", en: "Phone" }, format: "phone" },
        survey_client: { portability: "context", label: { fr: "Étude réalisée pour", en: "Survey carried out for" } },
        site: { portability: "observed", label: { fr: "Centre d'appels", en: "Call centre" }, values: SITE_VALUES },
        created_at: { dateFormats: ["iso-datetime"], portability: "observed", label: { fr: "Date de l'entretien", en: "Interview date" } },
        source_channel: {
          portability: "observed",
          label: { fr: "Vos réponses ont été recueillies", en: "How your answers were collected" },
          values: {
            operator_entry: { fr: "Saisies par un enquêteur au téléphone", en: "Entered by an interviewer on the phone" },
            web_form: { fr: "Par le formulaire en ligne", en: "Through the online form" },
            mobile_json: { fr: "Par l'application mobile", en: "Through the mobile app" },
            email_pdf_csv: { fr: "Par un questionnaire renvoyé par courriel", en: "By a questionnaire returned by email" },
          },
        },
      },
      title: { fr: "Votre participation aux études de marché", en: "Your participation in market surveys" },
      unit: { fr: ["participation", "participations"], en: ["participation", "participations"] },
      // Art. 19: each respondent was surveyed for one client, who receives the results.
      recipientColumn: "survey_client",
      identity: {
        email: "email",
        // Operators type addresses as the person spells them: compared case-insensitively.
        emailStored: "as-entered",
        phone: "phone",
        phoneStored: "e164",
        lastName: "last_name",
        firstName: "first_name",
        postcode: "postcode",
      },
      // Ticket n° 1: the mobile app's JSON dates were written month-first into a day-first column. A
      // slashed date from that channel that reads both ways is reported with both readings, never read
      // one way; the answers inherit their respondent's channel.
      channel: { column: "source_channel", ambiguousDates: ["mobile_json"] },
      erasure: {
        strategy: "anonymize",
        // The row stays for the client's survey statistics (site, channel, département), without the person.
        mask: {
          last_name: "null",
          first_name: "null",
          address: { fixed: "[effacé]" },
          postcode: "postcode-generalise",
          email: "keyed-hash",
          phone: "null",
          created_at: {
            retain: "Date de l'entretien : preuve due au client commanditaire que l'étude a été réalisée (OP-02, jusqu'à la livraison de l'étude et au plus 2 ans)",
            until: "P2Y",
          },
        },
        kept: {
          legalBasis: "Statistiques de l'étude remises au client commanditaire, sans nom ni coordonnées (OP-02 : réponses conservées jusqu'à la livraison de l'étude et au plus 2 ans)",
          until: "P2Y",
        },
      },
    },
    answers: {
      primaryKey: "id",
      columns: {
        id: { label: { fr: "Numéro de la réponse", en: "Answer number" }, format: "reference" },
        respondent_id: { label: { fr: "Numéro de participant", en: "Participant number" }, format: "reference" },
        // The question is ComPlus's, not the person's: in the portability archive only to make the answer readable.
        question: { portability: "context", label: { fr: "Question posée", en: "Question asked" } },
        answer: { providedBySubject: true, label: { fr: "Votre réponse", en: "Your answer" } },
        // ComPlus writes ISO from the web form and the PDF→CSV import, day-first from operators; the
        // mobile app's month-first dates are the ticket n° 1 bug: its channel is declared ambiguous above.
        answered_at: { dateFormats: ["iso-datetime", "dd/mm/yyyy"], portability: "observed", label: { fr: "Date de la réponse", en: "Date answered" } },
      },
      title: { fr: "Vos réponses aux questionnaires", en: "Your survey answers" },
      unit: { fr: ["réponse", "réponses"], en: ["answer", "answers"] },
      relation: { to: "respondents", column: "respondent_id" },
      erasure: { strategy: "delete" },
    },
  },
} satisfies MappingInput;
