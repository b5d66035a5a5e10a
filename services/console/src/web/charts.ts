import type { FeaturePsi } from '../model-info.ts';
import { html, type Html } from './html.ts';

/** Horizontal bars of PSI per feature, worst first, with the 0.1 and 0.25 guide lines. Inline SVG. */
export function psiChart(features: readonly FeaturePsi[]): Html {
  const rows = [...features].sort((a, b) => b.psi - a.psi);
  const labelWidth = 230;
  const barWidth = 420;
  const rowHeight = 16;
  const top = 18;
  // Beyond 1.0 a feature has plainly shifted; capping the axis keeps the 0.1 / 0.25 guides readable.
  const axisMax = Math.min(1, Math.max(0.3, ...rows.map((r) => r.psi)));
  const x = (psi: number) => labelWidth + (barWidth * Math.min(psi, axisMax)) / axisMax;
  const height = top + rows.length * rowHeight + 4;
  const level = (psi: number): string => (psi > 0.25 ? 'shifted' : psi > 0.1 ? 'watch' : 'stable');
  return html`<svg
    class="chart"
    role="img"
    aria-label="Population stability index per feature"
    viewBox="0 0 ${labelWidth + barWidth + 130} ${height}"
    width="${labelWidth + barWidth + 130}"
    height="${height}"
  >
    ${[0.1, 0.25].map(
      (g) =>
        html`<line x1="${x(g)}" x2="${x(g)}" y1="${top - 4}" y2="${height}" class="guide" /><text
            x="${x(g)}"
            y="12"
            class="guide-label"
            >${g}</text
          >`,
    )}
    ${rows.map((r, i) => {
      const y = top + i * rowHeight;
      return html`<g
        ><title>${r.feature}: PSI ${r.psi.toFixed(3)} (${level(r.psi)})</title>
        <text x="${labelWidth - 6}" y="${y + 11}" text-anchor="end">${r.feature}</text>
        <rect
          x="${labelWidth}"
          y="${y + 2}"
          width="${Math.max(1, x(r.psi) - labelWidth)}"
          height="${rowHeight - 4}"
          class="${level(r.psi)}"
        />
        <text x="${x(r.psi) + 4}" y="${y + 11}"
          >${r.psi.toFixed(3)}${r.psi > axisMax ? ' (off scale)' : ''}</text
        ></g
      >`;
    })}
  </svg>`;
}
