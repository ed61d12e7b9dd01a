import { Link, useLoaderData } from "@remix-run/react";
import { useT } from "../components/i18n";
import { Address, Fact } from "../components/transparency";
import { legalNotice } from "../services/transparency.server";
import { pageTitle } from "../utils/meta";

export const meta = pageTitle((t) => t.transparency.legal.title, "legal");

export async function loader() {
  return legalNotice();
}

/** Legal mentions (LCEN): publisher, publication director, host — every fact from organisation.config.json. */
export default function LegalNotice() {
  const { controller, publicationDirector, host, dpo } = useLoaderData<typeof loader>();
  const t = useT().transparency.legal;
  return (
    <>
      <h1>{t.title}</h1>
      <p>{t.intro}</p>
      <h2>{t.publisherTitle}</h2>
      <dl className="legal-facts">
        <Fact term={t.name}>{controller.name}</Fact>
        <Fact term={t.legalForm}>{controller.legalForm}</Fact>
        <Fact term={t.registration}>{controller.registration}</Fact>
        <Fact term={t.vatNumber}>{controller.vatNumber}</Fact>
        <Fact term={t.address}>
          <Address>{controller.address}</Address>
        </Fact>
        <Fact term={t.phone}>{controller.phone}</Fact>
        <Fact term={t.email}>
          <a href={`mailto:${controller.email}`}>{controller.email}</a>
        </Fact>
      </dl>
      <h2>{t.directorTitle}</h2>
      <p>{publicationDirector}</p>
      <h2>{t.hostTitle}</h2>
      <dl className="legal-facts">
        <Fact term={t.hostName}>{host.name}</Fact>
        <Fact term={t.hostAddress}>
          <Address>{host.address}</Address>
        </Fact>
        <Fact term={t.phone}>{host.phone}</Fact>
      </dl>
      <h2>{t.dataTitle}</h2>
      <p>
        {t.data} <Link to="/confidentialite">{t.dataLink}</Link> (<a href={`mailto:${dpo.email}`}>{dpo.email}</a>).
      </p>
    </>
  );
}
