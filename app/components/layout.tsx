import { Link, useLocation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { useLocale, useT } from "./i18n";

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
            {t.layout.brand}
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
      <footer className="site-footer">
        <div className="wrap">
          <p>{t.layout.footer}</p>
        </div>
      </footer>
    </>
  );
}
