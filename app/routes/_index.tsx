import { Link } from "@remix-run/react";
import { RIGHTS } from "../../db/schema/enums";
import { useT } from "../components/i18n";
import type { MetaFunction } from "@remix-run/node";
import type { loader as rootLoader } from "../root";
import { catalogues, DEFAULT_LOCALE } from "../i18n";

export const meta: MetaFunction<unknown, { root: typeof rootLoader }> = ({ matches }) => {
  const root = matches.find((m) => m.id === "root")?.data;
  const t = catalogues[root?.locale ?? DEFAULT_LOCALE].meta;
  const name = root?.site?.name ?? "RightsDesk";
  return [{ title: t.title(name) }, { name: "description", content: t.description.home(name) }];
};

export default function Home() {
  const t = useT();
  return (
    <>
      <h1>{t.home.title}</h1>
      <p>{t.home.intro}</p>
      <p className="cta-row">
        <Link to="/demande" className="button">
          {t.home.cta}
        </Link>{" "}
        <Link to="/suivi">{t.home.follow}</Link>
      </p>
      <h2>{t.home.rightsTitle}</h2>
      <dl className="rights-list">
        {RIGHTS.map((r) => (
          <div key={r}>
            <dt>{t.rights[r]}</dt>
            <dd>{t.rightsHelp[r]}</dd>
          </div>
        ))}
      </dl>
      <h2>{t.home.howTitle}</h2>
      <ul>
        {t.home.how.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p>{t.home.complaint}</p>
    </>
  );
}
