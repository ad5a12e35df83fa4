// Rekindle's main job on one sample abandonment, until the full demo exists: the engine
// (the real wasm package) plans a shopper's recovery journey and the scheduler below plays it
// out on a simulated clock, printing every decision with its explanation.
//
//   node examples/demo/plan.mjs

import { init, Engine } from '../../pkg/dist/node.js';

const HOUR = 3_600_000;
const start = Date.parse('2026-11-27T20:40:00Z'); // 14:40 in Chicago, a Friday

// A Texas shopper reaches checkout, sees the shipping cost, and leaves.
const cart = {
  token: 'chk_7f3a', stage: 'checkout', currency: 'USD',
  items: [
    { title: 'Merino wool hiking socks', variant: 'M / Charcoal', quantity: 2, unitPrice: 1800, category: 'apparel' },
    { title: 'Trail running cap', quantity: 1, unitPrice: 2400, category: 'accessories' },
  ],
  shipping: { state: 'known', minor: 895 },
  recoveryUrl: 'https://demo-store.example/checkouts/chk_7f3a/recover',
};
const inputs = [
  { at: start, event: { type: 'checkoutUpdated', cart, acceptsSms: true, acceptsEmail: true,
      contact: { email: 'ada@example.com', phone: '+15125550100', firstName: 'Ada', region: 'US-TX' } } },
  { at: start + 60_000, event: { type: 'abandoned', origin: 'storefront', cart,
      contact: { timeZone: 'America/Chicago', mobile: true },
      reasons: [{ reason: 'extraCost', confidence: 0.8 }] } },
];

await init();
const policy = { ...(await import('../../pkg/dist/node.js')).defaultPolicy(), holdoutPercent: 0 };
const engine = new Engine(policy);

let state = null;
const due = new Map(); // the due index a store keeps: action id -> time
const local = (ms) => new Date(ms).toLocaleString('en-US', { timeZone: 'America/Chicago', weekday: 'short', hour: '2-digit', minute: '2-digit' });
let n = 0;

function apply(at, event) {
  const out = engine.decide('contact-ada', state, { id: `evt-${++n}`, at: new Date(at).toISOString(), ...event }, at);
  state = out.state;
  console.log(`\n${local(at)} (Chicago)  ${event.type}${event.actionId ? ` ${event.actionId}` : ''}`);
  console.log(`  why: ${out.explanation.summary}`);
  for (const action of out.actions) {
    if (action.type === 'schedule' || action.type === 'defer') due.set(action.id, Date.parse(action.at));
    else due.delete(action.id);
    if (action.type === 'schedule') console.log(`  plan  ${action.channel.padEnd(5)} ${action.step.padEnd(8)} at ${local(Date.parse(action.at))}`);
    if (action.type === 'defer') console.log(`  defer ${action.id} to ${local(Date.parse(action.at))}`);
    if (action.type === 'skip') console.log(`  skip  ${action.id}: ${action.reason}`);
    if (action.type === 'send') {
      const m = action.message;
      console.log(`  SEND  ${action.channel} "${m.template}" angle=${m.angle}`);
      if (m.sms) console.log(`        "${m.sms.text}" (${m.sms.encoding}, ${m.sms.count} segment${m.sms.count > 1 ? 's' : ''})`);
      else console.log(`        items: ${m.data.items.map((i) => `${i.quantity}× ${i.title} ${i.price}`).join(', ')}; subtotal ${m.data.subtotal}; ${m.headers['List-Unsubscribe']}`);
    }
  }
}

for (const { at, event } of inputs) apply(at, event);
// The scheduler: hand each due send back to the engine at its time, for three days.
for (let i = 0; i < 50 && due.size > 0; i += 1) {
  const [id, at] = [...due.entries()].sort((a, b) => a[1] - b[1])[0];
  if (at > start + 72 * HOUR) break;
  due.delete(id);
  apply(at, { type: 'due', actionId: id });
}
const journey = JSON.parse(state).journeys[0];
console.log(`\njourney ${journey.id}: ${journey.status}; sends: ${journey.sends.map((s) => `${s.step}=${s.status}`).join(', ')}`);
