import type { Locale } from "../db/schema/enums";
import { organisation } from "../app/utils/organisation.server";
import { esc } from "../documents/html";

export type Rendered = { subject: string; text: string; html: string; locale?: Locale; blocks?: Block[] };

/** The name a text message starts with: the controller's, as configured. */
export function brand(): string {
  return organisation().controller.name;
}

/** Who writes to the person, and where they may complain: the controller and its DPO as organisation.config.json names them. */
function personFooter(locale: Locale): string {
  const o = organisation();
  return locale === "en"
    ? `${o.controller.name} — Data protection officer — ${o.dpo.email}\nYou may lodge a complaint with the CNIL (www.cnil.fr).`
    : `${o.controller.name} — Délégué à la protection des données — ${o.dpo.email}\nVous pouvez introduire une réclamation auprès de la CNIL (www.cnil.fr).`;
}

/**
 * Both parts from one list of paragraphs, so the text and HTML versions never
 * drift apart. A paragraph is plain text, or a link to show as a button.
 */
export type Block = string | { link: string; label: string };

/**
 * Who writes to a company (a client told under Art. 19, a controller a
 * request is forwarded to): CentreCall's DPO, with no word meant for a data
 * subject (a company does not complain to the CNIL about its own notice).
 */
export type Sender = { name: string; dpoName: string; dpoEmail: string; dpoAddress: string };
export function businessFooter(s: Sender): string {
  return `${s.dpoName} — ${s.dpoEmail}\n${s.dpoAddress}\nMerci de rappeler la référence de la demande dans votre réponse.`;
}

export function render(locale: Locale, subject: string, blocks: Block[], opts: { footer?: string } = {}): Rendered {
  const footer = opts.footer ?? personFooter(locale);
  const text = [
    ...blocks.map((b) => (typeof b === "string" ? b : `${b.label}${locale === "fr" ? " :" : ":"}\n${b.link}`)),
    "--",
    footer,
  ].join("\n\n");
  const body = blocks
    .map((b) =>
      typeof b === "string"
        ? `<p style="margin:0 0 16px">${esc(b)}</p>`
        : `<p style="margin:0 0 16px"><a href="${esc(b.link)}" style="display:inline-block;background:#1d4ed8;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">${esc(b.label)}</a></p><p style="margin:0 0 16px;font-size:13px;color:#374151">${esc(b.link)}</p>`,
    )
    .join("\n");
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;color:#111827;font-size:16px;line-height:1.5">
<div style="max-width:600px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px">
${body}
<hr style="border:none;border-top:1px solid #d1d5db;margin:24px 0">
<p style="margin:0;font-size:13px;color:#374151">${esc(footer).replace(/\n/g, "<br>")}</p>
</div></body></html>`;
  return { subject, text, html, locale, blocks };
}


/**
 * The same message as a letter: for the requester's status page, for
 * printing, and for posting to someone who wrote to us by post. Built from
 * the email's own paragraphs, so the wording is the one reviewed in the
 * email templates. Links become plain addresses (a letter has no buttons).
 */
export function letterHtml(m: Rendered, d: { reference: string; date: string; to?: { name: string; address?: string | null } }): string {
  const locale = m.locale ?? "fr";
  const blocks = m.blocks ?? m.text.split("\n\n--\n\n")[0]!.split("\n\n");
  const para = (b: Block) =>
    typeof b === "string" ? `<p>${esc(b).replace(/\n/g, "<br>")}</p>` : `<p>${esc(b.label)}${locale === "fr" ? " :" : ":"} <span class="link">${esc(b.link)}</span></p>`;
  const lines = (s: string) => esc(s).replace(/\n/g, "<br>");
  const recipient = d.to ? `<address class="to">${lines([d.to.name, d.to.address ?? ""].filter(Boolean).join("\n"))}</address>` : "";
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(m.subject)}</title>
<style>
body { font-family: system-ui, Arial, sans-serif; line-height: 1.5; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
header { display: flex; justify-content: space-between; gap: 2rem; margin-bottom: 2rem; }
address { font-style: normal; }
.to { margin-left: auto; min-width: 14rem; }
.meta { color: #374151; }
.link { word-break: break-all; }
footer { margin-top: 2rem; border-top: 1px solid #767676; padding-top: .5rem; font-size: .9rem; }
@media print { body { margin: 0; max-width: none; } @page { size: A4; margin: 20mm; } }
</style>
</head>
<body>
<header>
<address>${lines(`${organisation().dpo.address}\n${organisation().dpo.email}`)}</address>
${recipient}
</header>
<main>
<p class="meta">${locale === "fr" ? "Référence" : "Reference"} : <strong>${esc(d.reference)}</strong> — ${esc(d.date)}</p>
<h1>${esc(m.subject)}</h1>
${blocks.map(para).join("\n")}
</main>
<footer>${lines(personFooter(locale))}</footer>
</body>
</html>
`;
}
