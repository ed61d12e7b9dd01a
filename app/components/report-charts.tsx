import { useLocale } from "./i18n";
import { formatNumber } from "../i18n/format";
import type { ReportsMessages } from "../i18n/admin/reports";
import type { MonthlyReport } from "../services/reports.server";

/** The report's charts (app/routes/admin.rapports.tsx): each drawn in SVG and given again as a table, with its numbers as text. */

const INK = "#111827";
const BLUE = "#1d4ed8";
const NAVY = "#1e3a8a";

/**
 * Received and closed side by side for each month. Closed bars are hatched,
 * not just another colour, and every bar carries its number as text.
 */
export function MonthsChart({ report, m }: { report: MonthlyReport; m: ReportsMessages }) {
  const months = report.months;
  const max = Math.max(1, ...months.map((x) => Math.max(x.received, x.closed)));
  // Wide enough for the longest number to sit above its bar without touching the next one.
  const bar = Math.max(20, String(max).length * 8 + 4);
  const group = 2 * bar + 16;
  const left = 8;
  const top = 44;
  const plot = 160;
  const width = left * 2 + months.length * group;
  const height = top + plot + 36;
  const y = (v: number) => top + plot - (v / max) * plot;
  return (
    <figure style={{ margin: 0 }}>
      <h2 id="months-chart-title">{m.monthsChart.title}</h2>
      <div style={{ overflowX: "auto" }}>
        <svg
          role="img"
          aria-labelledby="months-svg-title months-svg-desc"
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          style={{ maxWidth: "100%", height: "auto", minWidth: Math.min(width, 480) }}
          fontFamily="system-ui, sans-serif"
        >
          <title id="months-svg-title">{m.monthsChart.title}</title>
          <desc id="months-svg-desc">{m.monthsChart.desc(report.received, report.closed)}</desc>
          <defs>
            <pattern id="hatch-closed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" fill="#ffffff" />
              <line x1="0" y1="0" x2="0" y2="6" stroke={NAVY} strokeWidth="3" />
            </pattern>
          </defs>
          {/* legend: shape and words, not colour alone */}
          <rect x={left} y={8} width={14} height={14} fill={BLUE} />
          <text x={left + 20} y={20} fontSize="13" fill={INK}>
            {m.received}
          </text>
          <rect x={left + 120} y={8} width={14} height={14} fill="url(#hatch-closed)" stroke={NAVY} strokeWidth="1.5" />
          <text x={left + 140} y={20} fontSize="13" fill={INK}>
            {m.closed}
          </text>
          <line x1={left} x2={width - left} y1={top + plot} y2={top + plot} stroke={INK} strokeWidth="1" />
          {months.map((mo, i) => {
            const x = left + i * group + (group - 2 * bar - 4) / 2;
            return (
              <g key={mo.month}>
                <rect x={x} y={y(mo.received)} width={bar} height={top + plot - y(mo.received)} fill={BLUE} />
                <text x={x + bar / 2} y={y(mo.received) - 4} fontSize="12" textAnchor="middle" fill={INK}>
                  <Num n={mo.received} />
                </text>
                <rect
                  x={x + bar + 4}
                  y={y(mo.closed)}
                  width={bar}
                  height={top + plot - y(mo.closed)}
                  fill="url(#hatch-closed)"
                  stroke={NAVY}
                  strokeWidth="1.5"
                />
                <text x={x + bar * 1.5 + 4} y={y(mo.closed) - 4} fontSize="12" textAnchor="middle" fill={INK}>
                  <Num n={mo.closed} />
                </text>
                <text x={left + i * group + group / 2} y={top + plot + 18} fontSize="12" textAnchor="middle" fill={INK}>
                  {m.monthShort(mo.month)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <table>
        <caption>{m.monthsChart.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.month}</th>
            <th scope="col">{m.received}</th>
            <th scope="col">{m.closed}</th>
            <th scope="col">{m.inTime}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((mo) => (
            <tr key={mo.month} data-month={mo.month}>
              <th scope="row">{m.monthLabel(mo.month)}</th>
              <td>
                <Num n={mo.received} />
              </td>
              <td>
                <Num n={mo.closed} />
              </td>
              <td>{mo.closedWithinOneMonth}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

type ChartTexts = { title: string; desc: string; caption: string; column: string };

/** Horizontal bars with the label on the left and the number at the bar's end. */
export function BarChart({ id, texts, rows, m }: { id: string; texts: ChartTexts; rows: { key: string; label: string; value: number }[]; m: ReportsMessages }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  // Narrow enough to sit in a third of the page without shrinking the text.
  const labelW = 130;
  const barMax = 120;
  const rowH = 30;
  const width = labelW + barMax + 50;
  const height = rows.length * rowH + 8;
  return (
    <figure style={{ margin: 0 }}>
      <h2 id={`${id}-chart-title`}>{texts.title}</h2>
      <svg
        role="img"
        aria-labelledby={`${id}-svg-title ${id}-svg-desc`}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        style={{ maxWidth: "100%", height: "auto" }}
        fontFamily="system-ui, sans-serif"
      >
        <title id={`${id}-svg-title`}>{texts.title}</title>
        <desc id={`${id}-svg-desc`}>{texts.desc}</desc>
        {rows.map((r, i) => {
          const w = (r.value / max) * barMax;
          const yy = 4 + i * rowH;
          return (
            <g key={r.key}>
              <text x={labelW - 8} y={yy + 19} fontSize="14" textAnchor="end" fill={INK}>
                {r.label}
              </text>
              <rect x={labelW} y={yy + 5} width={Math.max(w, r.value ? 2 : 0)} height={rowH - 10} fill={BLUE} />
              <text x={labelW + w + 6} y={yy + 19} fontSize="14" fill={INK} fontWeight="bold">
                <Num n={r.value} />
              </text>
            </g>
          );
        })}
        <line x1={labelW} x2={labelW} y1={0} y2={height} stroke={INK} strokeWidth="1" />
      </svg>
      <table>
        <caption>{texts.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{texts.column}</th>
            <th scope="col">{m.count}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={`${id}-${r.key}`}>
              <th scope="row">{r.label}</th>
              <td>
                <Num n={r.value} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** A count with the reader's separators ("1 234" in French). */
export function Num({ n }: { n: number }) {
  const locale = useLocale();
  return <>{formatNumber(locale, n)}</>;
}
