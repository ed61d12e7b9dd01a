/**
 * CSV cells, RFC 4180: a cell holding a comma, a quote, CR or LF is quoted,
 * its quotes doubled; CRLF line ends and the BOM are the caller's.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A text a spreadsheet would run as a formula: it starts with = + - @, a tab or CR (OWASP, "CSV injection"). */
export function isFormulaLike(value: unknown): value is string {
  return typeof value === "string" && /^[=+\-@\t\r]/.test(value);
}

/**
 * Text that came from outside (a name someone typed, a value from one of the
 * systems searched): one that looks like a formula is prefixed with an
 * apostrophe so that a spreadsheet shows it rather than runs it. Numbers and
 * booleans are written as they are.
 */
export function csvText(value: string | number | boolean | null | undefined): string {
  return csvField(isFormulaLike(value) ? `'${value}` : value);
}

/**
 * csvText for a file separated by semicolons, which a French spreadsheet
 * opens in columns directly (its decimal mark is the comma): a cell holding a
 * semicolon, a quote, CR or LF is quoted, and formula-like text neutralised.
 */
export function csvTextSemicolon(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const s = isFormulaLike(value) ? `'${value}` : String(value);
  return /[;",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
