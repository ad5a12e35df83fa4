// Link signing at dispatch changes the SMS after the engine rendered it. The engine counts
// the SMS with its short link at its real length (base, /s/ and the 16-character token,
// message.rs SHORT_TOKEN_CHARS); the runtime recounts the signed text with the engine's
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

test('the SMS carries a short signed link on the merchant\'s domain and stays in one segment', async () => {
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
  const shortLink = /https:\/\/\S+\/s\/([A-Za-z0-9_-]{16}) /;
  assert.match(sent, shortLink);
  assert.ok(!sent.includes(smsAction), 'no action id in the SMS: only the compact token');
  assert.ok(sent.startsWith('Acme Outdoor: ') && sent.includes('Reply STOP'), sent);
  assert.ok(!sent.includes('stoneware'), 'no product title squeezed into the sentence');
  assert.equal(app.runtime.engine.smsSegments(sent).count, 1, 'the signed text fits one segment');
  const ledger = await app.store.ledger(smsAction);
  assert.equal(ledger.status, 'sent');
  assert.equal(ledger.detail, null, 'nothing to flag');

  // The short link is the tracked recovery link: it records the click and restores the cart.
  const token = shortLink.exec(sent)[1];
  const response = await fetch(`${app.url}/s/${token}`, { redirect: 'manual' });
  assert.equal(response.status, 302);
  assert.match(response.headers.get('location'), /\/recover\?key=/);
  const forged = `${token.slice(0, 15)}${token.at(-1) === 'A' ? 'B' : 'A'}`;
  assert.equal((await fetch(`${app.url}/s/${forged}`, { redirect: 'manual' })).status, 404, 'a guessed token leads nowhere');
});
