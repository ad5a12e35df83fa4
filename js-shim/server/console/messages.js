// Messages: the ledger of what the engine sent, newest first, with what became of each send
// (the store's ledger: sent, failed and why, refused by a limit, outcome unknown) and what the
// provider reported after (delivered, opened, clicked). Ids and codes only: no address, no
// name, no content (the ledger drops the payload once sent).

import { html } from './html.js';
import { scroller } from './layout.js';
import { latestSends } from './outcome-log.js';

export const MESSAGE_LIMIT = 200;

/** The latest sends, each with its ledger entry. */
export async function messageRows(store, logText, limit = MESSAGE_LIMIT) {
  const sends = latestSends(logText, limit);
  for (const send of sends) send.ledger = (await store.ledger(send.id)) ?? null;
  return sends;
}

const WHAT = { pending: 'queued', sent: 'sent', failed: 'failed', refused: 'refused by a limit', unknown: 'outcome unknown', cancelled: 'cancelled' };

export function messagesBody({ base, rows, f }) {
  const gallery = html`<p><a href="${base}/messages/gallery">Template gallery</a>: every message of the live playbook as the engine renders it, in each language.</p>`;
  if (rows.length === 0) return html`${gallery}<section><p class="note">No messages yet.</p></section>`;
  return html`${gallery}<section aria-labelledby="ledger-h"><h2 id="ledger-h">Sent, delivered, failed</h2>
<p class="note">The latest ${rows.length} sends (at most ${MESSAGE_LIMIT}), newest first; times in ${f.timeZone}. Journeys already folded into the daily roll-ups are counted on the Overview, not listed here.</p>
${scroller('Sends', html`<table data-table="ledger"><thead><tr><th scope="col">When</th><th scope="col">Journey</th><th scope="col">Step</th><th scope="col">Channel</th><th scope="col">Angle</th><th scope="col">Variant</th><th scope="col">Status</th><th scope="col">Why</th><th scope="col">Then</th></tr></thead>
<tbody>${rows.map((r) => {
    const status = r.ledger?.status ?? 'pending';
    const then = Object.entries(r.events).map(([kind, at]) => `${kind} ${f.time(at)}`).join('; ');
    return html`<tr data-send="${r.id}"><td>${f.time(r.at)}</td><td><code>${r.journey.slice(0, 10)}</code></td><td>${r.step ?? '—'}</td><td>${r.channel ?? '—'}${r.segments ? ` (${r.segments} segment${r.segments > 1 ? 's' : ''})` : ''}</td><td>${r.angle ?? '—'}</td><td>${r.variant ?? '—'}</td>
<td class="status-${status}" data-status="${status}">${WHAT[status] ?? status}${r.ledger?.attempts > 1 ? ` after ${r.ledger.attempts} attempts` : ''}</td><td>${r.ledger?.detail ?? ''}</td><td>${then || '—'}</td></tr>`;
  })}</tbody></table>`)}</section>`;
}
