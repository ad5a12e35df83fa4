// The playbook: the live policy as a table a merchant reads (when, channel, angle, conditions,
// incentive), an editor (the normalised JSON in a textarea: no script), the engine's validation
// problems at the field they name, the diff against the live version and the simulator's
// comparison where the host has one, publishing under compare-and-set, rollback to any earlier
// publication, and the audit log. operator.js does every part; this module only draws it.

import { html, raw } from './html.js';
import { scroller } from './layout.js';

const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "5 min", "22 h", "2 days 11 h" after the cart was left. */
export function delay(minutes) {
  if (!Number.isFinite(minutes)) return '—';
  if (minutes < HOUR) return `${minutes} min`;
  if (minutes < 2 * DAY) return `${Math.round((minutes / HOUR) * 10) / 10} h`;
  const days = Math.floor(minutes / DAY);
  const hours = Math.round((minutes - days * DAY) / HOUR);
  return `${days} days${hours ? ` ${hours} h` : ''}`;
}

// The engine's step conditions (src/policy/mod.rs `Conditions`) in words; one unknown here is shown as it is.
const CONDITION_WORDS = {
  unlessOpened: (v) => (v ? 'only if no earlier message of the cart was opened' : null),
  ifClicked: (v) => (v ? 'only if an earlier message of the cart was clicked' : null),
  minCartMinor: (v, f) => `carts from ${f.money(v)}`,
};

function conditions(step, f) {
  const c = step.conditions ?? {};
  const said = Object.entries(c).map(([k, v]) => (CONDITION_WORDS[k] ? CONDITION_WORDS[k](v, f) : `${k}: ${JSON.stringify(v)}`)).filter(Boolean);
  return said.length ? said.join('; ') : '—';
}

function segment(s) {
  if (!s || Object.keys(s).length === 0) return 'every other cart';
  return Object.entries(s).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

/** The live playbook's steps, one table per playbook, in the order the engine tries them. */
function stepsTable(live, f) {
  return html`${live.playbooks.map((p, i) => html`<h3>${p.name} <span class="note">(${segment(p.segment)})</span></h3>
${scroller(`Steps of ${p.name}`, html`<table data-table="steps" data-playbook="${i}"><thead><tr><th scope="col">Step</th><th scope="col">When</th><th scope="col">Channel</th><th scope="col">Angle</th><th scope="col">Conditions</th><th scope="col">Incentive</th><th scope="col">Template</th></tr></thead>
<tbody>${p.steps.map((s) => html`<tr data-step="${s.key}"><td>${s.key}</td><td>${delay(s.delayMinutes)} after leaving</td><td>${s.channel === 'sms' ? 'SMS' : s.channel}</td><td>${s.angle}${s.fallbackAngle ? ` (else ${s.fallbackAngle})` : ''}</td><td>${conditions(s, f)}</td><td>${s.offerIncentive ? 'the best incentive the ladder allows' : '—'}</td><td><code>${s.template}</code></td></tr>`)}</tbody></table>`)}`)}
<p class="note">Holdout ${live.holdoutPercent}% (no message: the comparison group); caps ${(live.caps ?? []).map((c) => `${c.max} ${c.channel} per ${c.windowHours} h`).join(', ') || 'none'}; incentives at most ${live.incentives?.maxDiscountPercent ?? '—'}% off; store zone ${live.storeTimeZone ?? 'UTC'}.</p>`;
}

/** The editor: the textarea, its problems said beside it (code and JSON path) and tied to it for screen readers. */
export function editor({ base, session, text, expected, problems = null }) {
  const invalid = problems?.length > 0;
  return html`<form method="post" action="${base}/playbook/preview" data-form="edit">
<input type="hidden" name="csrf" value="${session.csrf}"><input type="hidden" name="expected" value="${expected}">
<label for="policy">The playbook as JSON (edit, then check it against the live one)</label>
${invalid ? html`<div id="policy-problems" class="error" role="alert"><p>The engine refused it: nothing was published.</p><ul>${problems.map((p) => html`<li data-problem data-code="${p.code}" data-path="${p.path}"><code>${p.path}</code>: ${p.message} <small>(${p.code})</small></li>`)}</ul></div>` : ''}
<textarea id="policy" name="policy" rows="24" spellcheck="false"${invalid ? raw(' aria-invalid="true" aria-describedby="policy-problems"') : ''}>${text}</textarea>
<button class="primary" type="submit">Check and compare</button></form>`;
}

function diffTable(diff) {
  if (diff.length === 0) return html`<p class="note" data-diff="none">No change from the live playbook.</p>`;
  const show = (v) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return scroller('Changes', html`<table data-table="diff"><thead><tr><th scope="col">Field</th><th scope="col">Live</th><th scope="col">Edited</th></tr></thead>
<tbody>${diff.map((d) => html`<tr data-path="${d.path}"><td><code>${d.path}</code></td><td>${show(d.before)}</td><td>${show(d.after)}</td></tr>`)}</tbody></table>`);
}

const SIMULATED = [
  ['incrementalOrders', 'Incremental orders per 1,000'],
  ['incrementalRevenue', 'Incremental revenue per 1,000'],
  ['incrementalNetRevenue', 'Net of incentives and SMS'],
  ['messages', 'Messages per 1,000'],
  ['unsubscribes', 'Unsubscribes per 1,000'],
];

function simulationTable(simulation, f) {
  return simulation.results.map((world) => {
    const policies = world.policies.filter((p) => p.policy !== 'default');
    return scroller(`Simulated: ${world.world}`, html`<table data-table="simulation"><caption>Simulated world “${world.world}”: ${f.count(world.shoppers)} synthetic shoppers meet both playbooks (estimate and 95% interval)</caption>
<thead><tr><th scope="col">Per 1,000 abandonments</th>${policies.map((p) => html`<th scope="col" class="n">${p.policy}</th>`)}</tr></thead>
<tbody>${SIMULATED.map(([key, label]) => html`<tr data-metric="${key}"><th scope="row">${label}</th>${policies.map((p) => html`<td class="n">${f.count(p[key]?.estimate)} <small>[${f.count(p[key]?.low)}, ${f.count(p[key]?.high)}]</small></td>`)}</tr>`)}</tbody></table>`);
  });
}

/** What a checked edit changes, the simulated comparison, and (for an operator) the publish form, its confirmation. */
export function previewBody({ base, session, text, expected, preview, f }) {
  const publish = preview.diff.length === 0
    ? html`<p class="note">Nothing to publish: the edit is the live playbook.</p>`
    : session.can('publish')
    ? html`<form method="post" action="${base}/playbook/publish" data-form="publish"><input type="hidden" name="csrf" value="${session.csrf}"><input type="hidden" name="expected" value="${expected}"><input type="hidden" name="policy" value="${text}">
<p>Publishing makes version <strong>${preview.version}</strong> the one every next decision uses. If someone publishes first, nothing is published and you are asked to compare again.</p>
<button class="primary" type="submit">Publish version ${preview.version}</button> <a href="${base}/playbook">Cancel</a></form>`
    : html`<p class="note">Your role (${session.role}) can check an edit; an operator publishes it.</p>`;
  return html`<section aria-labelledby="diff-h"><h2 id="diff-h">Changes against the live playbook</h2>${diffTable(preview.diff)}</section>
<section aria-labelledby="sim-h"><h2 id="sim-h">Simulated comparison</h2>${preview.simulation ? simulationTable(preview.simulation, f) : html`<p class="note" data-simulation="unavailable">Not available here: ${preview.simulationUnavailable}.</p>`}</section>
<section aria-labelledby="publish-h"><h2 id="publish-h">Publish</h2>${publish}</section>
<section aria-labelledby="edit-h"><h2 id="edit-h">Edit again</h2>${editor({ base, session, text, expected })}</section>`;
}

export function playbookBody({ base, session, book, audit, f, done = null, edit = null }) {
  const { live, publication, versions } = book;
  const current = versions.length;
  return html`${done ? html`<p class="ok" role="status" data-done>${done}</p>` : ''}
<section aria-labelledby="live-h"><h2 id="live-h">Live: version <span data-live-version>${live.version}</span></h2>${stepsTable(live, f)}</section>
<section aria-labelledby="edit-h"><h2 id="edit-h">Edit</h2>${edit ?? editor({ base, session, text: JSON.stringify(live, null, 2), expected: publication })}</section>
<section aria-labelledby="versions-h"><h2 id="versions-h">Publications</h2>
${versions.length === 0 ? html`<p class="note">None yet: the deployment's own playbook is live. The first publication keeps it as publication 1, so you can always return to it.</p>` : scroller('Publications', html`<table data-table="versions"><thead><tr><th scope="col" class="n">#</th><th scope="col">Version</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">How</th><th scope="col">Roll back</th></tr></thead>
<tbody>${[...versions].reverse().map((v) => html`<tr data-publication="${v.publication}"><td class="n">${v.publication}</td><td>${v.version}</td><td>${f.time(Date.parse(v.publishedAt))}</td><td>${v.actor}</td><td>${v.kind}${v.from ? ` of #${v.from}` : ''}</td>
<td>${v.publication === current ? 'live' : session.can('publish') ? html`<form method="post" action="${base}/playbook/rollback"><input type="hidden" name="csrf" value="${session.csrf}"><input type="hidden" name="publication" value="${v.publication}"><input type="hidden" name="expected" value="${publication}"><button type="submit" aria-label="Roll back to publication ${v.publication}">Roll back…</button></form>` : '—'}</td></tr>`)}</tbody></table>`)}</section>
<section aria-labelledby="audit-h"><h2 id="audit-h">Audit log</h2>${auditTable(audit, f)}</section>`;
}

function auditTable({ entries, count }, f) {
  if (entries.length === 0) return html`<p class="note">Nothing yet.</p>`;
  return html`${scroller('Audit log', html`<table data-table="audit"><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Role</th><th scope="col">Action</th><th scope="col">On</th><th scope="col">Engine's answer</th></tr></thead>
<tbody>${entries.map((e) => html`<tr data-action="${e.action}"><td>${f.time(Date.parse(e.at))}</td><td data-actor>${e.actor}</td><td>${e.role}</td><td>${e.action}${e.kind ? ` (${e.kind})` : ''}${e.by ? ` by ${e.by}` : ''}</td><td>${e.contactId ? html`<code>${e.contactId.slice(0, 12)}</code>` : e.version ? `version ${e.version} (#${e.publication})` : '—'}</td><td>${e.explanation ?? (e.found === undefined ? '' : e.found ? 'found' : 'not found')}</td></tr>`)}</tbody></table>`)}
<p class="note">The latest ${entries.length} of ${count}, newest first; times in ${f.timeZone}.</p>`;
}

export function rollbackConfirm({ base, session, target, expected }) {
  return html`<section aria-labelledby="confirm-h"><h2 id="confirm-h">Confirm</h2>
<p data-question>Roll back to publication ${target.publication} (version ${target.version}, published by ${target.actor})? It is published again as a new publication; every next decision uses it.</p>
<form method="post" action="${base}/playbook/rollback" data-confirm="rollback"><input type="hidden" name="csrf" value="${session.csrf}"><input type="hidden" name="confirm" value="yes"><input type="hidden" name="publication" value="${target.publication}"><input type="hidden" name="expected" value="${expected}">
<button class="primary" type="submit">Confirm</button> <a href="${base}/playbook">Cancel</a></form></section>`;
}
