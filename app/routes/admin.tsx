import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { isRouteErrorResponse, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { AdminLayout } from "../components/admin-layout";
import { useT } from "../components/i18n";
import { requireStaff } from "../web/staff-session.server";

export const meta: MetaFunction = () => [{ title: "RightsDesk — DPO" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request, { accountPage: new URL(request.url).pathname === "/admin/compte" });
  const { displayName, role, site } = ctx.actor;
  return { me: { displayName, role, site } };
}

export default function AdminShell() {
  const { me } = useLoaderData<typeof loader>();
  return (
    <AdminLayout me={me}>
      <Outlet />
    </AdminLayout>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const adminT = useAdminT();
  const code = isRouteErrorResponse(error) ? (error.data as { code?: string } | null)?.code : undefined;
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    (code && adminT.errors[code]) ??
    (status === 404 ? adminT.errors.not_found : status === 403 ? adminT.errors.forbidden : status < 500 ? t.errorPage.badRequest : t.errorPage.server);
  return (
    <AdminLayout me={null}>
      <h1>{t.errorPage.title}</h1>
      <p role="alert">{message}</p>
      <p>
        <a href="/admin">{adminT.nav.queue}</a>
      </p>
    </AdminLayout>
  );
}
