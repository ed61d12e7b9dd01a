import type { MappingInput } from "./config";

/**
 * The mapping of the demo survey database (demo.ts), for the same three
 * dialects. Portability: what the respondent told us (identity, contact,
 * answers) is `providedBySubject`; what ComPlus recorded about the survey
 * (client, site, channel, timestamps, the question asked) is not.
 *
 * A connector entry using it:
 *   { "id": "survey", "kind": "sql-survey", "label": "Études de marché (ComPlus)",
 *     "dialect": "sqlite", "url": "file:var/demo-survey.sqlite",
 *     "hashKeyEnv": "SURVEY_MASK_KEY", "mapping": <this object> }
 */
export const demoSurveyMapping = {
  tables: {
    respondents: {
      primaryKey: "id",
      columns: {
        id: {},
        last_name: { providedBySubject: true },
        first_name: { providedBySubject: true },
        address: { providedBySubject: true },
        postcode: { providedBySubject: true },
        city: { providedBySubject: true },
        email: { providedBySubject: true },
        phone: { providedBySubject: true },
        survey_client: {},
        site: {},
        created_at: { dateFormats: ["iso-datetime"] },
        source_channel: {},
      },
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
          created_at: { retain: "Proof of when the survey interview took place, owed to the client (OP-01, preuve de l'appel)" },
        },
      },
    },
    answers: {
      primaryKey: "id",
      columns: {
        id: {},
        respondent_id: {},
        question: {},
        answer: { providedBySubject: true },
        // ComPlus writes ISO from the web form and the PDF→CSV import, day-first from operators; the
        // mobile app's month-first dates are the ticket n° 1 bug: its channel is declared ambiguous above.
        answered_at: { dateFormats: ["iso-datetime", "dd/mm/yyyy"] },
      },
      relation: { to: "respondents", column: "respondent_id" },
      erasure: { strategy: "delete" },
    },
  },
} satisfies MappingInput;
