import { parsePhoneNumberFromString as parseAny } from "libphonenumber-js/min";
import { parsePhoneNumberFromString } from "libphonenumber-js/mobile";
import { z } from "zod";
import { RIGHTS } from "../../db/schema/enums";
import { INTAKE_FIELDS, type IntakeField } from "./intake-fields";

/**
 * The public request form, shared by the server (authoritative) and the
 * browser (instant feedback). Error messages are catalogue keys, translated
 * where they are shown, so the same schema serves both languages.
 */
export type ErrorKey =
  | "required"
  | "rights_required"
  | "invalid"
  | "too_long"
  | "name_invalid"
  | "email_invalid"
  | "phone_invalid"
  | "mobile_required"
  | "contact_required"
  | "method_unavailable"
  | "subject_required"
  | "mandate_required"
  | "mandate_type"
  | "mandate_mixed"
  | "mandate_active"
  | "mandate_size"
  | "mandate_until_invalid"
  | "mandate_scope_required"
  | "subject_contact_required"
  | "rectification_required"
  | "form_unreadable";

const err = (key: ErrorKey) => ({ error: key });

/** French numbers as typed ("06 12 34 56 78") or international ones, as E.164; null when not a mobile number. */
export function normalisePhone(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw, "FR");
  return parsed && parsed.isValid() ? parsed.number : null;
}

/** Any valid number, landlines included (callers ring from them); E.164 or null. */
export function normaliseAnyPhone(raw: string): string | null {
  const parsed = parseAny(raw, "FR");
  return parsed && parsed.isValid() ? parsed.number : null;
}

const text = (max: number) =>
  z
    .string(err("required"))
    .transform((s) => s.trim())
    .pipe(z.string().max(max, err("too_long")));

const name = z
  .string(err("required"))
  .transform((s) => s.trim().replace(/\s+/g, " "))
  .pipe(
    z
      .string()
      .min(1, err("required"))
      .max(100, err("too_long"))
      .regex(/^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u, err("name_invalid")),
  );

const optionalName = z
  .string(err("invalid"))
  .transform((s) => s.trim().replace(/\s+/g, " "))
  .pipe(
    z.union([
      z.literal(""),
      z
        .string()
        .max(100, err("too_long"))
        .regex(/^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u, err("name_invalid")),
    ]),
  );

const email = z
  .string(err("email_invalid"))
  .transform((s) => s.trim())
  .pipe(z.union([z.literal(""), z.string().max(254, err("too_long")).pipe(z.email(err("email_invalid")))]));

const phone = z
  .string(err("phone_invalid"))
  .max(40, err("phone_invalid"))
  .transform((s, ctx) => {
    const trimmed = s.trim();
    if (trimmed === "") return "";
    // Landlines and foreign numbers too: a recording or a CRM entry may hold either.
    const e164 = normaliseAnyPhone(trimmed);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: "phone_invalid" });
      return z.NEVER;
    }
    return e164;
  });

export const IntakeInput = z
  .object({
    rights: z.array(z.enum(RIGHTS, err("invalid")), err("rights_required")).min(1, err("rights_required")).max(RIGHTS.length),
    lastName: name,
    firstName: name,
    email,
    phone,
    verificationMethod: z.enum(["email", "sms"], err("invalid")).optional(),
    onBehalf: z.enum(["self", "other"], err("required")),
    subjectLastName: optionalName,
    subjectFirstName: optionalName,
    /** the represented person's own email / phone: what is searched, once a link to them comes back */
    subjectEmail: email.default(""),
    subjectPhone: phone.default(""),
    /** CNIL 2021-070: what the mandate states — how long it runs, the data concerned, who gets the answer */
    mandateUntil: z.string(err("mandate_until_invalid")).trim().default(""),
    mandateScope: text(1000).default(""),
    mandateAnswerTo: z.enum(["representative", "subject"], err("invalid")).default("representative"),
    details: text(5000),
    rectificationWrong: text(1000),
    rectificationCorrect: text(1000),
    contactConsent: z.boolean(),
  })
  .superRefine((v, ctx) => {
    if (!v.email && !v.phone) {
      ctx.addIssue({ code: "custom", path: ["email"], message: "contact_required" });
    }
    if (v.verificationMethod === "sms" && !v.phone) {
      ctx.addIssue({ code: "custom", path: ["phone"], message: "method_unavailable" });
    } else if ((v.verificationMethod === "sms" || (!v.verificationMethod && !v.email)) && v.phone && !normalisePhone(v.phone)) {
      // A code by SMS needs a mobile; a landline may come with an email address, verified by link.
      ctx.addIssue({ code: "custom", path: ["phone"], message: "mobile_required" });
    }
    if (v.verificationMethod === "email" && !v.email && v.phone) {
      ctx.addIssue({ code: "custom", path: ["email"], message: "method_unavailable" });
    }
    if (v.onBehalf === "other") {
      if (!v.subjectLastName) ctx.addIssue({ code: "custom", path: ["subjectLastName"], message: "subject_required" });
      if (!v.subjectFirstName) ctx.addIssue({ code: "custom", path: ["subjectFirstName"], message: "subject_required" });
      // The represented person is searched with their own identifiers, never the representative's.
      if (!v.subjectEmail && !v.subjectPhone) ctx.addIssue({ code: "custom", path: ["subjectEmail"], message: "subject_contact_required" });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v.mandateUntil) || Number.isNaN(Date.parse(v.mandateUntil)))
        ctx.addIssue({ code: "custom", path: ["mandateUntil"], message: "mandate_until_invalid" });
      if (!v.mandateScope) ctx.addIssue({ code: "custom", path: ["mandateScope"], message: "mandate_scope_required" });
    }
    if (v.rights.includes("rectification")) {
      if (!v.rectificationWrong) ctx.addIssue({ code: "custom", path: ["rectificationWrong"], message: "rectification_required" });
      if (!v.rectificationCorrect)
        ctx.addIssue({ code: "custom", path: ["rectificationCorrect"], message: "rectification_required" });
    }
  })
  .transform((v) => ({
    ...v,
    // Email is the default channel: it also carries the status link later.
    verificationMethod: v.verificationMethod ?? (v.email ? "email" : "sms"),
  }));
export type IntakeInput = z.output<typeof IntakeInput>;

export { INTAKE_FIELDS, type IntakeField };
export type FieldErrors = Partial<Record<IntakeField, ErrorKey>>;

const KNOWN_KEYS = new Set<string>([
  "required", "rights_required", "invalid", "too_long", "name_invalid", "email_invalid", "phone_invalid", "mobile_required",
  "contact_required", "method_unavailable", "subject_required", "mandate_required", "mandate_type", "mandate_mixed", "mandate_active",
  "mandate_size", "rectification_required", "mandate_until_invalid", "mandate_scope_required", "subject_contact_required", "form_unreadable",
]);

/** Form fields as the schema expects them; anything missing becomes empty, never undefined. */
export function intakeFromForm(form: { get(name: string): unknown; getAll(name: string): unknown[] }) {
  const str = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v : "";
  };
  const method = str("verificationMethod");
  return {
    rights: form.getAll("rights").filter((v): v is string => typeof v === "string"),
    lastName: str("lastName"),
    firstName: str("firstName"),
    email: str("email"),
    phone: str("phone"),
    verificationMethod: method === "" ? undefined : method,
    onBehalf: str("onBehalf") || "self",
    subjectLastName: str("subjectLastName"),
    subjectFirstName: str("subjectFirstName"),
    subjectEmail: str("subjectEmail"),
    subjectPhone: str("subjectPhone"),
    mandateUntil: str("mandateUntil"),
    mandateScope: str("mandateScope"),
    mandateAnswerTo: str("mandateAnswerTo") || "representative",
    details: str("details"),
    rectificationWrong: str("rectificationWrong"),
    rectificationCorrect: str("rectificationCorrect"),
    contactConsent: str("contactConsent") === "on" || str("contactConsent") === "true",
  };
}

/** First error per field, as a catalogue key. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = (issue.path[0] ?? "rights") as IntakeField;
    if (out[field]) continue;
    out[field] = (KNOWN_KEYS.has(issue.message) ? issue.message : field === "rights" ? "rights_required" : "invalid") as ErrorKey;
  }
  return out;
}
