import { Link, useLocation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { useLocale, useSite, useT } from "./i18n";

/**
 * After a client-side move to another page, focus goes to the main content
 * so screen-reader and keyboard users start at the new page, not at <body>.
 * Same-page submissions keep their own focus (the first field in error).
 */
export function useFocusMainOnNavigate() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById("contenu")?.focus();
  }, [pathname]);
}

export function PageLayout({ children }: { children: ReactNode }) {
  useFocusMainOnNavigate();
  const t = useT();
  const locale = useLocale();
  const location = useLocation();
  const site = useSite();
  const other = locale === "fr" ? "en" : "fr";
  const back = encodeURIComponent(location.pathname);
  return (
    <>
      <a className="skip-link" href="#contenu">
        {t.layout.skip}
      </a>
      <header className="site-header">
        <div className="wrap header-row">
          <Link to="/" className="brand">
            {t.layout.brand(site?.name ?? "RightsDesk")}
          </Link>
          <nav aria-label={locale === "fr" ? "Navigation principale" : "Main navigation"}>
            <ul className="nav">
              <li>
                <Link to="/">{t.layout.nav.home}</Link>
              </li>
              <li>
                <Link to="/demande">{t.layout.nav.file}</Link>
              </li>
              <li>
                <Link to="/suivi">{t.layout.nav.follow}</Link>
              </li>
              <li>
                <a href={`/langue?to=${other}&back=${back}`} lang={other} hrefLang={other} aria-label={t.layout.switchToLabel}>
                  {t.layout.switchTo}
                </a>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="contenu" tabIndex={-1} className="wrap">
        {children}
      </main>
      <SiteFooter />
    </>
  );
}

/**
 * Every public page's footer: who publishes the site and answers for the
 * requests, the DPO, and the four transparency pages — the accessibility
 * link naming the site's conformity status, as the RGAA asks.
 */
function SiteFooter() {
  const t = useT().transparency.footer;
  const status = useT().transparency.status;
  const site = useSite();
  return (
    <footer className="site-footer">
      <div className="wrap">
        {site && (
          <p>
            {t.publisher(site.name)} {t.dpo} <a href={`mailto:${site.dpoEmail}`}>{site.dpoEmail}</a>
          </p>
        )}
        <nav aria-label={t.navLabel}>
          <ul className="footer-links">
            <li>
              <Link to="/confidentialite">{t.privacy}</Link>
            </li>
            <li>
              <Link to="/mentions-legales">{t.legal}</Link>
            </li>
            <li>
              <Link to="/cookies">{t.cookies}</Link>
            </li>
            <li>
              <Link to="/accessibilite">{t.accessibility(status[site?.accessibility ?? "none"])}</Link>
            </li>
          </ul>
        </nav>
      </div>
    </footer>
  );
}
