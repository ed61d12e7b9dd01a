/**
 * The shape of a request path for a log line: tokens (20+ URL-safe
 * characters), anything like an email address (typed or percent-encoded) and
 * any run of digits long enough to be a phone number are replaced (not a
 * request's reference). Our own URLs carry no personal data, but a visitor
 * can type any path.
 */
export function redactPath(path: string): string {
  return path
    .replace(/[^/]*(@|%40)[^/]*/gi, ":email")
    .replace(/[A-Za-z0-9_-]{20,}/g, ":token")
    // A request's reference (DSR-2026-000123) is no personal data and stays readable.
    .replace(/(DSR-\d{4}-\d{6})|(?:\+|%2B)?\d(?:[\d.\s-]|%20){5,}\d/gi, (_match, reference?: string) => reference ?? ":number");
}
