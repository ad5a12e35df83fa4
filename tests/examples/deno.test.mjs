// examples/deno in real Deno: the example installed with the packed package and ioredis, started
// with its own `deno task start` (Deno.serve, Deno.cron under --unstable-cron), its store a real
// redis-server, the providers fakes on 127.0.0.1. Checkout → the cron's next run (at the top of
// a minute) sends the first email → order → nothing more is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, postShopify, rekindle, serverNode, testPolicy, tick } from '../server/harness.mjs';
import { startRedis } from '../server/redis-server.mjs';
import { denoEnv, realDeno } from '../support/deno.mjs';
import { assertReadmeQuotesExample, installExample, orderForCheckout, sleep, startProcess, waitFor } from './common.mjs';

const CRON_WAIT_MS = 90_000; // Deno.cron's finest grain is a minute, plus the send on a busy machine
let deno, example, redis, twilio, sendgrid, app, base, inspect;

before(async () => {
  deno = await realDeno();
  assert.ok(deno.bin, deno.why);
  example = await installExample('deno');
  redis = await startRedis();
  twilio = await fakeTwilio({ ...TWILIO, authToken: SECRETS.twilioAuthToken });
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  app = await startProcess(deno.bin, ['task', 'start'], {
    cwd: example.dir,
    env: denoEnv({
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: redis.url,
      REKINDLE_POLICY: JSON.stringify(testPolicy()),
      REKINDLE_SALT: SECRETS.salt,
      SHOPIFY_API_SECRET: SECRETS.shopify,
      TWILIO_AUTH_TOKEN: SECRETS.twilioAuthToken,
      REKINDLE_TICK_SECRET: SECRETS.tick,
      SENDGRID_API_KEY: SENDGRID_KEY,
      EMAIL_FROM: 'shop@example.com',
      SENDGRID_TEMPLATES: JSON.stringify(TEMPLATES),
      SENDGRID_API_URL: sendgrid.url,
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_MESSAGING_SERVICE_SID: TWILIO.messagingServiceSid,
      TWILIO_API_URL: twilio.url,
      PUBLIC_URL: 'https://recover.example.com',
    }),
    ready: /Listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  base = app.match[1];
  inspect = await serverNode.redisStore(redis.url); // the same Redis, read by the test
});

after(async () => {
  await app?.stop();
  await inspect?.close();
  await twilio?.close();
  await sendgrid?.close();
  await redis?.stop();
  await example?.remove();
});

test('checkout → Deno.cron sends the first email → order → nothing more is sent', { timeout: CRON_WAIT_MS + 60_000 }, async (t) => {
  t.diagnostic(`deno: ${deno.about}`);
  const shopper = { token: 'dn-001', customerId: '930000000000000001', email: 'dn-001@example.com', phone: '+15125550401' };
  // Abandoned 5 minutes ago: the email step (5 minutes after abandonment) is due now.
  const checkout = await abandonedCheckout({ ...shopper, at: new Date(Date.now() - 5 * 60_000).toISOString() });
  const [{ contactId }] = rekindle.ingest.shopify('checkouts/create', 'x', checkout, SECRETS.salt, Date.now()).routed;

  assert.equal((await postShopify(base, 'checkouts/create', checkout, { hmac: 'AAAA' })).status, 401, 'the Shopify secret is in force');
  const created = await postShopify(base, 'checkouts/create', checkout);
  assert.equal(created.status, 200, await created.clone().text());
  assert.deepEqual(await created.json(), { applied: 1, unmatched: 0 });
  assert.equal((await inspect.load(contactId)).version, 1, 'the state is in Redis');

  const mailsTo = () => sendgrid.mails.filter((m) => m.mail.personalizations[0].to[0].email === shopper.email);
  const waited = await waitFor('Deno.cron to tick and send the first email', () => mailsTo().length > 0, CRON_WAIT_MS);
  t.diagnostic(`the cron sent the email ${waited} ms after the webhook`);
  // The cron callback logs when its tick returns, just after the provider accepted the mail.
  await waitFor('the cron callback to log its tick', () => /tick: due 1, sent 1, failed 0, retrying 0/.test(app.output()), 5_000);
  assert.equal(mailsTo()[0].mail.template_id, TEMPLATES['cart.email.confirm']);
  const pending = (await inspect.dueBefore(Number.MAX_SAFE_INTEGER, 100)).filter((d) => d.contactId === contactId && d.id.startsWith('j_')); // sends, not the contact's housekeeping
  assert.deepEqual(pending.map((d) => d.id.replace(/^j_[0-9a-f]+\./, '')), ['sms-1.sms.0'], 'the SMS is still to come: the order has something to cancel');

  const ordered = await postShopify(base, 'orders/create', await orderForCheckout(shopper));
  assert.deepEqual(await ordered.json(), { applied: 1, unmatched: 0 });
  assert.deepEqual((await inspect.dueBefore(Number.MAX_SAFE_INTEGER, 100)).filter((d) => d.contactId === contactId && d.id.startsWith('j_')), [], 'the order unscheduled the SMS');
  assert.equal(JSON.parse((await inspect.load(contactId)).state).journeys[0].status, 'recovered');
  assert.equal((await tick(base, 'wrong')).status, 401);
  assert.deepEqual(await (await tick(base)).json(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'a tick now finds nothing');
  const health = await (await fetch(`${base}/health`)).json();
  assert.deepEqual([health.ok, health.due], [true, 0], JSON.stringify(health));
  await sleep(200);
  assert.equal(mailsTo().length, 1, 'one email');
  assert.deepEqual(twilio.messages, [], 'no SMS');
});

test('the README quotes the example files', async () => {
  await assertReadmeQuotesExample('deno');
});
