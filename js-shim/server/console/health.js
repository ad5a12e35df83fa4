// Health: is anything ticking, how much is waiting, and what went wrong lately: the figures of
// GET /health, the provider errors and limit refusals among the latest sends' ledger entries,
// and the requests this process refused by rate (beacons, console sign-in).

import { html } from './html.js';

/** Provider errors (failed or unknown sends, by code) and refusals by a limit, among `rows`. */
export function sendProblems(rows) {
  const errors = new Map();
  const refusals = new Map();
  for (const r of rows) {
    const status = r.ledger?.status;
    const code = r.ledger?.detail ?? 'no code';
    if (status === 'failed' || status === 'unknown') errors.set(code, (errors.get(code) ?? 0) + 1);
    if (status === 'refused') refusals.set(code, (refusals.get(code) ?? 0) + 1);
  }
  return { errors: [...errors], refusals: [...refusals] };
}

export function healthBody({ base, session, health, problems, refusedRequests, sends, ticked, f }) {
  const overdue = health.overdueMs > health.maxOverdueMs;
  return html`${ticked ? html`<p class="ok" role="status">Ticked: ${ticked.due} due, ${ticked.sent} sent, ${ticked.failed} failed.</p>` : ''}
<dl class="cards">
<div><dt>Scheduler</dt><dd data-stat="health" class="${overdue ? 'bad' : 'ok'}">${overdue ? 'Overdue' : 'OK'}<small>${health.scheduler === 'alarms' ? 'Durable Object alarms' : 'ticks'}</small></dd></div>
<div><dt>Last tick</dt><dd data-stat="lastTick">${health.lastTickAt === null ? 'never' : f.time(health.lastTickAt)}</dd></div>
<div><dt>Due now</dt><dd data-stat="due">${health.due === null ? '—' : f.count(health.due)}<small>${health.oldestDueAt === null ? 'nothing waiting' : `oldest since ${f.time(health.oldestDueAt)}`}</small></dd></div>
<div><dt>Engine</dt><dd>${health.engine}</dd></div>
</dl>
${overdue ? html`<p class="error" role="alert">A send has been due for ${Math.round(health.overdueMs / 1000)} s: is anything calling POST /tick (or startTicker)?</p>` : ''}
${session.can('tick') ? html`<form method="post" action="${base}/health/tick"><input type="hidden" name="csrf" value="${session.csrf}"><button class="primary" type="submit">Tick now</button> <span class="note">hands every due send to the engine and dispatches</span></form>` : ''}
<section aria-labelledby="errors-h"><h2 id="errors-h">Provider errors</h2>
${problems.errors.length ? html`<table data-table="errors"><thead><tr><th scope="col">Code</th><th scope="col" class="n">Sends</th></tr></thead><tbody>${problems.errors.map(([code, n]) => html`<tr><td>${code}</td><td class="n">${f.count(n)}</td></tr>`)}</tbody></table>` : html`<p class="note">None among the latest ${sends} sends.</p>`}</section>
<section aria-labelledby="refusals-h"><h2 id="refusals-h">Rate-limit refusals</h2>
${problems.refusals.length ? html`<table data-table="refusals"><thead><tr><th scope="col">Limit</th><th scope="col" class="n">Sends refused</th></tr></thead><tbody>${problems.refusals.map(([limit, n]) => html`<tr><td>${limit}</td><td class="n">${f.count(n)}</td></tr>`)}</tbody></table>` : html`<p class="note">No send refused by a limit among the latest ${sends} sends.</p>`}
<table><caption>Requests refused by rate since this process started</caption><tbody>
<tr><th scope="row">Storefront beacons</th><td class="n" data-stat="beaconRefused">${f.count(refusedRequests.beacon)}</td></tr>
<tr><th scope="row">Console sign-ins</th><td class="n" data-stat="signInRefused">${f.count(refusedRequests.signIn)}</td></tr>
</tbody></table></section>`;
}
