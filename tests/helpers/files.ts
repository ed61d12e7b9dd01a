import { crc32, deflateSync } from "node:zlib";

/**
 * Small real files for upload tests, built byte by byte so that each test
 * shows exactly what the file holds: PNG chunks with their CRCs, PDF objects
 * with a cross-reference table a viewer accepts.
 */

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A 1×1 grey PNG; `extra` chunks go between IHDR and IDAT, `after` is appended past IEND. */
export function png(opts: { extra?: { type: string; data: Buffer }[]; after?: Buffer } = {}): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    ...(opts.extra ?? []).map((c) => chunk(c.type, c.data)),
    chunk("IDAT", deflateSync(Buffer.from([0, 0x80]))),
    chunk("IEND", Buffer.alloc(0)),
    opts.after ?? Buffer.alloc(0),
  ]);
}

/** A JPEG's outline: SOI, a comment segment holding `comment`, EOI. Enough for a signature check. */
export function jpeg(comment = "photo du mandat"): Buffer {
  const text = Buffer.from(comment, "latin1");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(text.length + 2, 0);
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe]), len, text, Buffer.from([0xff, 0xd9])]);
}

/**
 * A one-page PDF saying `text`, with a correct xref table. `catalog` adds
 * entries to the catalog (`/OpenAction …`), `objects` adds objects after the
 * page's (numbered from 5), as PDF source with `stream` bodies given as
 * Buffers.
 */
export function pdf(opts: { text?: string; catalog?: string; objects?: (string | Buffer)[][] } = {}): Buffer {
  const content = Buffer.from(`BT /F1 12 Tf 72 720 Td (${opts.text ?? "Mandat de representation"}) Tj ET`, "latin1");
  const objects: (string | Buffer)[][] = [
    [`<< /Type /Catalog /Pages 2 0 R ${opts.catalog ?? ""}>>`],
    ["<< /Type /Pages /Kids [3 0 R] /Count 1 >>"],
    ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"],
    [`<< /Length ${content.length} >>\nstream\n`, content, "\nendstream"],
    ...(opts.objects ?? []),
  ];
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  const offsets: number[] = [];
  let size = parts[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(size);
    const bytes = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, "latin1"), ...body.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)), Buffer.from("\nendobj\n", "latin1")]);
    parts.push(bytes);
    size += bytes.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, "0000000000 65535 f \n", ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`)].join("");
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`, "latin1"));
  return Buffer.concat(parts);
}

/** An object stream (PDF 1.5) holding `objects` (numbered from `first`), compressed as writers do. */
export function objectStream(objects: string[], first: number): (string | Buffer)[] {
  const bodies = objects.map((o) => `${o}\n`);
  let offset = 0;
  const index = bodies.map((b, i) => {
    const entry = `${first + i} ${offset}`;
    offset += Buffer.byteLength(b, "latin1");
    return entry;
  });
  const head = `${index.join(" ")}\n`;
  const data = deflateSync(Buffer.from(head + bodies.join(""), "latin1"));
  return [`<< /Type /ObjStm /N ${objects.length} /First ${Buffer.byteLength(head)} /Filter /FlateDecode /Length ${data.length} >>\nstream\n`, data, "\nendstream"];
}
