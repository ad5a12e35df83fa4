// The template gallery: every message of the live playbook as the engine renders it, for a
// sample shopper (no one real) in each of the pack's languages. Made by running the sample
// through the handler's own Engine (its policy, brand and pack) on a fixed clock, send by send,
// so what is shown is what would be sent, not a second renderer's guess. Email HTML is served
// on its own URL into a sandboxed frame: its inline styles never loosen the console's CSP.

import { html } from './html.js';
import { scroller } from './layout.js';

export const LOCALES = ['en', 'fr', 'de', 'es'];
// A Tuesday, 09:00 in Chicago: inside every quiet-hours window, so no send is deferred.
const SAMPLE_AT = Date.parse('2026-11-24T15:00:00Z');
const MAX_DECISIONS = 24;

function sampleEvent(locale) {
  return {
    id: 'gallery', at: new Date(SAMPLE_AT).toISOString(), type: 'checkoutUpdated', acceptsEmail: true, acceptsSms: true,
    cart: { token: 'gallery', stage: 'checkout', currency: 'USD', recoveryUrl: 'https://shop.example/cart/recover',
      items: [{ title: 'Merino wool socks', quantity: 2, unitPrice: 1800 }, { title: 'Trail running cap', quantity: 1, unitPrice: 2900 }] },
    contact: { email: 'sample@example.com', phone: '+15005550006', firstName: 'Alex', timeZone: 'America/Chicago', locale },
  };
}

/** The sends of one sample journey, in order: `{ step, channel, message }`. */
export function sampleSends(engine, locale) {
  const sends = [];
  const pending = [];
  let decision = engine.decide('gallery', null, sampleEvent(locale), SAMPLE_AT);
  for (let i = 0; i < MAX_DECISIONS; i += 1) {
    for (const a of decision.actions) {
      // Housekeeping (expiry, retention) is not a message: the gallery stops before it.
      if ((a.type === 'schedule' || a.type === 'defer') && !a.id.endsWith('.housekeeping')) pending.push({ id: a.id, at: Date.parse(a.at) });
      if (a.type === 'send') sends.push({ step: a.step ?? a.id.split('.')[1], channel: a.channel, message: a.message });
    }
    pending.sort((a, b) => a.at - b.at);
    const next = pending.shift();
    if (!next) break;
    decision = engine.decide('gallery', decision.state, { id: `due:${next.id}:${next.at}`, at: new Date(next.at).toISOString(), type: 'due', actionId: next.id }, next.at);
  }
  return sends;
}

export function galleryBody({ base, locale, sends }) {
  const frame = (i) => `${base}/messages/gallery/${locale}/${i}.html`;
  return html`<nav aria-label="Languages"><p>Language: ${LOCALES.map((l, i) => html`${i ? ' · ' : ''}${l === locale ? html`<strong aria-current="page">${l}</strong>` : html`<a href="${base}/messages/gallery?locale=${l}">${l}</a>`}`)}</p></nav>
<p class="note">Each message of the live playbook, rendered by the engine for a sample shopper (Alex, two items, consent to email and SMS) in this language. Links in the previews lead nowhere.</p>
${sends.length === 0 ? html`<p class="note">The playbook sends nothing to this sample shopper.</p>` : ''}
${sends.map((s, i) => html`<section aria-labelledby="send-${i}" data-preview="${s.channel}"><h2 id="send-${i}">Step ${s.step}: ${s.channel === 'sms' ? 'SMS' : 'email'}${s.message?.angle ? `, angle ${s.message.angle}` : ''}</h2>
${s.channel === 'sms'
    ? html`<p data-sms>${s.message?.sms?.text ?? '(withheld by the content audit)'}</p><p class="note">${s.message?.sms ? `${s.message.sms.count} segment${s.message.sms.count > 1 ? 's' : ''}, ${s.message.sms.encoding}` : ''}</p>`
    : s.message?.email
      ? html`${scroller('Subject and preheader', html`<table><tbody><tr><th scope="row">Subject</th><td data-subject>${s.message.email.subject}</td></tr><tr><th scope="row">Preheader</th><td>${s.message.email.preheader}</td></tr></tbody></table>`)}
<iframe src="${frame(i)}" title="Email preview: step ${s.step}" sandbox width="600" height="640" loading="lazy"></iframe>`
      : html`<p class="note">No rendered email: the content audit withheld it, or the step uses the provider's template (${s.message?.template ?? '—'}).</p>`}
</section>`)}`;
}

/** The frame's own headers: the email's inline styles, no script, framed by the console only. */
export const PREVIEW_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; sandbox",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
