/**
 * The web form's fields, in the order they appear (and their errors are
 * listed). Kept apart from intake-input.ts so that the form page can name
 * them without loading zod and the phone-number metadata with the page.
 */
export const INTAKE_FIELDS = [
  "rights",
  "lastName",
  "firstName",
  "email",
  "phone",
  "verificationMethod",
  "onBehalf",
  "subjectLastName",
  "subjectFirstName",
  "subjectEmail",
  "subjectPhone",
  "mandateUntil",
  "mandateScope",
  "mandateAnswerTo",
  "mandate",
  "details",
  "rectificationWrong",
  "rectificationCorrect",
  "contactConsent",
] as const;
export type IntakeField = (typeof INTAKE_FIELDS)[number];
