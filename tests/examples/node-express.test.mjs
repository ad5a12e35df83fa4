// examples/node-express as a merchant runs it: installed with the packed package, `node
// server.mjs` in its own process, configured by environment variables, with the fake SendGrid
// and Twilio on 127.0.0.1. A signed checkouts/create, then the first email arrives at SendGrid
// with nobody calling /tick (the example's ticker sends it), then a signed orders/create, and
// nothing more is planned or sent. SIGTERM stops it cleanly.
//
//   node scripts/build.mjs && node --test tests/examples/node-express.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, postShopify, serverNode, shopifySample, testPolicy } from '../server/harness.mjs';
import { assertReadmeQuotesExample, installExample, repo, waitFor } from './common.mjs';

const TICK_MS = 200;
const BASE_PATH = '/rekindle';
let project, twilio, sendgrid, app;

/** Start `node server.mjs` in the example's project; resolves with its URL once it listens. */
async function startExample(env) {
  const child = spawn(process.execPath, ['server.mjs'], { cwd: project.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  let buffered = '';
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const line = JSON.parse(buffered.slice(0, i));
        buffered = buffered.slice(i + 1);
        lines.push(line);
        if (line.message === 'listening') resolve(line.url);
      }
    });
    child.once('exit', (code) => reject(new Error(`server.mjs exited (${code}) before listening:\n${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await listening;
  return { child, lines, exited, url, rekindle: url + BASE_PATH, stderr: () => stderr };
}

before(async () => {
  // rekindle from the packed tarball and express from the registry, as the example declares
  // them; better-sqlite3 (the same 12.11.1) is the workspace's build: a native addon compiled
  // from source here takes minutes, which says nothing about the example.
  project = await installExample('node-express', { provided: ['better-sqlite3'] });
  await symlink(join(repo, 'node_modules', 'better-sqlite3'), join(project.dir, 'node_modules', 'better-sqlite3'), 'dir');
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  await writeFile(join(project.dir, 'policy.json'), JSON.stringify(testPolicy()));
  app = await startExample({
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: '0',
    REKINDLE_DB: join(project.dir, 'rekindle.db'),
    REKINDLE_POLICY_FILE: join(project.dir, 'policy.json'),
    REKINDLE_TICK_MS: String(TICK_MS),
    REKINDLE_SALT: SECRETS.salt,
    REKINDLE_TICK_SECRET: SECRETS.tick,
    SHOPIFY_WEBHOOK_SECRET: SECRETS.shopify,
    PUBLIC_URL: 'https://recover.example.com',
    REKINDLE_BASE_PATH: BASE_PATH,
    SENDGRID_API_KEY: SENDGRID_KEY,
    SENDGRID_TEMPLATES: JSON.stringify(TEMPLATES),
    SENDGRID_BASE_URL: sendgrid.url,
    MAIL_FROM: 'shop@example.com',
    MAIL_FROM_NAME: 'Example Shop',
    TWILIO_ACCOUNT_SID: TWILIO.accountSid,
    TWILIO_AUTH_TOKEN: TWILIO.authToken,
    TWILIO_MESSAGING_SERVICE_SID: TWILIO.messagingServiceSid,
    TWILIO_BASE_URL: twilio.url,
  });
});

after(async () => {
  if (app?.child.exitCode === null) {
    app.child.kill('SIGKILL');
    await app.exited;
  }
  await twilio?.close();
  await sendgrid?.close();
  await project?.remove();
});

test('Rekindle and the merchant\'s own routes share the Express app', async () => {
  assert.equal(await (await fetch(`${app.url}/`)).text(), 'merchant app');
  assert.equal((await fetch(`${app.url}/health`)).status, 404, 'outside basePath every path is the app\'s');
  const health = await fetch(`${app.rekindle}/health`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).ok, true);
  const beacon = await fetch(`${app.rekindle}/beacon`, { method: 'POST', body: '{}' });
  assert.equal(beacon.status, 404, 'no STOREFRONT_ORIGINS: the beacon route is off, the path the app\'s');
  const forged = await postShopify(app.rekindle, 'checkouts/create', '{}', { hmac: 'AAAA' });
  assert.equal(forged.status, 401, 'the signature is checked over the raw body Express left unread');
});

test('checkout → the first email reaches SendGrid by the ticker alone → order → nothing more', { timeout: 60_000 }, async () => {
  // Abandoned 5 minutes ago less 2 seconds: the first email (5 minutes after) is due in 2 s.
  const at = new Date(Date.now() - 5 * 60_000 + 2_000).toISOString();
  const checkout = await postShopify(app.rekindle, 'checkouts/create', await abandonedCheckout({ at }), { webhookId: 'wh-express-checkout' });
  assert.equal(checkout.status, 200);
  assert.deepEqual(await checkout.json(), { applied: 1, unmatched: 0 });
  assert.equal(sendgrid.mails.length, 0, 'nothing is sent before it is due');

  await waitFor('the first email at the fake SendGrid', () => sendgrid.mails.length > 0);
  const { mail } = sendgrid.mails[0];
  assert.deepEqual(mail.personalizations[0].to, [{ email: 'example@email.com' }]);
  assert.equal(mail.template_id, TEMPLATES['cart.email.confirm']);
  assert.deepEqual(mail.from, { email: 'shop@example.com', name: 'Example Shop' });
  assert.match(mail.headers['List-Unsubscribe'], /^<https:\/\/recover\.example\.com\/rekindle\/u\/.+>$/, 'links use PUBLIC_URL and the base path');
  assert.ok(app.lines.some((l) => l.message === 'decided' && l.event === 'due'), 'the ticker fed the due send to the engine');
  const health = await (await fetch(`${app.rekindle}/health`)).json();
  assert.ok(Date.now() - Date.parse(health.lastTick) < 10 * TICK_MS, `/health shows the ticker at work: ${JSON.stringify(health)}`);
  assert.deepEqual([health.ok, health.due], [true, 0], 'no backlog: the ticker keeps up');

  // The example's own SQLite file, read beside it (WAL): the SMS is still planned.
  const store = await serverNode.sqliteStore(join(project.dir, 'rekindle.db'));
  try {
    const inAnHour = Date.now() + 60 * 60_000;
    const contactId = mail.custom_args.rekindle_contact;
    assert.deepEqual((await store.dueBefore(inAnHour, 10)).map((d) => d.contactId), [contactId], 'the SMS is still to come');

    const order = (await shopifySample('orders_create'))
      .replace('"checkout_token": null', '"checkout_token": "123123123"')
      .replaceAll('115310627314723954', '603851970716743426');
    const ordered = await postShopify(app.rekindle, 'orders/create', order, { webhookId: 'wh-express-order' });
    assert.deepEqual(await ordered.json(), { applied: 1, unmatched: 0 });

    assert.deepEqual(await store.dueBefore(inAnHour, 10), [], 'the order cancelled what was planned');
    assert.equal(JSON.parse((await store.load(contactId)).state).journeys[0].status, 'recovered');
    await new Promise((resolve) => setTimeout(resolve, 5 * TICK_MS)); // several ticks go by
    assert.equal(sendgrid.mails.length, 1, 'one email, once');
    assert.equal(twilio.messages.length, 0, 'no SMS after the order');
  } finally {
    await store.close();
  }
  assert.ok(!JSON.stringify(app.lines).includes('example@email.com'), 'no address in the logs');
});

test('SIGTERM stops the ticker and the server, closes the store, and exits 0', async () => {
  app.child.kill('SIGTERM');
  assert.deepEqual(await app.exited, { code: 0, signal: null }, app.stderr());
  assert.deepEqual(app.lines.slice(-2).map((l) => l.message), ['shutting down', 'stopped']);
});

test('the README\'s code is the example\'s own', () => assertReadmeQuotesExample('node-express'));
