/**
 * The Nu HTML Checker (vnu.jar, from the `vnu-jar` package) over saved
 * pages: shared by tests/html-validity.test.ts and `npm run budget`. It
 * needs Java 11 or later on the PATH (`apt-get install -y default-jre-headless`).
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const VNU_JAR = path.join(path.dirname(createRequire(import.meta.url).resolve("vnu-jar")), "build/dist/vnu.jar");

/** The public pages every check walks, in both languages; a new public page is one line here. */
export const PUBLIC_PAGES = ["/", "/demande", "/suivi", "/accessibilite", "/confidentialite", "/cookies", "/mentions-legales", "/page-qui-n-existe-pas"];

export function javaPresent(): boolean {
  const r = spawnSync("java", ["-version"], { stdio: "ignore" });
  return r.status === 0;
}

export type NuMessage = { file: string; line?: number; message: string; extract?: string };

/** Runs the checker once over every file; returns its errors (warnings are not asked for). */
export function nuErrors(files: string[]): NuMessage[] {
  if (files.length === 0) return [];
  const r = spawnSync("java", ["-jar", VNU_JAR, "--format", "json", "--errors-only", ...files], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  let report: { messages: { type: string; url?: string; lastLine?: number; message: string; extract?: string }[] };
  try {
    report = JSON.parse(r.stderr || r.stdout);
  } catch {
    throw new Error(`the Nu checker did not answer in JSON (exit ${r.status}): ${(r.stderr || r.stdout).slice(0, 2000)}`);
  }
  return report.messages
    .filter((m) => m.type === "error" || m.type === "non-document-error")
    .map((m) => ({ file: m.url ? decodeURIComponent(new URL(m.url).pathname) : "?", line: m.lastLine, message: m.message, extract: m.extract }));
}

/** One line per error, for a failing test or the budget script's output. */
export function formatNu(errors: NuMessage[], label: (file: string) => string = (f) => path.basename(f)): string {
  return errors.map((e) => `${label(e.file)}:${e.line ?? "?"}  ${e.message}${e.extract ? `\n      ${JSON.stringify(e.extract.trim().slice(0, 160))}` : ""}`).join("\n");
}
