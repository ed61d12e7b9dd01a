import { z } from "zod";
import type { DatasetPresentation, FieldPresentation } from "./types";

/**
 * What the readable copy of an archive calls a dataset and its fields, as
 * connectors.config.json may write it. The sql-survey mapping carries these
 * on its tables and columns; the recordings and CRM connectors have fixed
 * fields with labels of their own, which `presentation` overrides.
 */

const words = (what: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `required: ${what}` : `expected a string: ${what}`) }).trim().min(1, `must not be empty: ${what}`);

export const LocalisedSchema = z.strictObject(
  { fr: words("the French text"), en: words("the English text") },
  { error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")}: expected {"fr": "…", "en": "…"}` : 'expected {"fr": "…", "en": "…"}') },
);

export const FIELD_FORMATS = ["text", "number", "date", "instant", "duration", "boolean", "phone", "audio", "reference"] as const;
export const FieldFormatSchema = z.enum(FIELD_FORMATS, { error: `expected one of ${FIELD_FORMATS.map((f) => `"${f}"`).join(", ")}` });

/** A stored code (operator_entry) → what it means, in both languages. */
export const ValuesSchema = z.record(z.string().min(1), LocalisedSchema, { error: 'expected an object: stored value → {"fr": "…", "en": "…"}' });

const pair = (what: string) => z.tuple([words(`the singular of ${what}`), words(`the plural of ${what}`)], { error: `expected ["singular", "plural"]: ${what}` });
export const UnitSchema = z.strictObject(
  { fr: pair("the French word"), en: pair("the English word") },
  { error: 'expected {"fr": ["réponse", "réponses"], "en": ["answer", "answers"]}' },
);

export const FieldPresentationSchema = z.strictObject(
  { label: LocalisedSchema.optional(), format: FieldFormatSchema.optional(), values: ValuesSchema.optional() },
  { error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")} in a field's presentation (label, format, values)` : "expected an object: { label, format, values }") },
);

/** `presentation` of a connector with fixed fields: dataset → { title, unit, fields: field → { label, format, values } }. */
export const PresentationOverridesSchema = z.record(
  z.string().min(1),
  z.strictObject(
    { title: LocalisedSchema.optional(), unit: UnitSchema.optional(), fields: z.record(z.string().min(1), FieldPresentationSchema).optional() },
    { error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")} in a dataset's presentation (title, unit, fields)` : "expected an object: { title, unit, fields }") },
  ),
  { error: "expected an object: dataset → { title, unit, fields }" },
);
export type PresentationOverrides = z.infer<typeof PresentationOverridesSchema>;

/** A connector's own labels with its configuration's on top, field by field (a configured label keeps the default format). */
export function withOverrides(defaults: Record<string, DatasetPresentation>, overrides: PresentationOverrides | undefined): Record<string, DatasetPresentation> {
  const out: Record<string, DatasetPresentation> = structuredClone(defaults);
  for (const [dataset, o] of Object.entries(overrides ?? {})) {
    const d = (out[dataset] ??= { fields: {} });
    if (o.title) d.title = o.title;
    if (o.unit) d.unit = o.unit;
    for (const [field, f] of Object.entries(o.fields ?? {})) d.fields[field] = { ...d.fields[field], ...f } satisfies FieldPresentation;
  }
  return out;
}

/** The datasets an override names that the connector does not have: a typo would otherwise leave raw names in every copy. */
export function unknownDatasets(defaults: Record<string, DatasetPresentation>, overrides: PresentationOverrides | undefined): string[] {
  return Object.keys(overrides ?? {}).filter((d) => !(d in defaults));
}

/** The five call centres, as their names are written (the systems store them in lower case). */
export const SITE_VALUES = {
  lille: { fr: "Lille", en: "Lille" },
  paris: { fr: "Paris", en: "Paris" },
  tours: { fr: "Tours", en: "Tours" },
  bordeaux: { fr: "Bordeaux", en: "Bordeaux" },
  toulouse: { fr: "Toulouse", en: "Toulouse" },
} satisfies Record<string, { fr: string; en: string }>;
