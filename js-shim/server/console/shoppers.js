// Shoppers: find one through the salted lookup keys (the console lists nobody), then their
// whole story from operator.js: the engine's view (addresses masked, carts by product, sends,
// consent with sources, pauses and support exceptions) and the timeline, every decision with
// its sentence, in the shopper's zone and the merchant's. The actions an operator may take on
// them are forms here too; each is confirmed on a page of its own (actions.js).

import { html, raw } from './html.js';
import { scroller } from './layout.js';
import { timelineLog } from '../stores/logs.js';

export const LOOKUP_KINDS = [
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['order', 'Order (id or name, e.g. #1001)'],
  ['checkout', 'Checkout token'],
];

/** The HTML of the email sent as `actionId`, from the shopper's timeline, or null. */
export async function sentEmailHtml(store, contactId, actionId) {
  const { lines } = await store.readLog(timelineLog(contactId));
  for (const line of lines) {
    const sent = JSON.parse(line).actions?.find((a) => a.type === 'send' && a.id === actionId);
    if (sent?.message?.email?.html) return sent.message.email.html;
  }
  return null;
}

/** The search form. The value goes in a POST body, never the URL (URLs reach access logs). */
export function lookupBody({ base, session, problem = null, by = 'email', notFound = false }) {
  return html`${problem ? html`<p class="error" role="alert" data-problem>${problem}</p>` : ''}
${notFound ? html`<p class="note" role="status" data-not-found>No shopper is known by that ${by === 'checkout' ? 'checkout token' : by}.</p>` : ''}
<section aria-labelledby="find-h"><h2 id="find-h">Find a shopper</h2>
<p class="note">The search goes through the same salted keys ingest made: the console lists no one, and the audit log records the kind of search, never what was typed.</p>
<form class="range" method="post" action="${base}/shoppers/lookup">
<input type="hidden" name="csrf" value="${session.csrf}">
<label>By <select name="by">${LOOKUP_KINDS.map(([k, label]) => html`<option value="${k}"${k === by ? raw(' selected') : ''}>${label}</option>`)}</select></label>
<label>Value <input name="value" required autocomplete="off"></label>
<button class="primary" type="submit">Find</button>
</form></section>`;
}

/** An instant in the shopper's zone and the merchant's (operator.js's `when`, or epoch ms). */
function both(at, zones) {
  if (at === null || at === undefined) return '—';
  if (typeof at === 'object') return html`<span data-zone="shopper">${at.shopper}</span> <span class="note">(shop: <span data-zone="merchant">${at.merchant}</span>)</span>`;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '—';
  const local = (timeZone) => new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
  return both({ shopper: local(zones.shopper), merchant: local(zones.merchant) }, zones);
}

const KIND = { refund: 'refund', changedOrder: 'changed order', ticket: 'open ticket' };

function summary(v, zones, f) {
  const held = v.paused ? html`paused by the merchant since ${both(v.paused.since, zones)}${v.paused.until ? html`, until ${both(v.paused.until, zones)}` : ' until resumed'}` : 'not paused';
  return html`<section aria-labelledby="who-h"><h2 id="who-h">Shopper</h2>
${scroller('Shopper', html`<table data-table="shopper"><tbody>
<tr><th scope="row">Name</th><td data-field="firstName">${v.firstName ?? '—'}</td></tr>
<tr><th scope="row">Email</th><td data-field="email">${v.email ?? '—'}</td></tr>
<tr><th scope="row">Phone</th><td data-field="phone">${v.phone ?? '—'}</td></tr>
<tr><th scope="row">Time zone</th><td>${zones.shopper}${v.timeZone ? '' : ' (not known: the shop\'s)'}; language ${v.locale ?? '—'}${v.region ? `, region ${v.region}` : ''}</td></tr>
<tr><th scope="row">Messages</th><td data-field="paused">${v.erased ? 'erased' : held}; frequency ${v.preferences?.frequency ?? 'all'}${v.preferences?.pausedUntil ? html`; the shopper paused them until ${both(v.preferences.pausedUntil, zones)}` : ''}${v.suppressed?.length ? `; suppressed on ${v.suppressed.join(', ')}` : ''}</td></tr>
<tr><th scope="row">Support exceptions</th><td data-field="exceptions">${v.supportExceptions?.length
    ? v.supportExceptions.map((t, i) => html`${i ? '; ' : ''}${KIND[t.kind] ?? t.kind}${t.reason ? html` (“${t.reason}”)` : ''}${t.until ? html` until ${both(t.until, zones)}` : ' until closed'}`)
    : 'none open'}</td></tr>
</tbody></table>`)}
<p class="note">Addresses are masked: the console needs to recognise a shopper, not to reach them. Times: the shopper's zone, then the shop's (${zones.merchant}).</p>
</section>
<section aria-labelledby="carts-h"><h2 id="carts-h">Carts</h2>
${v.journeys.length === 0 ? html`<p class="note">No cart.</p>` : v.journeys.map((j) => html`<h3 data-journey="${j.id}">${j.name}</h3>
<p>${j.status}${j.holdout ? ' (held out: no message, the comparison group)' : ''}${j.paused ? ' · this cart is paused' : ''}; left ${both(j.abandonedAt, zones)}; ${f.money(j.subtotalMinor, j.currency)}${j.recoveredMinor ? html`; recovered ${f.money(j.recoveredMinor, j.currency)}` : ''}</p>
${scroller(`Items and sends of ${j.name}`, html`<table><caption>Items</caption><thead><tr><th scope="col">Product</th><th scope="col" class="n">Quantity</th></tr></thead>
<tbody>${j.items.map((it) => html`<tr><td data-product>${it.title}</td><td class="n">${it.quantity}</td></tr>`)}</tbody></table>
<table><caption>Sends</caption><thead><tr><th scope="col">Step</th><th scope="col">Channel</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
<tbody>${j.sends.map((s) => html`<tr><td>${s.step}</td><td>${s.channel}</td><td>${both(s.dueAt, zones)}</td><td>${s.status}${s.delivered ? ', delivered' : ''}${s.opened ? ', opened' : ''}</td></tr>`)}</tbody></table>`)}`)}
</section>
<section aria-labelledby="consent-h"><h2 id="consent-h">Consent history</h2>
${scroller('Consent history', html`<table data-table="consent"><thead><tr><th scope="col">Channel</th><th scope="col">When</th><th scope="col">Status</th><th scope="col">Source</th></tr></thead>
<tbody>${Object.entries(v.consent ?? {}).flatMap(([channel, entries]) => (entries ?? []).map((e) => html`<tr><td>${channel}</td><td>${both(e.at, zones)}</td><td>${e.status}</td><td data-source>${e.source}</td></tr>`))}</tbody></table>`)}
</section>`;
}

/** The message as it went: the SMS text; the email's subject, its HTML in a sandboxed frame (its own URL and CSP), and its text part. */
function message(a, frameUrl) {
  const m = a.message;
  if (!m) return '';
  if (m.sms) return html`<blockquote data-message="sms">${m.sms.text ?? m.sms}</blockquote>`;
  if (m.email) {
    return html`<details data-message="email"><summary>Email: ${m.email.subject}</summary>
${m.email.html ? html`<iframe src="${frameUrl(a.id)}" title="The email as sent: ${m.email.subject}" sandbox width="600" height="480" loading="lazy"></iframe>` : ''}
<pre>${m.email.text}</pre></details>`;
  }
  return '';
}

function action(a, zones, frameUrl) {
  const what = a.type === 'send' ? `sent ${a.channel}` : a.type;
  return html`<li>${what}${a.step ? ` ${a.step} (${a.channel})` : ''}${a.journey ? html` for “${a.journey}”` : ''}${a.at ? html` at ${both(a.at, zones)}` : ''}${a.reason ? html`: ${a.reason}` : ''}${message(a, frameUrl)}</li>`;
}

function timeline(entries, zones, truncated, frameUrl) {
  if (entries.length === 0) return html`<p class="note">Nothing decided yet.</p>`;
  return html`<ol class="timeline" data-table="timeline">${entries.map((e) => html`<li data-event="${e.event ?? ''}">
<p><strong>${both(e.at, zones)}</strong> · ${e.event ?? 'decision'}${e.policyVersion ? html` <span class="note">(playbook ${e.policyVersion})</span>` : ''}</p>
<p data-sentence>${e.sentence}</p>
${e.note ? html`<p class="note">Note: ${e.note}</p>` : ''}
${e.actions.length ? html`<ul>${e.actions.map((a) => action(a, zones, frameUrl))}</ul>` : ''}
</li>`)}</ol>${truncated ? html`<p class="note">Older entries are not shown.</p>` : ''}`;
}

/** The shopper's page: who, carts, consent, what an operator may do, and the timeline. */
export function shopperBody({ base, session, found, f, done = null, actions }) {
  const { shopper: v, zones } = found;
  return html`${done ? html`<p class="ok" role="status" data-done>${done}</p>` : ''}
${summary(v, zones, f)}
${actions}
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
<p class="note">Every event and the engine's decision on it, with its explanation, oldest first.</p>
${timeline(found.timeline, zones, found.truncated, (id) => `${base}/shoppers/${encodeURIComponent(v.contactId)}/messages/${encodeURIComponent(id)}.html`)}
</section>
<p><a href="${base}/shoppers">Find another shopper</a></p>`;
}
