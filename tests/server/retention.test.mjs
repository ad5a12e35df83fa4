// Expiry and retention run from the scheduler (issue 15): after a checkout, only ticks run
// while the clock moves past the journey's expiry and then past retention; the SQLite store's
// state ends with the journey expired, then with no address, name or cart left in it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, removeDir, startServer, tempDir, testPolicy, tick } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const hours = (n) => n * 3_600_000;
const clock = { now: T0 };
const email = 'retention-only@example.com';
const phone = '+15125550177';
let dir, twilio, sendgrid, app;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  const policy = { ...testPolicy(), retention: { days: 30, regions: {} } };
  app = await startServer({ storePath: join(dir, 'rekindle.db'), clock, twilio, sendgrid, policy });
});

after(async () => {
  await app.close();
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

/** Every tick the scheduler would run up to `at`, as a cron would. */
async function ticksUntil(at) {
  while (clock.now < at) {
    clock.now = Math.min(at, clock.now + hours(1));
    let due;
    do due = (await (await tick(app.url)).json()).due;
    while (due > 0);
  }
}

test('with only ticks, a journey expires after journeyExpiryHours and an idle contact loses its personal data after retention', async () => {
  const body = await abandonedCheckout({ at: new Date(T0).toISOString(), token: 'retention-1', email, phone });
  assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  await ticksUntil(T0 + hours(1));
  const id = sendgrid.mails[0].mail.custom_args.rekindle_contact; // the email-1 step went out
  const stored = async () => JSON.parse((await app.store.load(id)).state);
  assert.equal((await stored()).journeys[0].status, 'active');
  assert.ok(JSON.stringify(await stored()).includes(email));

  await ticksUntil(T0 + hours(96) + 2_000);
  assert.equal((await stored()).journeys[0].status, 'expired', 'the housekeeping due expired it, no event arrived');

  await ticksUntil(T0 + hours(24 * 30) + 2_000);
  const state = await stored();
  const text = JSON.stringify(state);
  assert.deepEqual(state.journeys ?? [], [], 'the cart went with its journey');
  for (const needle of [email, phone, phone.slice(2)]) assert.ok(!text.includes(needle), `${needle} is gone from ${text}`);
  assert.ok(state.contact.consent, 'the consent ledger stays as proof');
  assert.deepEqual(await (await tick(app.url)).json(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'nothing left scheduled');
});
