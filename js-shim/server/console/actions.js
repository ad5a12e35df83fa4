// What an operator may do to one shopper, as plain forms: pause and resume (the shopper or one
// cart), a support exception and its early end, preferences, export and erase. Each form posts
// once to ask and once more to confirm (the confirmation page repeats the fields as hidden
// inputs: no script, since the CSP forbids it). operator.js does the work, so every action is an
// engine event, explained in the timeline and audit-logged with the signed-in operator's name.

import { html } from './html.js';

const KINDS = [['refund', 'Refund'], ['changedOrder', 'Changed order'], ['ticket', 'Open support ticket']];

/**
 * Each action: its button, the fields it carries, the sentence the confirmation asks, the
 * operator.js call, and what the shopper page says once it is done.
 */
export const ACTIONS = {
  pause: {
    fields: ['journeyId', 'until'],
    ask: (x, c) => html`Pause every message to this shopper${x.journeyId ? html` about “${c.journey(x.journeyId)}”` : ''} ${x.until ? html`until ${c.day(x.until)}` : 'until resumed'}?`,
    run: (op, who, id, x, c) => op.pause(who, id, { journeyId: x.journeyId || undefined, until: c.endOf(x.until, '$.until') }),
    done: 'Paused.',
  },
  resume: {
    fields: ['journeyId'],
    ask: (x, c) => html`Resume messages to this shopper${x.journeyId ? html` about “${c.journey(x.journeyId)}”` : ''}? Held sends become due again.`,
    run: (op, who, id, x) => op.resume(who, id, { journeyId: x.journeyId || undefined }),
    done: 'Resumed: held sends go at the next tick, if still allowed.',
  },
  exception: {
    fields: ['kind', 'reason', 'until'],
    ask: (x, c) => html`Open a support exception (${KINDS.find(([k]) => k === x.kind)?.[1] ?? x.kind}: “${x.reason}”) ${x.until ? html`until ${c.day(x.until)}` : 'until it is closed'}? No message goes to this shopper meanwhile.`,
    run: (op, who, id, x, c) => op.openSupportException(who, id, { kind: x.kind, reason: x.reason, until: c.endOf(x.until, '$.until') }),
    done: 'Support exception opened.',
  },
  close: {
    fields: ['ticketId'],
    ask: () => 'Close this support exception now? Held sends become due again.',
    run: (op, who, id, x) => op.closeSupportException(who, id, { id: x.ticketId }),
    done: 'Support exception closed.',
  },
  preferences: {
    fields: ['email', 'sms', 'frequency', 'pausedUntil'],
    ask: (x, c) => html`Set this shopper's preferences: ${[
      x.email && `email ${x.email === 'yes' ? 'on' : 'off'}`,
      x.sms && `SMS ${x.sms === 'yes' ? 'on' : 'off'}`,
      x.frequency && `${x.frequency === 'fewer' ? 'fewer' : 'all'} messages`,
    ].filter(Boolean).join(', ') || 'nothing changed'}${x.pausedUntil ? html`, paused until ${c.day(x.pausedUntil)}` : ''}?`,
    run: (op, who, id, x, c) => op.preferences(who, id, {
      email: yes(x.email), sms: yes(x.sms), frequency: x.frequency || undefined, pausedUntil: c.endOf(x.pausedUntil, '$.pausedUntil'),
    }),
    done: 'Preferences saved.',
  },
  export: {
    fields: [],
    ask: () => 'Export everything held about this shopper (a data request)? The file downloads; the export is audit-logged.',
    run: (op, who, id) => op.exportData(who, id),
  },
  erase: {
    fields: [],
    ask: () => html`Erase this shopper? <strong>This cannot be undone</strong>: their state, timeline and keys go, and nothing more is sent.`,
    run: (op, who, id) => op.erase(who, id),
    done: 'Erased.',
  },
};

const yes = (v) => (v === 'yes' ? true : v === 'no' ? false : undefined);

const hidden = (session) => html`<input type="hidden" name="csrf" value="${session.csrf}">`;

/** The actions section of a shopper's page: forms for an operator, a sentence for a viewer. */
export function actionForms({ base, session, shopper }) {
  if (!session.can('act')) return html`<section aria-labelledby="act-h"><h2 id="act-h">Actions</h2><p class="note">Your role (${session.role}) reads; an operator can pause, open support exceptions, change preferences, export and erase.</p></section>`;
  if (shopper.erased) return '';
  const to = (name) => `${base}/shoppers/${encodeURIComponent(shopper.contactId)}/${name}`;
  const cart = html`<label>Cart <select name="journeyId"><option value="">every cart</option>${shopper.journeys.map((j) => html`<option value="${j.id}">${j.name}</option>`)}</select></label>`;
  return html`<section aria-labelledby="act-h"><h2 id="act-h">Actions</h2>
<p class="note">Each asks you to confirm on the next page. Dates are whole days in the shop's zone: "until" means through the end of that day.</p>
<form class="range" method="post" action="${to('pause')}" data-action="pause">${hidden(session)}${cart}
<label>Until (optional) <input type="date" name="until"></label><button class="primary" type="submit">Pause…</button></form>
<form class="range" method="post" action="${to('resume')}" data-action="resume">${hidden(session)}${cart}<button class="primary" type="submit">Resume…</button></form>
<form class="range" method="post" action="${to('exception')}" data-action="exception">${hidden(session)}
<label>Support exception <select name="kind">${KINDS.map(([k, label]) => html`<option value="${k}">${label}</option>`)}</select></label>
<label>Reason <input name="reason" required maxlength="500"></label>
<label>Until (optional) <input type="date" name="until"></label><button class="primary" type="submit">Open exception…</button></form>
${(shopper.supportExceptions ?? []).map((t) => html`<form class="range" method="post" action="${to('close')}" data-action="close">${hidden(session)}<input type="hidden" name="ticketId" value="${t.id}">
<span>${KINDS.find(([k]) => k === t.kind)?.[1] ?? t.kind}${t.reason ? html` (“${t.reason}”)` : ''}</span><button type="submit">Close exception…</button></form>`)}
<form class="range" method="post" action="${to('preferences')}" data-action="preferences">${hidden(session)}
<label>Email <select name="email"><option value="">as is</option><option value="yes">on</option><option value="no">off</option></select></label>
<label>SMS <select name="sms"><option value="">as is</option><option value="yes">on</option><option value="no">off</option></select></label>
<label>Frequency <select name="frequency"><option value="">as is</option><option value="all">all</option><option value="fewer">fewer</option></select></label>
<label>Paused until (optional) <input type="date" name="pausedUntil"></label><button class="primary" type="submit">Save preferences…</button></form>
<form class="range" method="post" action="${to('export')}" data-action="export">${hidden(session)}<button type="submit">Export data…</button></form>
<form class="range" method="post" action="${to('erase')}" data-action="erase">${hidden(session)}<button type="submit">Erase…</button></form>
</section>`;
}

/** The confirmation page: the question, the same fields hidden, and `confirm=yes`. */
export function confirmBody({ base, session, contactId, name, fields, question }) {
  const back = `${base}/shoppers/${encodeURIComponent(contactId)}`;
  return html`<section aria-labelledby="confirm-h"><h2 id="confirm-h">Confirm</h2>
<p data-question>${question}</p>
<form method="post" action="${back}/${name}" data-confirm="${name}">${hidden(session)}<input type="hidden" name="confirm" value="yes">
${ACTIONS[name].fields.map((k) => html`<input type="hidden" name="${k}" value="${fields[k] ?? ''}">`)}
<button class="primary" type="submit">Confirm</button> <a href="${back}">Cancel</a></form></section>`;
}

/** A YYYY-MM-DD day as the instant it ends in `timeZone` (the next day's midnight there), or null. */
export function endOfDay(day, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '');
  if (!m) return null;
  const next = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  if (new Date(next - 86_400_000).toISOString().slice(0, 10) !== day) return null; // 2026-02-30
  // The zone's offset at that wall time, found twice so a DST change that night lands right.
  let at = next - offset(next, timeZone);
  at = next - offset(at, timeZone);
  return new Date(at).toISOString();
}

/** How far `timeZone`'s wall clock is ahead of UTC at instant `t`, in ms. */
function offset(t, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - Math.floor(t / 1000) * 1000;
}
