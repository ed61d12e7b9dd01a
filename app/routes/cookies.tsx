import { useLoaderData } from "@remix-run/react";
import { useT } from "../components/i18n";
import { cookieNotice } from "../services/transparency.server";
import { pageTitle } from "../utils/meta";

export const meta = pageTitle((t) => t.transparency.cookies.title, "cookies");

export async function loader() {
  return cookieNotice();
}

/**
 * The cookies the site sets (app/utils/cookies.server.ts, `siteCookies`),
 * each with why it needs no consent. tests/transparency.test.ts fails when a
 * response sets a cookie this page does not list.
 */
export default function Cookies() {
  const { controllerName, cookies } = useLoaderData<typeof loader>();
  const t = useT().transparency.cookies;
  return (
    <>
      <h1>{t.title}</h1>
      <p>{t.intro(controllerName)}</p>
      <p>{t.consent}</p>
      <div className="table-scroll">
        <table>
          <caption>{t.tableCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.purpose}</th>
              <th scope="col">{t.why}</th>
              <th scope="col">{t.lifetime}</th>
              <th scope="col">{t.when}</th>
            </tr>
          </thead>
          <tbody>
            {cookies.map((c) => (
              <tr key={c.name}>
                <th scope="row">
                  <code>{c.name}</code>
                </th>
                <td>{t.list[c.name].purpose}</td>
                <td>{t.list[c.name].why}</td>
                <td>{t.duration(c.maxAgeSeconds)}</td>
                <td>{t.list[c.name].when}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>{t.attributes}</p>
      <h2>{t.storageTitle}</h2>
      <p>{t.storage}</p>
      <h2>{t.manageTitle}</h2>
      <p>{t.manage}</p>
    </>
  );
}
