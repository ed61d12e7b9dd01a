import { inflateSync } from "node:zlib";

/**
 * What a mandate file really is, before it is stored (docs/security.md,
 * "Issue 14: data hardening"). The declared type and the file name are the
 * sender's word; the bytes are checked three ways:
 *
 * - the type, by the signature at offset 0 (PDF, JPEG or PNG);
 * - one type only: a file that is also something else (a PNG or JPEG holding
 *   a PDF or an HTML page, a PNG with bytes after its end, a PDF holding a PNG
 *   or an undeclared JPEG, anything ending in a ZIP directory) is a polyglot,
 *   refused even if it might be innocent;
 * - for a PDF, no active content: scripts, launch and form-submission
 *   actions, embedded files and rich media, actions run on opening (`/AA`,
 *   `/OpenAction` other than a plain page destination), XFA, and encryption
 *   (which would hide all of these from this check).
 *
 * This is conservative on purpose: a refused file asks the person for a
 * plain PDF or a photo. It is a second line; the first is that the file is
 * only ever served to staff as a download, under a sandbox CSP.
 */
export type MandateType = "application/pdf" | "image/jpeg" | "image/png";
export type Inspection = { ok: true; mimeType: MandateType } | { ok: false; reason: "bad_type" | "mixed_types" | "active_content" };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
const PDF_HEADER = Buffer.from("%PDF-", "latin1");
const ZIP_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
/** The end-of-central-directory record sits in the last 22 bytes plus a comment of at most 64 KiB. */
const ZIP_END_WINDOW = 22 + 65_535;
/** Inflated object streams, all together: beyond this the file cannot be checked (a zip bomb) and is refused. */
const INFLATE_BUDGET = 32 * 1024 * 1024;

/** The declared type and the file name are the sender's word; the bytes are not. */
export function sniff(bytes: Buffer): MandateType | null {
  if (bytes.subarray(0, 5).equals(PDF_HEADER)) return "application/pdf";
  if (bytes.subarray(0, 3).equals(JPEG_SIGNATURE)) return "image/jpeg";
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return "image/png";
  return null;
}

export function inspectMandate(bytes: Buffer): Inspection {
  const mimeType = sniff(bytes);
  if (!mimeType) return { ok: false, reason: "bad_type" };
  if (bytes.subarray(Math.max(0, bytes.length - ZIP_END_WINDOW)).includes(ZIP_END)) return { ok: false, reason: "mixed_types" };
  if (mimeType !== "application/pdf") return imageIsOnlyImage(bytes, mimeType) ? { ok: true, mimeType } : { ok: false, reason: "mixed_types" };
  try {
    const pdf = inspectPdf(bytes);
    return pdf === "ok" ? { ok: true, mimeType } : { ok: false, reason: pdf };
  } catch {
    // A PDF this check cannot read is one it cannot vouch for.
    return { ok: false, reason: "active_content" };
  }
}

// ---------------------------------------------------------------------------
// Images

/** Markers long enough never to occur by chance in image data. */
const FOREIGN_IN_IMAGES = [PDF_HEADER, Buffer.from("<script", "latin1"), Buffer.from("<SCRIPT", "latin1"), Buffer.from("<html", "latin1"), Buffer.from("<HTML", "latin1")];

function imageIsOnlyImage(bytes: Buffer, mimeType: MandateType): boolean {
  if (FOREIGN_IN_IMAGES.some((marker) => bytes.includes(marker))) return false;
  // A PNG is a chain of chunks ending with IEND: anything after it was appended.
  // (JPEG gets no such check: phones append a video after the image's end.)
  return mimeType !== "image/png" || pngEndsAtIend(bytes);
}

function pngEndsAtIend(bytes: Buffer): boolean {
  let at = PNG_SIGNATURE.length;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    const next = at + 12 + length;
    if (next > bytes.length) return false;
    if (type === "IEND") return next === bytes.length;
    at = next;
  }
  return false;
}

// ---------------------------------------------------------------------------
// PDF
//
// Every byte of the file is read, stream data included: a viewer repairing a
// damaged file may find objects anywhere, and a "stream" keyword can be
// faked (in a comment, in a string) to hide what follows from a parser that
// skips stream data. So names are looked for everywhere, long enough or in a
// context specific enough never to occur by chance in compressed data; and
// object streams, which hold dictionaries compressed, are inflated and read
// the same way.

/** Action types and features that run something or carry a file, whatever dictionary holds them. */
const ACTIVE = new Set([
  "JavaScript",
  "Launch",
  "EmbeddedFile",
  "EmbeddedFiles",
  "FileAttachment",
  "RichMedia",
  "Rendition",
  "SubmitForm",
  "ImportData",
  "GoToE",
  "GoToR",
  "OpenAction",
  "Encrypt",
]);
/**
 * Short keys, active only with the value they take in a dictionary (three
 * bytes alone occur by chance): `/AA <<…>>` (actions on opening a page or
 * touching a field) and `/XFA […]` (XML forms, which carry scripts).
 */
const ACTIVE_WITH_VALUE: Record<string, RegExp> = {
  AA: /^\s*(<<|\d+\s+\d+\s+R\b)/,
  XFA: /^\s*(\[|\d+\s+\d+\s+R\b)/,
};

/** Names as PDF writes them, `#xx` escapes decoded (`/J#61vaScript` is `/JavaScript`). */
function* names(text: string): Generator<{ name: string; end: number }> {
  for (const m of text.matchAll(/\/([^\0\t\n\f\r /[\]<>(){}%]*)/g)) {
    yield { name: m[1]!.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), end: m.index + m[0].length };
  }
}

/**
 * `/OpenAction` may only choose the page shown first, as office suites and
 * LaTeX write it: a destination (`[3 0 R /Fit]`) or a plain go-to action
 * (`<< /S /GoTo /D […] >>`, with no `/Next` action after it), inline or as an
 * object of its own (`98 0 R`, resolved once every object has been read).
 */
function choosesFirstPage(value: string): boolean {
  if (/^\s*\[/.test(value)) return true;
  const dict = /^\s*<<([^<>]*)>>/.exec(value);
  return dict !== null && /\/S\s*\/GoTo(?![\w#])/.test(decodedDict(dict[1]!)) && !/\/Next\b/.test(decodedDict(dict[1]!));
}

type Scan = { active: boolean; openActionRefs: string[] };

function scan(text: string, found: Scan) {
  for (const { name, end } of names(text)) {
    const after = text.slice(end, end + 256);
    if (name === "OpenAction") {
      if (choosesFirstPage(after)) continue;
      const ref = /^\s*(\d+)\s+(\d+)\s+R\b/.exec(after);
      if (ref) {
        found.openActionRefs.push(`${Number(ref[1])} ${Number(ref[2])}`);
        continue;
      }
    }
    if (ACTIVE.has(name) || ACTIVE_WITH_VALUE[name]?.test(after)) {
      found.active = true;
      return;
    }
  }
}

/** Where each object starts: "N G obj" in the file, or its offset in an object stream. */
type ObjectIndex = Map<string, { text: string; at: number }>;

function indexObjects(text: string, index: ObjectIndex) {
  for (const m of text.matchAll(/(?<![\d.])(\d+)\s+(\d+)\s+obj\b/g)) index.set(`${Number(m[1])} ${Number(m[2])}`, { text, at: m.index + m[0].length });
}

function indexObjectStream(content: string, dict: string, index: ObjectIndex) {
  const first = Number(/\/First\s+(\d+)/.exec(dict)?.[1] ?? NaN);
  const n = Number(/\/N\s+(\d+)/.exec(dict)?.[1] ?? NaN);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(n)) return;
  const numbers = content.slice(0, first).trim().split(/\s+/).map(Number);
  for (let i = 0; i < Math.min(n, numbers.length / 2); i++) index.set(`${numbers[2 * i]} 0`, { text: content, at: first + numbers[2 * i + 1]! });
}

function refChoosesFirstPage(ref: string, index: ObjectIndex): boolean {
  const o = index.get(ref);
  return o !== undefined && choosesFirstPage(o.text.slice(o.at, o.at + 256));
}

/** A stream dictionary with its names decoded, so that `/Obj#53tm` reads `/ObjStm`. */
function decodedDict(dict: string): string {
  let out = "";
  let last = 0;
  for (const m of dict.matchAll(/\/([^\0\t\n\f\r /[\]<>(){}%]*)/g)) {
    out += `${dict.slice(last, m.index)}/${m[1]!.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))}`;
    last = m.index + m[0].length;
  }
  return out + dict.slice(last);
}

type Stream = { dict: string; data: Buffer };

/**
 * Every `stream` keyword with its dictionary (back to its object's header)
 * and its data: `/Length` bytes when the length is written there, else up to
 * `endstream`. Keywords are not skipped over: a body that is really a fake
 * only makes more to read.
 */
function* streams(bytes: Buffer, text: string): Generator<Stream> {
  for (const m of text.matchAll(/(?<!end)stream(\r\n|\n|\r)/g)) {
    const bodyStart = m.index + m[0].length;
    const header = text.lastIndexOf(" obj", m.index);
    const dict = decodedDict(text.slice(Math.max(header, m.index - 4096), m.index));
    const length = /\/Length\s+(\d+)(?!\d|\s+\d+\s+R)/.exec(dict);
    const close = text.indexOf("endstream", bodyStart);
    const bodyEnd = length ? Math.min(bodyStart + Number(length[1]), bytes.length) : close === -1 ? bytes.length : close;
    yield { dict, data: bytes.subarray(bodyStart, bodyEnd) };
  }
}

function inspectPdf(bytes: Buffer): "ok" | "mixed_types" | "active_content" {
  // PDF images never hold a PNG file: its signature means a file inside the file.
  if (bytes.includes(PNG_SIGNATURE)) return "mixed_types";
  const text = bytes.toString("latin1");
  const found: Scan = { active: false, openActionRefs: [] };
  scan(text, found);
  if (found.active) return "active_content";
  const index: ObjectIndex = new Map();
  indexObjects(text, index);
  let budget = INFLATE_BUDGET;
  for (const s of streams(bytes, text)) {
    // A stream starting like a JPEG is an image only when its dictionary says so (/DCTDecode).
    if (s.data.subarray(0, 3).equals(JPEG_SIGNATURE) && !/\/DCT(Decode)?\b/.test(s.dict)) return "mixed_types";
    const objectStream = /\/Type\s*\/ObjStm\b/.test(s.dict) || (/\/First\b/.test(s.dict) && /\/N\b/.test(s.dict));
    if (!objectStream) continue;
    // Object streams are read as a viewer would; a filter or predictor this check does not apply hides them from it.
    const filter = /\/Filter\s*(?:\/(\w+)|\[\s*\/(\w+)\s*\])/.exec(s.dict);
    const flate = filter !== null && ["FlateDecode", "Fl"].includes(filter[1] ?? filter[2]!);
    if ((/\/Filter\b/.test(s.dict) && !flate) || /\/DecodeParms\b/.test(s.dict)) return "active_content";
    const content = (flate ? inflateSync(s.data, { maxOutputLength: budget }) : s.data).toString("latin1");
    budget -= content.length;
    scan(content, found);
    if (found.active) return "active_content";
    indexObjectStream(content, s.dict, index);
  }
  return found.openActionRefs.every((ref) => refChoosesFirstPage(ref, index)) ? "ok" : "active_content";
}
