/**
 * RFC 4180, the reader side, strict as our writers are: quoted fields may hold
 * commas, doubled quotes, CR and LF; every line ends with CRLF (a bare LF
 * outside quotes, or a last line without CRLF, is an error).
 */
export function parseCsv(text: string, separator: "," | ";" = ","): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else if (c === "\n") throw new Error(`bare LF outside quotes at ${i}`);
    else field += c;
  }
  if (field || row.length) throw new Error("last line does not end with CRLF");
  return rows;
}

/** A CSV file as our archives and exports write it: a UTF-8 BOM, then RFC 4180. */
export function csvRows(bytes: Buffer, separator: "," | ";" = ","): string[][] {
  if (bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) throw new Error("no UTF-8 BOM");
  return parseCsv(bytes.subarray(3).toString("utf8"), separator);
}
