/**
 * CSV cells, RFC 4180: a cell holding a comma, a quote, CR or LF is quoted,
 * its quotes doubled; CRLF line ends and the BOM are the caller's.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Free text someone typed (a name, a label): one starting with = + - @, a tab
 * or CR is prefixed with an apostrophe so that a spreadsheet shows it rather
 * than run it as a formula. Numbers are written as numbers.
 */
export function csvText(value: string | number | null): string {
  return csvField(typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}
