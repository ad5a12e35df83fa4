// Overview: "is it working, and what did it cause?" The report from the outcome log
// (src/measurement, the same figures as GET /report): the lift against the holdout first, with
// its interval; then recovery, revenue, the funnel per step and channel, the variants and the
// trend; for a range of cohort days, and as CSV.

import { funnelChart, liftChart, trendChart } from './charts.js';
import { html } from './html.js';
import { scroller } from './layout.js';

/** The report, its roll-ups and the daily trend, over the log cut to the range. */
export async function overviewData(rekindle, logText) {
  const [report, steps, channels, variants, days] = await Promise.all([
    rekindle.report(logText),
    ...['step', 'channel', 'variant', 'day'].map((dimension) => rekindle.rollup(logText, dimension)),
  ]);
  return { report, steps, channels, variants, days: days.sort((a, b) => (a.key < b.key ? -1 : 1)) };
}

function rangeForm({ base, range, problem }) {
  return html`<form class="range" method="get" action="${base}/overview" aria-describedby="range-note">
<label>From <input type="date" name="from" value="${range.from ?? ''}"></label>
<label>To <input type="date" name="to" value="${range.to ?? ''}"></label>
<button class="primary" type="submit">Show</button>
<a href="${base}/overview.csv?${new URLSearchParams(Object.entries(range).filter(([, v]) => v))}" download>Export CSV</a>
</form>
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<p class="note" id="range-note">Journeys are counted by the day they were abandoned (UTC days, as the daily roll-ups keep them). Other times on these pages are in ${range.timeZone}.</p>`;
}

function metricRows(rows, f) {
  return rows.map((r) => html`<tr><th scope="row">${r.key || '(none)'}</th><td class="n">${f.count(r.metrics.messages)}</td><td class="n">${f.count(r.metrics.delivered)}</td><td class="n">${f.count(r.metrics.opened)}</td><td class="n">${f.count(r.metrics.clicked)}</td><td class="n">${f.count(r.metrics.recovered)}</td><td class="n">${f.count(r.metrics.recoveredLastTouch)}</td><td class="n">${f.moneyEach(r.metrics.revenue, (e) => e.revenueMinor)}</td><td class="n">${f.moneyEach(r.metrics.revenue, (e) => e.revenuePerMessageMinor)}</td></tr>`);
}

function messageTable(caption, label, rows, f) {
  if (rows.length === 0) return html`<p class="note">No messages in this range.</p>`;
  return scroller(caption, html`<table><caption>${caption}</caption><thead><tr><th scope="col">${label}</th><th scope="col" class="n">Sent</th><th scope="col" class="n">Delivered</th><th scope="col" class="n">Opened</th><th scope="col" class="n">Clicked</th><th scope="col" class="n">Recovered (any touch)</th><th scope="col" class="n">Recovered (last touch)</th><th scope="col" class="n">Revenue</th><th scope="col" class="n">Per message</th></tr></thead>
<tbody>${metricRows(rows, f)}</tbody></table>`);
}

function liftSection(lift, f) {
  if (!lift) return html`<section aria-labelledby="lift-h"><h2 id="lift-h">What the messages caused</h2><p class="note">No lift yet: it needs journeys in both the messaged group and the holdout.</p></section>`;
  const d = lift.difference;
  return html`<section aria-labelledby="lift-h"><h2 id="lift-h">What the messages caused</h2>
<p><strong data-stat="verdict">${lift.verdict}</strong></p>
${liftChart(lift, f)}
<table><caption>Recovery rate, messaged against held out (randomised holdout)</caption>
<thead><tr><th scope="col">Group</th><th scope="col" class="n">Journeys</th><th scope="col" class="n">Recovery rate</th></tr></thead>
<tbody><tr><th scope="row">Messaged</th><td class="n">${f.count(lift.treated)}</td><td class="n">${f.percent(lift.treatedRate)}</td></tr>
<tr><th scope="row">Held out</th><td class="n">${f.count(lift.heldOut)}</td><td class="n">${f.percent(lift.holdoutRate)}</td></tr>
<tr><th scope="row">Difference (lift)</th><td></td><td class="n"><span data-stat="lift">${f.points(d.estimate)}</span> (<span data-stat="liftInterval">${f.points(d.low)} to ${f.points(d.high)}</span>)</td></tr>
<tr><th scope="row">Incremental orders</th><td></td><td class="n">${f.count(lift.incrementalOrders?.estimate)} (${f.count(lift.incrementalOrders?.low)} to ${f.count(lift.incrementalOrders?.high)})</td></tr>
${(lift.revenuePerAbandonment ?? []).map((r) => html`<tr><th scope="row">Incremental revenue${lift.revenuePerAbandonment.length > 1 ? ` (${r.currency ?? 'no currency'})` : ''}</th><td></td><td class="n">${f.money(r.incrementalMinor.estimate, r.currency)} (${f.money(r.incrementalMinor.low, r.currency)} to ${f.money(r.incrementalMinor.high, r.currency)})</td></tr>`)}
</tbody></table></section>`;
}

function experimentsSection(report, variants, f) {
  const arms = report.experiments.flatMap((e) => e.arms.map((a) => ({ step: e.step, ...a, comparison: e.comparisons.find((c) => c.variant === a.variant), mismatch: e.sampleRatio.mismatch })));
  return html`<section aria-labelledby="variants-h"><h2 id="variants-h">Variants</h2>
${arms.length === 0 ? html`<p class="note">No experiment ran in this range.</p>` : scroller('Experiments', html`<table><caption>Experiments (always-valid intervals: safe to read at any time)</caption>
<thead><tr><th scope="col">Step</th><th scope="col">Variant</th><th scope="col" class="n">Weight</th><th scope="col" class="n">Journeys</th><th scope="col" class="n">Recovered</th><th scope="col" class="n">Rate</th><th scope="col">Against the first arm</th></tr></thead>
<tbody>${arms.map((a) => html`<tr><td>${a.step}</td><th scope="row">${a.variant}</th><td class="n">${a.weight}%</td><td class="n">${f.count(a.journeys)}</td><td class="n">${f.count(a.recovered)}</td><td class="n">${f.percent(a.recoveryRate)}</td><td>${a.comparison ? `${f.points(a.comparison.alwaysValid.estimate)} (${f.points(a.comparison.alwaysValid.low)} to ${f.points(a.comparison.alwaysValid.high)})${a.comparison.conclusive ? '' : ', inconclusive'}` : '—'}${a.mismatch ? ' · sample ratio mismatch: check the split' : ''}</td></tr>`)}</tbody></table>`)}
${messageTable('Messages per variant', 'Variant', variants, f)}</section>`;
}

export function overviewBody({ base, range, problem, data, f }) {
  const { report, steps, channels, variants, days } = data;
  const t = report.treated;
  return html`${rangeForm({ base, range, problem })}
<dl class="cards">
<div><dt>Recovery rate</dt><dd data-stat="recoveryRate">${f.percent(t.recoveryRate)}<small>${f.count(t.recovered)} of ${f.count(t.abandoned)} messaged journeys</small></dd></div>
<div><dt>Incremental lift</dt><dd>${report.lift ? f.points(report.lift.difference.estimate) : '—'}<small>${report.lift ? `${f.points(report.lift.difference.low)} to ${f.points(report.lift.difference.high)}` : 'needs a holdout'}</small></dd></div>
<div><dt>Revenue recovered</dt><dd data-stat="revenue">${f.moneyEach(t.revenue, (e) => e.revenueMinor)}<small>orders matched to messaged journeys</small></dd></div>
<div><dt>Revenue per message</dt><dd data-stat="revenuePerMessage">${f.moneyEach(t.revenue, (e) => e.revenuePerMessageMinor)}<small>${f.count(t.messages)} messages</small></dd></div>
<div><dt>Average recovered order</dt><dd data-stat="aov">${f.moneyEach(t.revenue, (e) => e.averageOrderMinor)}<small>cohort ${report.from ?? '—'} to ${report.to ?? '—'}</small></dd></div>
</dl>
${liftSection(report.lift, f)}
<section aria-labelledby="trend-h"><h2 id="trend-h">Trend</h2>${trendChart(days, f)}
${days.length ? scroller('Per cohort day', html`<table><caption>Per cohort day</caption><thead><tr><th scope="col">Day</th><th scope="col" class="n">Abandoned</th><th scope="col" class="n">Recovered</th><th scope="col" class="n">Rate</th><th scope="col" class="n">Revenue</th></tr></thead>
<tbody>${days.map((d) => html`<tr><th scope="row">${d.key}</th><td class="n">${f.count(d.metrics.abandoned)}</td><td class="n">${f.count(d.metrics.recovered)}</td><td class="n">${f.percent(d.metrics.recoveryRate)}</td><td class="n">${f.moneyEach(d.metrics.revenue, (e) => e.revenueMinor)}</td></tr>`)}</tbody></table>`) : ''}</section>
<section aria-labelledby="funnel-h"><h2 id="funnel-h">Funnel per step and channel</h2>
${steps.map((r) => html`<h3>Step ${r.key}</h3>${funnelChart(r, f)}`)}
${messageTable('Per step', 'Step', steps, f)}
${messageTable('Per channel', 'Channel', channels, f)}</section>
${experimentsSection(report, variants, f)}`;
}
