// examples/cloudflare-worker in real workerd (Miniflare): the example installed with the packed
// package, bundled as wrangler bundles it, and configured from its own wrangler.toml (the
// compatibility date, the Durable Object binding and its SQLite migration, the [vars]); the
// secrets are given as `wrangler secret put` would give them, the providers are fakes on
// 127.0.0.1. Checkout → the object's alarm sends the first email → order → nothing more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { parse as parseToml } from 'smol-toml';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, rekindle, removeDir, tempDir, testPolicy } from '../server/harness.mjs';
import { assertReadmeQuotesExample, installExample, orderForCheckout, sleep, waitFor } from './common.mjs';

let example, wrangler, twilio, sendgrid, persistDir, mf, url;

/** What wrangler does with a .wasm import: the file goes beside the bundle, the import stays. */
const wasmAsModule = (outDir) => ({
  name: 'wasm-as-module',
  setup(build) {
    build.onResolve({ filter: /\.wasm$/ }, async (args) => {
      const file = join(args.resolveDir, args.path);
      await copyFile(file, join(outDir, basename(file)));
      return { path: `./${basename(file)}`, external: true };
    });
  },
});

before(async () => {
  example = await installExample('cloudflare-worker');
  wrangler = parseToml(await readFile(join(example.dir, 'wrangler.toml'), 'utf8'));
  twilio = await fakeTwilio({ ...TWILIO, authToken: SECRETS.twilioAuthToken });
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  persistDir = await tempDir();

  const outDir = join(example.dir, 'dist');
  await mkdir(outDir, { recursive: true });
  await esbuild.build({
    absWorkingDir: example.dir,
    entryPoints: [wrangler.main],
    outfile: join(outDir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    plugins: [wasmAsModule(outDir)],
    external: ['cloudflare:*'],
    logLevel: 'silent',
  });
  const sqliteClasses = wrangler.migrations.flatMap((m) => m.new_sqlite_classes ?? []);
  mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    scriptPath: join(outDir, 'worker.js'),
    modulesRoot: outDir,
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: wrangler.compatibility_date,
    durableObjects: Object.fromEntries(wrangler.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqliteClasses.includes(b.class_name) }])),
    durableObjectsPersist: persistDir,
    bindings: {
      ...wrangler.vars,
      // What `wrangler secret put` would hold.
      REKINDLE_SALT: SECRETS.salt,
      SHOPIFY_API_SECRET: SECRETS.shopify,
      TWILIO_AUTH_TOKEN: SECRETS.twilioAuthToken,
      SENDGRID_API_KEY: SENDGRID_KEY,
      SENDGRID_WEBHOOK_PUBLIC_KEY: SECRETS.sendgridPublicKey,
      // The test's own: one journey shape (no holdout, no experiment), and the fake providers.
      POLICY: JSON.stringify(testPolicy()),
      SENDGRID_API_URL: sendgrid.url,
      TWILIO_API_URL: twilio.url,
    },
  });
  url = (await mf.ready).origin;
});

after(async () => {
  await mf?.dispose();
  await twilio?.close();
  await sendgrid?.close();
  if (persistDir) await removeDir(persistDir);
  await example?.remove();
});

/** The contact's Durable Object, reached from the test as the Worker reaches it. */
async function contactObject(contactId) {
  const namespace = await mf.getDurableObjectNamespace('REKINDLE');
  return namespace.get(namespace.idFromName(`contact:${contactId}`));
}

/** The contact's due sends (journey ids start with j_), not its housekeeping entry (expiry and retention). */
const dueSteps = async (contact) => (await contact.dueBefore(Number.MAX_SAFE_INTEGER, 10)).filter((d) => d.id.startsWith('j_')).map((d) => d.id.replace(/^j_[0-9a-f]+\./, ''));

test('wrangler.toml declares what the Worker needs', () => {
  assert.equal(wrangler.durable_objects.bindings[0].name, 'REKINDLE');
  assert.ok(wrangler.compatibility_date >= '2024-04-03', 'Durable Object RPC needs 2024-04-03 or later');
  assert.deepEqual(wrangler.migrations.flatMap((m) => m.new_sqlite_classes), [wrangler.durable_objects.bindings[0].class_name]);
});

test('checkout → the alarm sends the first email → order → nothing more is sent', async () => {
  const shopper = { token: 'cf-001', customerId: '910000000000000001', email: 'cf-001@example.com', phone: '+15125550201' };
  // The email step is 5 minutes after abandonment: abandoned so that it is due in 8 seconds
  // (the first request also compiles the wasm and creates the objects).
  const dueAt = Date.now() + 8_000;
  const checkout = await abandonedCheckout({ ...shopper, at: new Date(dueAt - 5 * 60_000).toISOString() });
  const [{ contactId }] = rekindle.ingest.shopify('checkouts/create', 'x', checkout, SECRETS.salt, Date.now()).routed;

  const forged = await postShopify(url, 'checkouts/create', checkout, { hmac: 'AAAA' });
  assert.equal(forged.status, 401, 'the Shopify secret from the secrets is in force');
  const created = await postShopify(url, 'checkouts/create', checkout);
  assert.equal(created.status, 200);
  assert.deepEqual(await created.json(), { applied: 1, unmatched: 0 });
  const contact = await contactObject(contactId);
  const mailsTo = () => sendgrid.mails.filter((m) => m.mail.personalizations[0].to[0].email === shopper.email);
  // Both sends wait in the object (on a slow machine the email's alarm may already have rung).
  const waiting = await dueSteps(contact);
  assert.ok(waiting.includes('sms-1.sms.0') && waiting.every((step) => ['email-1.email.0', 'sms-1.sms.0'].includes(step)), waiting.join());

  await waitFor('the alarm to send the first email', () => mailsTo().length > 0);
  assert.ok(Date.now() >= dueAt, 'not before it was due');
  const [{ mail }] = mailsTo();
  assert.equal(mail.template_id, JSON.parse(wrangler.vars.SENDGRID_TEMPLATES)['cart.email.confirm'], 'the template id from wrangler.toml');
  assert.equal(mail.from.email, wrangler.vars.EMAIL_FROM);
  assert.match(JSON.stringify(mail), new RegExp(`${wrangler.vars.PUBLIC_URL.replace(/\./g, '\\.')}/r/`), 'links point at PUBLIC_URL');
  assert.deepEqual(await dueSteps(contact), ['sms-1.sms.0'], 'the SMS is still to come: the order has something to cancel');

  const ordered = await postShopify(url, 'orders/create', await orderForCheckout(shopper));
  assert.deepEqual(await ordered.json(), { applied: 1, unmatched: 0 });
  assert.deepEqual(await dueSteps(contact), [], 'the order unscheduled the SMS');
  assert.equal(JSON.parse((await contact.load()).state).journeys[0].status, 'recovered');
  await contact.tick(); // what the alarm would run: nothing is due
  await sleep(1_000);
  assert.equal(mailsTo().length, 1, 'one email');
  assert.deepEqual(twilio.messages, [], 'no SMS');
});

test('GET /health: alarms are the scheduler', async () => {
  const response = await fetch(`${url}/health`);
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(body.scheduler, 'alarms');
});

test('the README quotes the example files', async () => {
  await assertReadmeQuotesExample('cloudflare-worker');
});
