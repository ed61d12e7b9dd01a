import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { useAdminT } from "./admin-i18n";
import type { ReactNode } from "react";
import type { Role } from "../../db/schema/enums";
import { auditMessages } from "../i18n/admin/audit";
import { retentionMessages } from "../i18n/admin/retention";
import { useLocale, useT } from "./i18n";
import { useFocusMainOnNavigate } from "./layout";

export type Me = { displayName: string; role: Role; site: string };

export function AdminLayout({ me, children }: { me: Me | null; children: ReactNode }) {
  useFocusMainOnNavigate();
  const t = useT();
  const adminT = useAdminT();
  const a = adminT;
  const locale = useLocale();
  const location = useLocation();
  const other = locale === "fr" ? "en" : "fr";
  return (
    <>
      <a className="skip-link" href="#contenu">
        {t.layout.skip}
      </a>
      {/*
        Two rows by design: who is signed in, the language and sign-out on the first; the workspace's
        sections on the second, which holds on one line at 1366 px and wraps on a phone.
      */}
      <header className="site-header admin-header">
        <div className="wrap wide header-row">
          <Link to="/admin" className="brand">
            {a.brand}
          </Link>
          {me ? (
            <p className="who">
              {me.displayName} · {a.roles[me.role]} · {a.sites[me.site as keyof typeof a.sites] ?? me.site}
            </p>
          ) : null}
          <ul className="nav tools">
            <li>
              <a href={`/langue?to=${other}&back=${encodeURIComponent(location.pathname)}`} lang={other} hrefLang={other} aria-label={t.layout.switchToLabel}>
                {t.layout.switchTo}
              </a>
            </li>
            {me ? (
              <li>
                <Form method="post" action="/admin/deconnexion">
                  <button type="submit" className="link-button">
                    {a.nav.logout}
                  </button>
                </Form>
              </li>
            ) : null}
          </ul>
        </div>
        {me ? (
          <nav className="wrap wide sections" aria-label={locale === "fr" ? "Navigation de l'espace DPO" : "DPO workspace navigation"}>
            <ul className="nav">
              <li>
                <NavLink to="/admin" end>
                  {a.nav.queue}
                </NavLink>
              </li>
              <li>
                <NavLink to="/admin/saisie">{a.nav.intake}</NavLink>
              </li>
              <li>
                <NavLink to="/admin/registre">{a.nav.register}</NavLink>
              </li>
              {me.role !== "agent" ? (
                <li>
                  <NavLink to="/admin/rapports">{a.nav.reports}</NavLink>
                </li>
              ) : null}
              {me.role !== "agent" ? (
                <li>
                  <NavLink to="/admin/connecteurs">{a.nav.connectors}</NavLink>
                </li>
              ) : null}
              {me.role === "dpo" ? (
                <li>
                  <NavLink to="/admin/conservation">{retentionMessages[locale].nav}</NavLink>
                </li>
              ) : null}
              {me.role === "admin" || me.role === "dpo" ? (
                <li>
                  <NavLink to="/admin/equipe">{a.nav.team}</NavLink>
                </li>
              ) : null}
              {me.role === "admin" || me.role === "dpo" ? (
                <li>
                  <NavLink to="/admin/journal">{auditMessages[locale].nav}</NavLink>
                </li>
              ) : null}
              <li>
                <NavLink to="/admin/compte">{a.nav.account}</NavLink>
              </li>
            </ul>
          </nav>
        ) : null}
      </header>
      <main id="contenu" tabIndex={-1} className="wrap wide">
        {children}
      </main>
    </>
  );
}
