import { Link } from "@remix-run/react";
import { useLocale } from "./i18n";
import { withholdingsMessages } from "../i18n/admin/withholdings";

/**
 * On the ticket page, beside the release buttons: the way to the archive's
 * preview, and why an archive cannot be released while a withholding waits
 * for the DPO's decision.
 */
export function ArchiveReview({ reference, rights, pending }: { reference: string; rights: readonly string[]; pending: Record<"access" | "portability", number> }) {
  const m = withholdingsMessages[useLocale()];
  const kinds = (["access", "portability"] as const).filter((k) => rights.includes(k));
  if (!kinds.length) return null;
  return (
    <div className="archive-review" data-archive-review>
      {kinds.map((k) =>
        pending[k] ? (
          <p key={k} className="error-box" role="status" data-withholdings-pending={k}>
            {m.pendingNotice(m.kindNames[k]!, pending[k])} <Link to={`/admin/demandes/${reference}/apercu?kind=${k}`}>{m.reviewLink(m.kinds[k]!)}</Link>
          </p>
        ) : (
          <p key={k}>
            <Link to={`/admin/demandes/${reference}/apercu?kind=${k}`}>{m.reviewLink(m.kinds[k]!)}</Link>
          </p>
        ),
      )}
    </div>
  );
}
