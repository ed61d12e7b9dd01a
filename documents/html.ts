import type { Locale } from "../db/schema/enums";

/**
 * The documents a person receives as files (the archive's letter and its
 * readable pages, the erasure certificate): pure functions from facts to
 * HTML, like the emails. This is the one HTML escaper, for the emails too.
 */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * The style every page of the archive shares: plain, printable, readable on a
 * phone, in the spirit of the French State's design system (blue France
 * headings, grey rules, contrast above 4.5:1 everywhere). Inline: the pages
 * are opened from a folder, with no network and no script.
 */
const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: Marianne, system-ui, -apple-system, "Segoe UI", Arial, sans-serif; font-size: 1rem; line-height: 1.5; color: #161616; background: #fff; margin: 0; }
.bandeau { border-bottom: 1px solid #ddd; box-shadow: 0 2px 6px rgba(0,0,18,.08); }
.bandeau > div, main, footer > div { max-width: 50rem; margin: 0 auto; padding: 0 1rem; }
.bandeau > div { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem 2rem; padding-top: 1rem; padding-bottom: 1rem; }
.marque { font-weight: 700; font-size: 1.25rem; margin: 0; }
.marque span { display: block; font-weight: 400; font-size: .875rem; color: #3a3a3a; }
.ref { margin: 0; font-size: .875rem; color: #3a3a3a; }
main { padding-top: 1.5rem; padding-bottom: 2.5rem; }
h1 { color: #000091; font-size: 2rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { color: #000091; font-size: 1.375rem; line-height: 1.3; margin: 2rem 0 .75rem; }
h3 { font-size: 1.125rem; margin: 1.5rem 0 .5rem; }
a { color: #000091; text-underline-offset: .15em; }
a:focus { outline: 2px solid #0a76f6; outline-offset: 2px; }
.chapo { font-size: 1.125rem; }
.meta { color: #3a3a3a; }
.encadre { border-left: 4px solid #000091; background: #f5f5fe; padding: .75rem 1rem; margin: 1rem 0; }
.encadre > :first-child { margin-top: 0; }
.encadre > :last-child { margin-bottom: 0; }
ul.contenu { list-style: none; padding: 0; }
ul.contenu li { border: 1px solid #ddd; border-bottom-width: 3px; border-bottom-color: #000091; padding: .75rem 1rem; margin: .5rem 0; }
ul.contenu .titre { font-weight: 700; font-size: 1.0625rem; }
ul.contenu .detail { display: block; color: #3a3a3a; font-size: .9375rem; }
.tableau { overflow-x: auto; margin: 1rem 0 1.5rem; }
.tableau:focus { outline: 2px solid #0a76f6; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; font-size: .9375rem; }
caption { text-align: left; font-weight: 700; font-size: 1.0625rem; padding: 0 0 .5rem; }
th, td { border: 1px solid #929292; padding: .5rem .75rem; text-align: left; vertical-align: top; }
thead th, tbody th { background: #eeeeee; font-weight: 700; }
tbody th { width: 40%; font-weight: 600; }
tbody tr:nth-child(even) td { background: #f6f6f6; }
.vide { color: #3a3a3a; font-style: italic; }
dl dt { font-weight: 700; margin-top: .75rem; }
dl dd { margin-left: 0; }
footer { border-top: 3px solid #000091; color: #3a3a3a; font-size: .875rem; padding: 1rem 0 2rem; }
code { font-size: .9em; background: #f0f0f0; padding: 0 .2em; }
@media print { .bandeau { box-shadow: none; } a { color: inherit; } main { padding-top: .5rem; } @page { size: A4; margin: 18mm; } }
`;

export type PageShell = {
  lang: Locale;
  /** the document's title (in the browser's tab and at the top) */
  title: string;
  /** who speaks: the controller, and what this document is */
  brand: string;
  subtitle: string;
  reference: string;
  /** already escaped HTML: the page's main content */
  body: string;
  /** already escaped HTML, optional */
  footer?: string;
};

/** A complete, self-contained HTML5 page (valid, lang set, no script). */
export function documentPage(p: PageShell): string {
  return [...documentParts(p, [p.body])].join("");
}

/** The same page in pieces, so a long one is streamed into the archive rather than built whole. */
export function* documentParts(p: Omit<PageShell, "body">, body: Iterable<string>): Generator<string> {
  const refLabel = p.lang === "fr" ? "Référence de la demande :" : "Request reference:";
  yield `<!DOCTYPE html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} — ${esc(p.reference)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="bandeau">
<div>
<p class="marque">${esc(p.brand)}<span>${esc(p.subtitle)}</span></p>
<p class="ref">${refLabel} <strong>${esc(p.reference)}</strong></p>
</div>
</header>
<main>
`;
  yield* body;
  yield `
</main>
${p.footer ? `<footer><div>${p.footer}</div></footer>\n` : ""}</body>
</html>
`;
}
