import { env } from "./env.server";

/**
 * A named place where the crash tests kill the process (SIGKILL: no cleanup,
 * no finally), to prove that work resumes to the same end state. Inert unless
 * FAULT_INJECT names this point, and always inert in production.
 */
export function faultPoint(name: string) {
  const e = env();
  if (e.FAULT_INJECT !== name || e.APP_ENV === "production") return;
  process.kill(process.pid, "SIGKILL");
}
