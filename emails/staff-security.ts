import { formatInstant } from "../app/i18n";
import type { Locale } from "../db/schema/enums";
import { render, type Rendered } from "./layout";

export type SecondFactorChange = "enabled" | "replaced" | "removed";

/**
 * To a staff member, after their second factor changed: so that a change
 * they did not make (someone holding their password and their session)
 * does not go unnoticed. No code, no key, no address: what happened and when.
 */
export function secondFactorChanged(d: { change: SecondFactorChange; at: Date; accountLink: string }, locale: Locale): Rendered {
  const when = formatInstant(d.at, locale);
  if (locale === "en") {
    const what = { enabled: "turned on", replaced: "moved to a new authenticator app", removed: "turned off" }[d.change];
    return render("en", `RightsDesk: two-factor authentication ${d.change === "replaced" ? "changed" : what} for your account`, [
      "Hello,",
      `Two-factor authentication on your RightsDesk account was ${what}: ${when}, Paris time. Your other open sessions were signed out.`,
      "If it was you, there is nothing to do.",
      "If it was not you, tell an administrator at once: someone else knows your password and used a session of yours.",
      { link: d.accountLink, label: "Open my account" },
    ]);
  }
  const what = { enabled: "activée", replaced: "transférée sur une nouvelle application d'authentification", removed: "désactivée" }[d.change];
  return render("fr", `RightsDesk : double authentification ${d.change === "replaced" ? "changée" : what} sur votre compte`, [
    "Bonjour,",
    `La double authentification de votre compte RightsDesk a été ${what} le ${when} (heure de Paris). Vos autres sessions ouvertes ont été fermées.`,
    "Si c'est vous, vous n'avez rien à faire.",
    "Si ce n'est pas vous, prévenez immédiatement un administrateur : quelqu'un d'autre connaît votre mot de passe et a utilisé une de vos sessions.",
    { link: d.accountLink, label: "Ouvrir mon compte" },
  ]);
}

/**
 * To a staff member, after their password changed. As for the second
 * factor, the point is a change they did not make: it says what and when,
 * never the password, and that their other sessions were signed out.
 */
export function passwordChanged(d: { at: Date; accountLink: string }, locale: Locale): Rendered {
  const when = formatInstant(d.at, locale);
  if (locale === "en") {
    return render("en", "RightsDesk: password changed for your account", [
      "Hello,",
      `The password of your RightsDesk account was changed: ${when}, Paris time. Your other open sessions were signed out.`,
      "If it was you, there is nothing to do.",
      "If it was not you, tell an administrator at once: someone else knew your password, used a session of yours, and can now sign in as you.",
      { link: d.accountLink, label: "Open my account" },
    ]);
  }
  return render("fr", "RightsDesk : mot de passe changé sur votre compte", [
    "Bonjour,",
    `Le mot de passe de votre compte RightsDesk a été changé le ${when} (heure de Paris). Vos autres sessions ouvertes ont été fermées.`,
    "Si c'est vous, vous n'avez rien à faire.",
    "Si ce n'est pas vous, prévenez immédiatement un administrateur : quelqu'un d'autre connaissait votre mot de passe, a utilisé une de vos sessions et peut maintenant se connecter à votre place.",
    { link: d.accountLink, label: "Ouvrir mon compte" },
  ]);
}
