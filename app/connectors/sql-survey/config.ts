import { z } from "zod";
import { DATE_FORMATS, SWAPPABLE_FORMATS } from "./dates";
import { IDENTIFIER } from "./dialect";
import { FieldFormatSchema, LocalisedSchema, UnitSchema, ValuesSchema } from "../presentation";
import type { DatasetPresentation } from "../types";
import { heldAfterMasking, isRetained, MASK_KEYWORDS, type MaskRule } from "./masking";

/**
 * The connector's entry in connectors.config.json. Messages name what is
 * wrong in the words of the file; the registry prefixes each with its exact
 * path (connectors[0].mapping.tables.respondents.identity.email).
 */
export const kind = "sql-survey";
export const DIALECTS = ["sqlite", "postgres", "mariadb"] as const;

const unknownKeys = (what: string) => (iss: { code?: string; keys?: string[] }) =>
  iss.code === "unrecognized_keys" && iss.keys
    ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")} in ${what}`
    : `expected an object: ${what}`;

const sqlName = (what: string) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `required: ${what}` : `expected a string: ${what}`) })
    .regex(IDENTIFIER, `must be a plain SQL identifier (letters, digits, underscore; not starting with a digit): ${what}`);

const datasetName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, "a dataset name is lower-case letters, digits and underscores, starting with a letter (it appears as sql-survey:<dataset>)");

const envName = (what: string) =>
  z
    .string({ error: `expected the name of an environment variable: ${what}` })
    .regex(/^[A-Z_][A-Z0-9_]*$/, `must be the name of an environment variable (upper case, e.g. SURVEY_DATABASE_URL): ${what}`);

const text = (what: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `required: ${what}` : `expected a string: ${what}`) }).trim().min(1, `must not be empty: ${what}`);

export const PORTABILITY = ["provided", "observed", "context"] as const;

const Column = z.strictObject(
  {
    /** Given by the person (typed, said, answered): in the portability archive, and what rectification offers. */
    providedBySubject: z.boolean({ error: "expected true or false" }).default(false),
    /**
     * Portability (Art. 20, WP242): "provided" (the same as providedBySubject), "observed" (recorded
     * about the person's use of a service: a date, a channel), or "context" (not theirs, but needed to
     * understand what is: an answer's question). Left out: not in the portability archive (what our
     * staff or systems created or inferred).
     */
    portability: z.enum(PORTABILITY, { error: `expected one of ${PORTABILITY.map((p) => `"${p}"`).join(", ")}` }).optional(),
    /** Accepted formats, tried in order; a value that fits none is reported as an anomaly. */
    dateFormats: z
      .array(z.enum(DATE_FORMATS, { error: `expected one of ${DATE_FORMATS.map((f) => `"${f}"`).join(", ")}` }))
      .min(1, "list at least one format, or leave dateFormats out")
      .refine((f) => !(f.includes("dd/mm/yyyy") && f.includes("mm/dd/yyyy")), "dd/mm/yyyy and mm/dd/yyyy together would mean guessing which one a value is in")
      .optional(),
    /**
     * Day and month may be swapped in any row (dates written by several
     * systems): a slashed date that reads both ways is reported with both
     * readings instead of being read.
     */
    ambiguousDayMonth: z.boolean({ error: "expected true or false" }).default(false),
    /** what the readable copy of an archive calls the column: {"fr": "Code postal", "en": "Postcode"} */
    label: LocalisedSchema.optional(),
    /** how the readable copy writes its values (a column with dateFormats is a date without saying so) */
    format: FieldFormatSchema.optional(),
    /** what its stored codes mean: {"operator_entry": {"fr": "Saisie par un enquêteur", "en": "Entered by an interviewer"}} */
    values: ValuesSchema.optional(),
  },
  { error: unknownKeys("a column (providedBySubject, portability, dateFormats, ambiguousDayMonth, label, format, values)") },
);

/**
 * The column naming the channel a row came in through, and the channels
 * whose slashed dates may have day and month swapped (ComPlus's mobile app).
 * Related tables inherit their parent row's channel.
 */
const Channel = z.strictObject(
  {
    column: sqlName("the column holding the channel a row came in through"),
    ambiguousDates: z
      .array(text("a channel value"), {
        error: (iss) =>
          iss.input === undefined
            ? 'required: the channel values whose dates may have day and month swapped, e.g. ["mobile_json"]'
            : 'expected a list of channel values, e.g. ["mobile_json"]',
      })
      .min(1, "list at least one channel value, or leave channel out"),
  },
  { error: unknownKeys("channel (column, ambiguousDates)") },
);

const Identity = z.strictObject(
  {
    email: sqlName("the column holding the email address").optional(),
    /** "lowercase": stored trimmed and lower-cased (plain equality); "as-entered": compared case-insensitively. */
    emailStored: z.enum(["lowercase", "as-entered"], { error: 'expected "lowercase" or "as-entered"' }).default("as-entered"),
    phone: sqlName("the column holding the phone number").optional(),
    /** "e164": stored as +33612345678 (plain equality); "as-entered": the common spellings are tried, then compared parsed. */
    phoneStored: z.enum(["e164", "as-entered"], { error: 'expected "e164" or "as-entered"' }).default("e164"),
    lastName: sqlName("the last-name column").optional(),
    firstName: sqlName("the first-name column").optional(),
    postcode: sqlName("the postcode column").optional(),
  },
  { error: unknownKeys("identity (email, emailStored, phone, phoneStored, lastName, firstName, postcode)") },
);

const Relation = z.strictObject(
  {
    /** the parent dataset */
    to: datasetName,
    /** this table's column pointing at the parent */
    column: sqlName("the column pointing at the parent row"),
    /** the parent's column it points at; its primary key when left out */
    references: sqlName("the parent column referenced").optional(),
  },
  { error: unknownKeys("relation (to, column, references)") },
);

const RETAIN_UNTIL = /^(\d{4}-\d{2}-\d{2}|P(?=\d)(\d+Y)?(\d+M)?(\d+D)?)$/;
const UNTIL_FORMS = "an ISO date (2031-12-31) or a duration from the row's creation (P3Y)";

/** When a kept column's retention ends: the certificate tells the person. */
const until = (what: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `required: until, when ${what} ends — ${UNTIL_FORMS}` : `expected ${UNTIL_FORMS}`) }).regex(RETAIN_UNTIL, `expected ${UNTIL_FORMS}`);

/** A retain rule names its problem itself: the union's message would only list the forms. */
function retainRuleProblem(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null || !("retain" in input)) return undefined;
  const r = input as Record<string, unknown>;
  const extra = Object.keys(r).filter((k) => k !== "retain" && k !== "until");
  if (extra.length) return `unknown field${extra.length > 1 ? "s" : ""} ${extra.map((k) => `"${k}"`).join(", ")} in a retain rule (retain, until)`;
  if (typeof r.retain !== "string" || !r.retain.trim()) return 'a retain rule needs the legal basis for keeping this column: {"retain": "…", "until": "P3Y"}';
  if (r.until === undefined) return `a retain rule needs until, when keeping this column ends: ${UNTIL_FORMS}`;
  if (typeof r.until !== "string" || !RETAIN_UNTIL.test(r.until)) return `until: expected ${UNTIL_FORMS}`;
  return undefined;
}

const MaskRuleSchema: z.ZodType<MaskRule> = z.union(
  [
    z.enum(MASK_KEYWORDS),
    z.strictObject({ fixed: z.string({ error: "expected the replacement text" }) }),
    z.strictObject({ retain: text("the legal basis for keeping this column"), until: until("keeping this column") }, { error: unknownKeys("a retain rule (retain, until)") }),
  ],
  {
    error: (iss) =>
      retainRuleProblem(iss.input) ?? 'expected "null", "keyed-hash", "postcode-generalise", {"fixed": "text"} or {"retain": "legal basis", "until": "P3Y"}',
  },
);

/** Why, and until when, an anonymised row keeps the columns its mask leaves (or hashes, or generalises). */
const Kept = z.strictObject(
  {
    legalBasis: text("the legal basis for keeping what the mask leaves in the row"),
    until: until("keeping what the mask leaves in the row"),
  },
  { error: unknownKeys('kept ({"legalBasis": "…", "until": "P3Y"})') },
);

const Erasure = z.discriminatedUnion(
  "strategy",
  [
    z.strictObject({ strategy: z.literal("delete") }, { error: unknownKeys("a delete strategy (strategy)") }),
    z.strictObject(
      {
        strategy: z.literal("anonymize"),
        /** column → rule; columns not listed are kept as they are */
        mask: z.record(sqlName("a masked column"), MaskRuleSchema, { error: "expected an object: column → masking rule" }),
        /**
         * The legal ground and end date of every column the row still holds after masking that has no
         * retain rule of its own: columns not listed in mask, keyed hashes, generalised postcodes.
         */
        kept: Kept.optional(),
      },
      { error: unknownKeys("an anonymize strategy (strategy, mask, kept)") },
    ),
    z.strictObject(
      {
        strategy: z.literal("retain"),
        legalBasis: text("the legal basis for keeping these rows (e.g. Art. 17(3)(b), accounting obligation)"),
        /** an ISO date, or an ISO 8601 duration from the row's creation (P10Y) */
        until: z.string({ error: "required: until (an ISO date or a duration like P10Y)" }).regex(RETAIN_UNTIL, `expected ${UNTIL_FORMS}`),
      },
      { error: unknownKeys("a retain strategy (strategy, legalBasis, until)") },
    ),
  ],
  { error: 'expected {"strategy": "delete"}, {"strategy": "anonymize", "mask": {…}} or {"strategy": "retain", "legalBasis": …, "until": …}' },
);

const Table = z.strictObject(
  {
    /** the SQL table; the dataset's name when left out */
    table: sqlName("the table name").optional(),
    /** a single-column primary key: it becomes the record's opaque key */
    primaryKey: sqlName("the primary-key column"),
    /** the columns handed over on access; columns not declared here are never read */
    columns: z.record(sqlName("a column name"), Column, { error: "expected an object: column → { providedBySubject, portability, dateFormats, ambiguousDayMonth }" }),
    identity: Identity.optional(),
    relation: Relation.optional(),
    /** where this table's rows came from, for dates whose day and month may be swapped; related tables inherit it */
    channel: Channel.optional(),
    /** a 0/1 (or boolean) column marking restricted rows; without it, rows are listed in rightsdesk_restrictions */
    restrictedColumn: sqlName("the restriction flag column").optional(),
    /**
     * Art. 19: the column naming the company a row was collected for (a survey's client), which
     * received it; the register maps the value to that company's contact. Related tables inherit it.
     */
    recipientColumn: sqlName("the column naming the company the row was collected for").optional(),
    erasure: Erasure,
    /** the readable copy's title for this dataset: {"fr": "Vos réponses aux questionnaires", "en": "Your survey answers"} */
    title: LocalisedSchema.optional(),
    /** the word for one of its rows: {"fr": ["réponse", "réponses"], "en": ["answer", "answers"]} */
    unit: UnitSchema.optional(),
  },
  { error: unknownKeys("a table (table, primaryKey, columns, identity, relation, restrictedColumn, recipientColumn, channel, erasure, title, unit)") },
);

export const MappingSchema = z
  .strictObject(
    {
      tables: z.record(datasetName, Table, { error: "expected an object: dataset name → table" }),
    },
    { error: unknownKeys("mapping (tables)") },
  )
  .superRefine((mapping, ctx) => {
    const tables = mapping.tables;
    const names = Object.keys(tables);
    if (names.length === 0) ctx.addIssue({ code: "custom", path: ["tables"], message: "declare at least one table" });
    if (!names.some((n) => tables[n]?.identity)) ctx.addIssue({ code: "custom", path: ["tables"], message: "no table declares identity columns: nothing could ever be found" });

    for (const [name, t] of Object.entries(tables)) {
      const at = (...rest: (string | number)[]) => ["tables", name, ...rest];
      // Names already rejected by their own schema are not reported a second time here.
      const declared = (col: string) => !IDENTIFIER.test(col) || col in t.columns || col === t.primaryKey;

      if (!t.identity && !t.relation) ctx.addIssue({ code: "custom", path: at(), message: "declares neither identity nor relation: its rows could never be found" });

      if (t.identity) {
        const id = t.identity;
        for (const k of ["email", "phone", "lastName", "firstName", "postcode"] as const) {
          const col = id[k];
          if (col && !declared(col)) ctx.addIssue({ code: "custom", path: at("identity", k), message: `column "${col}" is not declared in tables.${name}.columns` });
        }
        const nameKey = [id.lastName, id.firstName, id.postcode];
        if (nameKey.some(Boolean) && !nameKey.every(Boolean))
          ctx.addIssue({ code: "custom", path: at("identity"), message: "lastName, firstName and postcode are one combined key: declare all three or none" });
        if (!id.email && !id.phone && !id.lastName) ctx.addIssue({ code: "custom", path: at("identity"), message: "declare at least one of email, phone, or lastName+firstName+postcode" });
      }

      if (t.relation) {
        const r = t.relation;
        const parent = tables[r.to];
        if (!parent) ctx.addIssue({ code: "custom", path: at("relation", "to"), message: `no dataset "${r.to}" in tables (expected one of ${names.join(", ")})` });
        else if (r.to === name) ctx.addIssue({ code: "custom", path: at("relation", "to"), message: "a table cannot relate to itself" });
        else if (r.references && !(r.references in parent.columns) && r.references !== parent.primaryKey)
          ctx.addIssue({ code: "custom", path: at("relation", "references"), message: `column "${r.references}" is not declared in tables.${r.to}.columns` });
      }

      if (t.restrictedColumn === t.primaryKey) ctx.addIssue({ code: "custom", path: at("restrictedColumn"), message: "cannot be the primary key" });

      for (const [col, c] of Object.entries(t.columns)) {
        if (c.providedBySubject && c.portability && c.portability !== "provided")
          ctx.addIssue({ code: "custom", path: at("columns", col, "portability"), message: `providedBySubject means "provided": a column cannot also be "${c.portability}"` });
      }
      const carried = Object.values(t.columns).some((c) => c.providedBySubject || c.portability === "provided" || c.portability === "observed");
      const context = Object.entries(t.columns).find(([, c]) => c.portability === "context");
      if (context && !carried)
        ctx.addIssue({
          code: "custom",
          path: at("columns", context[0], "portability"),
          message: `"context" explains provided or observed data in the same table, and tables.${name} has none: such a row would say nothing about the person`,
        });
      for (const [col, c] of Object.entries(t.columns))
        if (c.ambiguousDayMonth && !c.dateFormats?.some((f) => SWAPPABLE_FORMATS.includes(f)))
          ctx.addIssue({ code: "custom", path: at("columns", col, "ambiguousDayMonth"), message: `needs ${SWAPPABLE_FORMATS.join(" or ")} in dateFormats (only a slashed date can have its day and month swapped)` });
      if (t.channel && !declared(t.channel.column))
        ctx.addIssue({ code: "custom", path: at("channel", "column"), message: `column "${t.channel.column}" is not declared in tables.${name}.columns` });

      if (t.erasure.strategy === "anonymize") {
        const mask = t.erasure.mask;
        if (t.primaryKey in mask) ctx.addIssue({ code: "custom", path: at("erasure", "mask", t.primaryKey), message: "the primary key cannot be masked" });
        for (const col of Object.keys(mask))
          if (col !== t.primaryKey && !declared(col)) ctx.addIssue({ code: "custom", path: at("erasure", "mask", col), message: `column "${col}" is not declared in tables.${name}.columns` });
        // Whatever stays in the row is still about the person: the certificate gives its ground and end date.
        const { held } = heldAfterMasking(Object.keys(t.columns), t.primaryKey, mask);
        const needGround = held.filter((h) => !h.retain).map((h) => h.column);
        if (needGround.length && !t.erasure.kept)
          ctx.addIssue({
            code: "custom",
            path: at("erasure", "kept"),
            message: `required: ${needGround.join(", ")} stay in the row after masking (left as they are, hashed or generalised): give their legal ground and end date, {"legalBasis": "…", "until": "P3Y"}, or mask them with null or a fixed text`,
          });
        // An anonymised row that can still be found by its identifiers is not anonymous.
        for (const col of identityColumns(t.identity).filter((c) => IDENTIFIER.test(c) && c in t.columns)) {
          const rule = mask[col];
          if (!rule || isRetained(rule))
            ctx.addIssue({ code: "custom", path: at("erasure", "mask", col), message: `identity column "${col}" must be masked (null, keyed-hash, postcode-generalise or fixed)` });
        }
      }
    }

    // Relations must form a forest: parents are read before children.
    for (const start of names) {
      const seen = new Set<string>([start]);
      let current = tables[start]?.relation?.to;
      while (current && tables[current]) {
        if (seen.has(current)) {
          ctx.addIssue({ code: "custom", path: ["tables", start, "relation", "to"], message: `relations form a cycle through "${current}"` });
          break;
        }
        seen.add(current);
        current = tables[current]?.relation?.to;
      }
    }
  });

export type Mapping = z.infer<typeof MappingSchema>;
/** What a mapping is written as (defaults may be left out). */
export type MappingInput = z.input<typeof MappingSchema>;
export type TableMapping = Mapping["tables"][string];
export type IdentityMapping = NonNullable<TableMapping["identity"]>;

/** The readable copy's titles and labels, from the mapping: a column with dateFormats reads as a date. */
export function presentationOf(mapping: Mapping): Record<string, DatasetPresentation> {
  return Object.fromEntries(
    Object.entries(mapping.tables).map(([dataset, t]) => [
      dataset,
      {
        ...(t.title && { title: t.title }),
        ...(t.unit && { unit: t.unit }),
        fields: Object.fromEntries(
          Object.entries(t.columns).map(([name, c]) => {
            const format = c.format ?? (c.dateFormats ? "date" : undefined);
            return [name, { ...(c.label && { label: c.label }), ...(format && { format }), ...(c.values && { values: c.values }) }];
          }),
        ),
      },
    ]),
  );
}

export function identityColumns(identity: IdentityMapping | undefined): string[] {
  if (!identity) return [];
  return [identity.email, identity.phone, identity.lastName, identity.firstName, identity.postcode].filter((c): c is string => !!c);
}

export const ConfigSchema = z
  .strictObject(
    {
      id: z
        .string({ error: "required: the connector's id" })
        .regex(/^[a-z][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and dashes, starting with a letter (at most 40)"),
      kind: z.literal(kind, { error: `expected "${kind}"` }),
      label: text("the name staff see for this source"),
      dialect: z.enum(DIALECTS, { error: `expected one of ${DIALECTS.map((d) => `"${d}"`).join(", ")}` }),
      /** sqlite only: file:var/demo-survey.sqlite (relative to the working directory) */
      url: z.string({ error: "expected a string" }).optional(),
      /** postgres and mariadb: the environment variable holding postgres://… or mysql://… with its password */
      urlEnv: envName("the variable holding the database URL").optional(),
      /** the environment variable holding the secret for keyed-hash masking; required when a mask uses keyed-hash */
      hashKeyEnv: envName("the variable holding the keyed-hash secret").optional(),
      /** rows per export batch and keys per IN list */
      batchSize: z.number({ error: "expected a number" }).int("expected a whole number").min(1).max(5000).default(500),
      /** per statement, on postgres and mariadb */
      queryTimeoutMs: z.number({ error: "expected a number" }).int("expected a whole number").min(100).max(600_000).default(15_000),
      poolSize: z.number({ error: "expected a number" }).int("expected a whole number").min(1).max(50).default(4),
      mapping: MappingSchema,
    },
    { error: unknownKeys("a sql-survey connector (id, kind, label, dialect, url, urlEnv, hashKeyEnv, batchSize, queryTimeoutMs, poolSize, mapping)") },
  )
  .superRefine((c, ctx) => {
    if (c.dialect === "sqlite") {
      if (!c.url) ctx.addIssue({ code: "custom", path: ["url"], message: 'required for dialect "sqlite": the database file, e.g. "file:var/demo-survey.sqlite"' });
      else if (!c.url.startsWith("file:") || c.url.length <= "file:".length)
        ctx.addIssue({ code: "custom", path: ["url"], message: 'expected "file:<path>", e.g. "file:var/demo-survey.sqlite"' });
      if (c.urlEnv) ctx.addIssue({ code: "custom", path: ["urlEnv"], message: 'not used with dialect "sqlite": give the file in url' });
    } else {
      if (!c.urlEnv)
        ctx.addIssue({ code: "custom", path: ["urlEnv"], message: `required for dialect "${c.dialect}": the name of the environment variable holding the ${c.dialect === "postgres" ? "postgres://" : "mysql://"} URL` });
      if (c.url !== undefined)
        ctx.addIssue({ code: "custom", path: ["url"], message: `not allowed for dialect "${c.dialect}": a server URL carries a password; put it in the environment and name the variable in urlEnv` });
    }
    const keyed = Object.entries(c.mapping.tables).find(([, t]) => t.erasure.strategy === "anonymize" && Object.values(t.erasure.mask).includes("keyed-hash"));
    if (keyed && !c.hashKeyEnv)
      ctx.addIssue({ code: "custom", path: ["hashKeyEnv"], message: `required: tables.${keyed[0]}.erasure.mask uses keyed-hash, which needs a secret from the environment` });
  });

export type Config = z.infer<typeof ConfigSchema>;
