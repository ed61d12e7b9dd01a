/**
 * One cookie's value from a Cookie header, decoded; undefined when absent or
 * not decodable. Shared by the Remix side (a Fetch Request) and the express
 * front (its own error page), which have different request objects.
 */
export function cookieFrom(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
