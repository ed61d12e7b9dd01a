import { env } from "./env.server";

/**
 * Structured one-line logs. Never pass personal data: callers log references
 * and ids, and `scrub` strips anything that looks like an email address or a
 * phone number from third-party error messages before they reach a log or a row.
 */
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function scrub(message: string): string {
  return message
    .replace(/[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+/g, "[email]")
    .replace(/\+?\d[\d .()-]{7,}\d/g, "[number]")
    .slice(0, 500);
}

function write(level: Level, event: string, fields: Record<string, unknown> = {}) {
  let threshold: Level | "silent" = "info";
  try {
    threshold = env().LOG_LEVEL;
  } catch {
    /* configuration errors are reported elsewhere; still log */
  }
  if (ORDER[level] < ORDER[threshold]) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, event, ...fields });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
}

export const log = {
  debug: (event: string, fields?: Record<string, unknown>) => write("debug", event, fields),
  info: (event: string, fields?: Record<string, unknown>) => write("info", event, fields),
  warn: (event: string, fields?: Record<string, unknown>) => write("warn", event, fields),
  error: (event: string, fields?: Record<string, unknown>) => write("error", event, fields),
};
