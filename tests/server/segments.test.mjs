// Link signing at dispatch lengthens the SMS after the engine rendered it. The engine reserves
// the signature's characters when it fits the text to the policy's segment limit
// (message.rs LINK_SIGNATURE_CHARS); the runtime recounts the signed text with the engine's
// counter as a safety net and would flag an SMS pushed past the limit in the ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, removeDir, startServer, tempDir, testPolicy, tick } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const clock = { now: T0 };
let dir, twilio, sendgrid, app;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  app = await startServer({ storePath: join(dir, 'segments.db'), clock, twilio, sendgrid, policy: { ...testPolicy(), smsSegmentLimit: 1 } });
});

after(async () => {
  await app.close();
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

test('the engine leaves room for the link signature: the signed SMS stays within the limit', async () => {
  const title = 'Hand-thrown stoneware coffee mug with speckled glaze and walnut lid, set of four';
  const body = (await abandonedCheckout({ at: '2026-11-27T14:59:00Z' })).replace('"title": "IPod Nano - 8GB"', JSON.stringify(title).replace(/^/, '"title": '));
  assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  clock.now = T0 + 5 * 60_000;
  await tick(app.url);
  const emailAction = sendgrid.mails[0].mail.custom_args.rekindle_action;
  assert.equal((await app.store.ledger(emailAction)).detail, null, 'an email has no segments to flag');

  clock.now = T0 + 17 * 60_000;
  assert.equal((await (await tick(app.url)).json()).sent, 1);
  const smsAction = emailAction.replace(/email-1\.email\.0$/, 'sms-1.sms.0');
  const sent = twilio.messages[0].form.Body;
  const signedLink = new RegExp(`/r/${smsAction.replaceAll('.', '\\.')}\\.[A-Za-z0-9_-]{16} `);
  assert.match(sent, signedLink);
  const unsigned = sent.replace(signedLink, `/r/${smsAction} `);
  assert.equal(app.runtime.engine.smsSegments(unsigned).count, 1, 'the engine fitted its text into the limit');
  assert.equal(app.runtime.engine.smsSegments(sent).count, 1, 'and the signed text still fits');
  assert.ok(unsigned.includes('...'), 'the long product title was shortened to make room');
  const ledger = await app.store.ledger(smsAction);
  assert.equal(ledger.status, 'sent');
  assert.equal(ledger.detail, null, 'nothing to flag');
});
