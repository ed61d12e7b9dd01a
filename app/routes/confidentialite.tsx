import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { Address, Fact } from "../components/transparency";
import { privacyNotice } from "../services/transparency.server";
import { pageTitle } from "../utils/meta";
import { ctxFrom } from "../web/request.server";

export const meta = pageTitle((t) => t.transparency.privacy.title, "privacy");

export async function loader() {
  return await privacyNotice({ ctx: ctxFrom() });
}

/**
 * The portal's own Art. 13 notice. Purposes, basis, recipients, retention and
 * source are the register's (the operations on RightsDesk's requests), shown
 * as the register words them, so the notice and the register cannot disagree;
 * the register is kept in French, hence lang="fr" on its texts in English.
 */
export default function PrivacyNotice() {
  const n = useLoaderData<typeof loader>();
  const locale = useLocale();
  const all = useT();
  const t = all.transparency.privacy;
  const registerLang = locale === "fr" ? undefined : "fr";
  return (
    <>
      <h1>{t.title}</h1>
      <p>{t.intro(n.controller.name)}</p>

      <h2>{t.controllerTitle}</h2>
      <h3>{t.controller}</h3>
      <dl className="legal-facts">
        <Fact term={t.name}>{n.controller.name}</Fact>
        <Fact term={t.address}>
          <Address>{n.controller.address}</Address>
        </Fact>
        <Fact term={t.email}>
          <a href={`mailto:${n.controller.email}`}>{n.controller.email}</a>
        </Fact>
        <Fact term={t.phone}>{n.controller.phone}</Fact>
      </dl>
      <h3>{t.dpo}</h3>
      <dl className="legal-facts">
        <Fact term={t.name}>{n.dpo.name}</Fact>
        <Fact term={t.address}>
          <Address>{n.dpo.address}</Address>
        </Fact>
        <Fact term={t.email}>
          <a href={`mailto:${n.dpo.email}`}>{n.dpo.email}</a>
        </Fact>
      </dl>

      <h2>{t.processingTitle}</h2>
      {n.operations.length === 0 ? (
        <p>{t.registerMissing}</p>
      ) : (
        <>
          <p>{t.fromRegister}</p>
          {n.operations.map((op) => (
            <section key={op.code} aria-labelledby={`op-${op.code}`}>
              <h3 id={`op-${op.code}`} lang={registerLang}>
                {op.name}
              </h3>
              <dl className="legal-facts" lang={registerLang}>
                <Fact term={t.purpose}>{op.purpose}</Fact>
                <Fact term={t.legalBasis}>{op.legalBasis}</Fact>
                <Fact term={t.dataCategories}>
                  <ul>
                    {op.dataCategories.map((c) => (
                      <li key={c}>{c}</li>
                    ))}
                  </ul>
                </Fact>
                <Fact term={t.recipients}>
                  <ul>
                    {op.recipients.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                </Fact>
                <Fact term={t.retention}>{op.retention}</Fact>
                <Fact term={t.source}>{op.source}</Fact>
              </dl>
            </section>
          ))}
        </>
      )}

      <h2>{t.transfersTitle}</h2>
      {n.transfers.length === 0 ? (
        <p>{t.noTransfer}</p>
      ) : (
        <>
          <p>{t.transfersIntro}</p>
          <ul>
            {n.transfers.map((x) => (
              <li key={`${x.recipient} ${x.country}`}>
                {t.transfer(x.recipient, x.country)} <span lang={locale === "fr" ? undefined : "fr"}>{x.safeguard}</span>
              </li>
            ))}
          </ul>
        </>
      )}

      <h2>{t.requiredTitle}</h2>
      <p>{t.required}</p>

      <h2>{t.automatedTitle}</h2>
      <p>{t.automated(n.unverifiedExpiryDays, n.infoRequestCloseDays)}</p>

      <h2>{t.rightsTitle}</h2>
      <p>{t.rightsIntro}</p>
      <p>{t.rightsHow}</p>
      <ul>
        <li>
          <Link to="/demande">{t.rightsForm}</Link>
        </li>
        <li>
          {t.rightsWrite}{" "}
          <a href={`mailto:${n.dpo.email}`}>{n.dpo.email}</a>
        </li>
        <li>
          {t.rightsPost} <Address>{n.dpo.address}</Address>
        </li>
      </ul>

      <h2>{t.complaintTitle}</h2>
      <p>
        {t.complaint(n.authority.name)} <Address>{n.authority.address}</Address>
      </p>
      <p>
        {t.complaintOnline} <a href={n.authority.url}>{n.authority.url}</a>
      </p>

      <h2>{t.cookiesTitle}</h2>
      <p>
        <Link to="/cookies">{t.cookiesLink}</Link>
      </p>
    </>
  );
}
