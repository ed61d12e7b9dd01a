import type { DatasetPresentation, FieldValue } from "../app/connectors/types";
import type { Locale } from "../db/schema/enums";
import { csvText, csvTextSemicolon } from "../app/utils/csv";
import { documentParts, esc } from "./html";
import { counted, fieldLabel, humanise, instantInWords, valueForPeople, valueForSpreadsheet } from "./values";

/**
 * The readable copy of one dataset of an archive: a page a person opens in a
 * browser (titles and labels from the connector's presentation, values in
 * words), and the same table for a spreadsheet in their language. The JSON
 * and CSV beside them keep the systems' own names and values.
 */

export type ReadableDataset = {
  /** the system it came from, as staff named it (connectors.config.json) */
  source: string;
  dataset: string;
  presentation: DatasetPresentation | undefined;
  /** the columns, in the order the data files give them */
  fields: string[];
  rows: Record<string, FieldValue>[];
  /** ISO instant, or null when not known */
  gatheredAt: string | null;
  /** entry names in the archive */
  page: string;
  spreadsheet: string;
  json: string;
  csv: string;
  /** an `audio` field's value → the entry holding that file */
  files: Map<string, string>;
};

/** Where the readable files go: folder names in the reader's language. */
export const READABLE_FOLDERS: Record<Locale, { pages: string; spreadsheets: string }> = {
  fr: { pages: "lire", spreadsheets: "tableur" },
  en: { pages: "read", spreadsheets: "spreadsheet" },
};

const DEFAULT_UNIT: Record<Locale, [string, string]> = { fr: ["fiche", "fiches"], en: ["record", "records"] };

export function datasetTitle(d: Pick<ReadableDataset, "presentation" | "source" | "dataset">, locale: Locale): string {
  return d.presentation?.title?.[locale] ?? `${d.source} — ${humanise(d.dataset)}`;
}

export function datasetCount(d: Pick<ReadableDataset, "presentation" | "rows">, locale: Locale): string {
  return counted(d.rows.length, d.presentation?.unit?.[locale] ?? DEFAULT_UNIT[locale], locale);
}

const capital = (s: string) => s.charAt(0).toLocaleUpperCase("fr") + s.slice(1);

/**
 * Up to this many columns the records read as one table; more, each record is its own two-column table.
 * A table wider than a phone scrolls inside its box, which the keyboard can reach (a named region).
 */
const WIDE = 6;

const T = {
  fr: {
    subtitle: "Copie de vos données personnelles",
    back: "Retour à la lettre qui accompagne vos données",
    from: (source: string, at: string | null) => `Source : ${source}${at ? `. Données extraites le ${at}` : ""}.`,
    listen: "Écouter l'enregistrement",
    noFile: "Fichier non fourni",
    nth: (unit: string, i: number, n: number) => `${capital(unit)} ${i} sur ${n}`,
    field: "Information",
    value: "Valeur",
    machines: "Les mêmes données, telles que nos systèmes les enregistrent (noms de champs et valeurs d'origine), pour un programme :",
    json: "fichier JSON",
    csv: "fichier CSV",
    sheet: "Pour un tableur (Excel, LibreOffice), en colonnes et avec ces intitulés :",
    sheetLink: "tableau",
    none: "Aucune donnée.",
  },
  en: {
    subtitle: "Copy of your personal data",
    back: "Back to the letter that comes with your data",
    from: (source: string, at: string | null) => `Source: ${source}${at ? `. Data extracted on ${at}` : ""}.`,
    listen: "Listen to the recording",
    noFile: "File not provided",
    nth: (unit: string, i: number, n: number) => `${capital(unit)} ${i} of ${n}`,
    field: "Item",
    value: "Value",
    machines: "The same data as our systems store it (original field names and values), for a program:",
    json: "JSON file",
    csv: "CSV file",
    sheet: "For a spreadsheet (Excel, LibreOffice), in columns and with these headings:",
    sheetLink: "spreadsheet",
    none: "No data.",
  },
} satisfies Record<Locale, unknown>;

/** A path of the archive as seen from a page in the pages folder. */
const fromPage = (entry: string) => `../${entry.split("/").map(encodeURIComponent).join("/")}`;

function cell(d: ReadableDataset, field: string, value: FieldValue | undefined, locale: Locale): string {
  const p = d.presentation?.fields[field];
  if (p?.format === "audio" && typeof value === "string" && value) {
    const entry = d.files.get(value);
    return entry ? `<a href="${esc(fromPage(entry))}">${T[locale].listen}</a>` : `<span class="vide">${T[locale].noFile}</span>`;
  }
  const shown = valueForPeople(value, p, locale);
  return shown.missing ? `<span class="vide">${esc(shown.text)}</span>` : esc(shown.text).replace(/\r?\n/g, "<br>");
}

/** Our own record numbers say least to the person: after the fields that are about them. */
function pageOrder(d: ReadableDataset): string[] {
  const reference = (f: string) => d.presentation?.fields[f]?.format === "reference";
  return [...d.fields.filter((f) => !reference(f)), ...d.fields.filter(reference)];
}

function* tables(d: ReadableDataset, locale: Locale): Generator<string> {
  const t = T[locale];
  const title = datasetTitle(d, locale);
  const fields = pageOrder(d);
  const labels = fields.map((f) => fieldLabel(d.presentation, f, locale));
  if (!d.rows.length) {
    yield `<p>${t.none}</p>`;
    return;
  }
  if (fields.length <= WIDE) {
    yield `<div class="tableau" role="region" tabindex="0" aria-labelledby="tableau-1">
<table>
<caption id="tableau-1">${esc(title)} (${esc(datasetCount(d, locale))})</caption>
<thead><tr>${labels.map((l) => `<th scope="col">${esc(l)}</th>`).join("")}</tr></thead>
<tbody>
`;
    for (const r of d.rows) yield `<tr>${fields.map((f) => `<td>${cell(d, f, r[f], locale)}</td>`).join("")}</tr>\n`;
    yield `</tbody>
</table>
</div>`;
    return;
  }
  const unit = (d.presentation?.unit?.[locale] ?? DEFAULT_UNIT[locale])[0];
  for (const [i, r] of d.rows.entries()) {
    yield `<div class="tableau" role="region" tabindex="0" aria-labelledby="tableau-${i + 1}">
<table>
<caption id="tableau-${i + 1}">${esc(t.nth(unit, i + 1, d.rows.length))}</caption>
<thead><tr><th scope="col">${t.field}</th><th scope="col">${t.value}</th></tr></thead>
<tbody>
${fields.map((f, k) => `<tr><th scope="row">${esc(labels[k]!)}</th><td>${cell(d, f, r[f], locale)}</td></tr>`).join("\n")}
</tbody>
</table>
</div>
`;
  }
}

/** The page, in pieces: a dataset of many records is streamed into the archive, never held as one string. */
export function readablePage(d: ReadableDataset, ctx: { locale: Locale; reference: string; brand: string }): Iterable<string> {
  const { locale } = ctx;
  const t = T[locale];
  const title = datasetTitle(d, locale);
  const at = d.gatheredAt ? instantInWords(new Date(d.gatheredAt), locale) : null;
  const body = (function* () {
    yield `<p><a href="../LISEZ-MOI.html">${t.back}</a></p>
<h1>${esc(title)}</h1>
<p class="chapo">${esc(capital(datasetCount(d, locale)))}. <span class="meta">${esc(t.from(d.source, at))}</span></p>
`;
    yield* tables(d, locale);
    yield `
<div class="encadre">
<p>${t.machines} <a href="${esc(fromPage(d.json))}">${t.json}</a>, <a href="${esc(fromPage(d.csv))}">${t.csv}</a>.</p>
<p>${t.sheet} <a href="${esc(fromPage(d.spreadsheet))}">${t.sheetLink}</a>.</p>
</div>`;
  })();
  return documentParts({ lang: locale, title, brand: ctx.brand, subtitle: t.subtitle, reference: ctx.reference }, body);
}

/**
 * The spreadsheet copy: UTF-8 with BOM, CRLF, headings in the reader's
 * language, values as a spreadsheet in that language reads them. French
 * spreadsheets split on semicolons (their decimal mark is the comma);
 * English ones on commas. Formula-like text gets an apostrophe (csvText).
 */
export function* spreadsheetRows(d: ReadableDataset, locale: Locale): Generator<string> {
  const [sep, cellOf] = locale === "fr" ? [";", csvTextSemicolon] : [",", csvText];
  yield `\uFEFF${d.fields.map((f) => cellOf(fieldLabel(d.presentation, f, locale))).join(sep)}\r\n`;
  for (const r of d.rows) {
    yield `${d.fields
      .map((f) => {
        const p = d.presentation?.fields[f];
        const v = r[f];
        if (p?.format === "audio" && typeof v === "string" && v) return cellOf(d.files.get(v) ?? "");
        return cellOf(valueForSpreadsheet(v, p, locale));
      })
      .join(sep)}\r\n`;
  }
}
