// Charts as SVG drawn on the server: no chart library and no client script, so the strict
// CSP holds (`default-src 'none'`, no script), the page costs a few KB instead of a library's
// tens, and it renders the same with JavaScript off. Each chart has a text alternative
// (`role="img"` and a title) and the page shows the same figures in a table beside it.

import { html } from './html.js';

const INK = '#1a1a1a';
const MUTED = '#6b6b6b';
const TREATED = '#0b5cad';
const LIGHT = '#9cc3e8';
const ACCENT = '#b35900';

const num = (x) => (Number.isFinite(x) ? Number(x.toFixed(2)) : 0);

/** A scale from [lo, hi] onto [a, b] pixels. */
const scale = (lo, hi, a, b) => (v) => a + ((v - lo) / (hi - lo || 1)) * (b - a);

/** A round step for about `n` ticks over `span`. */
function tickStep(span, n) {
  const raw0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw0 || 1));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw0) ?? mag * 10;
}

/**
 * The incremental lift: recovery rate messaged minus held out, in percentage points, drawn as
 * a bar from zero to the estimate with error bars at the interval's ends. An interval that
 * crosses zero is visibly inconclusive.
 */
export function liftChart(lift, { level = 0.95, points }) {
  const { estimate, low, high } = lift.difference;
  const lo = Math.min(0, low) * 100;
  const hi = Math.max(0, high) * 100;
  const pad = Math.max((hi - lo) * 0.1, 0.5);
  const x = scale(lo - pad, hi + pad, 40, 600);
  const step = tickStep(hi - lo + 2 * pad, 6);
  const ticks = [];
  for (let t = Math.ceil((lo - pad) / step) * step; t <= hi + pad; t += step) ticks.push(Number(t.toFixed(6)));
  const y = 40;
  const label = `Incremental recovery rate ${points(estimate)}, ${Math.round(level * 100)}% interval ${points(low)} to ${points(high)}`;
  return html`<svg viewBox="0 0 640 120" width="640" height="120" role="img" aria-labelledby="lift-title" data-chart="lift">
<title id="lift-title">${label}</title>
${ticks.map((t) => html`<line x1="${num(x(t))}" x2="${num(x(t))}" y1="20" y2="${y + 40}" stroke="#e4e4df"/><text x="${num(x(t))}" y="${y + 58}" text-anchor="middle">${t > 0 ? '+' : ''}${t}</text>`)}
<line x1="${num(x(0))}" x2="${num(x(0))}" y1="15" y2="${y + 45}" stroke="${INK}" stroke-width="1.5"/>
<rect data-mark="estimate" data-value="${estimate}" x="${num(Math.min(x(0), x(estimate * 100)))}" y="${y}" width="${num(Math.abs(x(estimate * 100) - x(0)))}" height="24" fill="${TREATED}"/>
<g data-mark="interval" data-low="${low}" data-high="${high}" stroke="${ACCENT}" stroke-width="2">
<line x1="${num(x(low * 100))}" x2="${num(x(high * 100))}" y1="${y + 12}" y2="${y + 12}"/>
<line x1="${num(x(low * 100))}" x2="${num(x(low * 100))}" y1="${y + 2}" y2="${y + 22}"/>
<line x1="${num(x(high * 100))}" x2="${num(x(high * 100))}" y1="${y + 2}" y2="${y + 22}"/>
</g>
<text x="${num(x(estimate * 100))}" y="${y - 8}" text-anchor="middle">${points(estimate)}</text>
<text x="320" y="${y + 78}" text-anchor="middle" fill="${MUTED}">percentage points, messaged minus held out</text>
</svg>`;
}

/** Journeys abandoned and recovered per cohort day: two bars a day. */
export function trendChart(days, { count }) {
  if (days.length === 0) return html`<p class="note">No journeys in this range.</p>`;
  const max = Math.max(1, ...days.map((d) => d.metrics.abandoned ?? 0));
  const width = Math.max(320, Math.min(960, 40 + days.length * 28));
  const band = (width - 50) / days.length;
  const y = scale(0, max, 170, 20);
  const every = Math.ceil(days.length / 12);
  return html`<svg viewBox="0 0 ${width} 210" width="${width}" height="210" role="img" aria-labelledby="trend-title" data-chart="trend">
<title id="trend-title">Abandoned and recovered journeys per day, ${days[0].key} to ${days[days.length - 1].key}</title>
<line x1="40" x2="${width - 5}" y1="170" y2="170" stroke="${INK}"/>
<text x="36" y="24" text-anchor="end">${count(max)}</text><text x="36" y="170" text-anchor="end">0</text>
${days.map((d, i) => {
    const x0 = 45 + i * band;
    const w = Math.max(2, band / 2 - 2);
    const a = d.metrics.abandoned ?? 0;
    const r = d.metrics.recovered ?? 0;
    return html`<g data-day="${d.key}"><rect x="${num(x0)}" y="${num(y(a))}" width="${num(w)}" height="${num(170 - y(a))}" fill="${LIGHT}"><title>${d.key}: ${count(a)} abandoned</title></rect>
<rect x="${num(x0 + w + 1)}" y="${num(y(r))}" width="${num(w)}" height="${num(170 - y(r))}" fill="${TREATED}"><title>${d.key}: ${count(r)} recovered</title></rect>
${i % every === 0 ? html`<text x="${num(x0 + w)}" y="188" text-anchor="middle">${d.key.slice(5)}</text>` : ''}</g>`;
  })}
<rect x="40" y="196" width="10" height="10" fill="${LIGHT}"/><text x="54" y="205">abandoned</text>
<rect x="130" y="196" width="10" height="10" fill="${TREATED}"/><text x="144" y="205">recovered</text>
</svg>`;
}

const STAGES = [
  ['messages', 'sent'],
  ['delivered', 'delivered'],
  ['opened', 'opened'],
  ['clicked', 'clicked'],
  ['recovered', 'recovered'],
];

/** The message funnel of one group (a step, a channel): each stage as a bar against what was sent. */
export function funnelChart(row, { count }) {
  const m = row.metrics;
  const max = Math.max(1, m.messages ?? 0);
  const x = scale(0, max, 0, 300);
  return html`<svg viewBox="0 0 480 ${STAGES.length * 20 + 4}" width="480" height="${STAGES.length * 20 + 4}" role="img" aria-label="${row.dimension} ${row.key}: ${STAGES.map(([k, l]) => `${count(m[k] ?? 0)} ${l}`).join(', ')}" data-chart="funnel" data-key="${row.key}">
${STAGES.map(([k, label], i) => html`<text x="0" y="${i * 20 + 15}">${label}</text><rect x="80" y="${i * 20 + 3}" width="${num(x(m[k] ?? 0))}" height="15" fill="${i === 4 ? TREATED : LIGHT}"/><text x="${num(86 + x(m[k] ?? 0))}" y="${i * 20 + 15}">${count(m[k] ?? 0)}</text>`)}
</svg>`;
}

