import { init, Engine, RekindleError } from 'rekindle';

await init();                       // idempotent; concurrent callers share one instantiation
const engine = new Engine();        // the default playbook; or new Engine(policyJsonOrObject)
const event = {
  id: 'e1', at: '2026-11-27T15:00:00Z', type: 'checkoutUpdated', acceptsEmail: true,
  cart: { token: 'c1', stage: 'checkout', currency: 'USD', recoveryUrl: 'https://shop.example/c1/recover',
          items: [{ title: 'Wool socks', quantity: 2, unitPrice: 1800 }] },
  contact: { email: 'ada@example.com', timeZone: 'America/Chicago' },
};
const { state, actions, explanation } =
  engine.decide('contact-1', null, event, Date.parse('2026-11-27T15:00:00Z'));   // time is an input
// store `state` (an opaque JSON string), perform `actions`, log `explanation.summary`
console.log(explanation.summary, actions.map((a) => a.type));

try {
  engine.decide('contact-1', state, { id: 'e2', at: '2026-11-27T15:01:00Z', type: 'teleported' }, Date.now());
} catch (error) {
  if (!(error instanceof RekindleError)) throw error;
  console.log(error.code, error.path);   // a broken contract: a stable code and the JSON path
}
