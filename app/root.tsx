import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useMatches, useRouteError, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import type { Locale } from "../db/schema/enums";
import { PageLayout } from "./components/layout";
import { catalogues, DEFAULT_LOCALE } from "./i18n";
import stylesheet from "./styles/app.css?url";
import { passThroughHeaders } from "./utils/headers";
import { rootData } from "./utils/root-data.server";
import { useNonce } from "./utils/nonce";

export const headers = passThroughHeaders;

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  // Browsers that read SVG icons take the second; /favicon.ico is asked for by the others (and by every browser unprompted).
  { rel: "icon", href: "/favicon.ico", sizes: "48x48" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  return rootData(request);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const t = catalogues[data?.locale ?? DEFAULT_LOCALE].meta;
  const name = data?.site?.name ?? "RightsDesk";
  return [{ title: t.title(name) }, { name: "description", content: t.description.site(name) }];
};

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<{ locale: Locale }>("root");
  const locale = data?.locale ?? DEFAULT_LOCALE;
  const nonce = useNonce();
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  // The back office brings its own chrome (app/routes/admin.tsx).
  const inBackOffice = useMatches().some((m) => m.id.startsWith("routes/admin"));
  if (inBackOffice) return <Outlet />;
  return (
    <PageLayout>
      <Outlet />
    </PageLayout>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<{ locale: Locale }>("root");
  const t = catalogues[data?.locale ?? DEFAULT_LOCALE].errorPage;
  let message = t.server;
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) message = t.notFound;
    else if (error.status === 403) message = t.forbidden;
    else if (error.status === 429) message = t.tooMany;
    else if (error.status === 413) message = t.payloadTooLarge;
    else if (error.status === 405) message = t.methodNotAllowed;
    else if (error.status >= 400 && error.status < 500) message = t.badRequest;
  }
  return (
    <PageLayout>
      <h1>{t.title}</h1>
      <p role="alert">{message}</p>
      <p>
        <a href="/">{t.back}</a>
      </p>
    </PageLayout>
  );
}
