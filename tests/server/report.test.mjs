// The merchant's report over the outcome log, through GET /report, on every store with a
// global log (memory, SQLite, a real redis-server, a real PostgreSQL server; Durable Objects in
// durable-objects.test.mjs): eight shoppers, half held out, half buying; the figures match
// what the stored journeys say, survive the daily roll-up and the shoppers' erasure.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, removeDir, server, serverNode, shopifySample, startServer, tempDir, testPolicy, tick } from './harness.mjs';
import { startRedis } from './redis-server.mjs';
import { startPostgres } from './postgres-server.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const REPORTS = 'reports-secret';
const SHOPPERS = 8;

const customer = (i) => `90000000000000${String(1000 + i)}`;
const getReport = (app, query = '', secret = REPORTS) => fetch(`${app.url}/report${query}`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });

/** The recovery counts the stored journeys themselves give: what the log must agree with. */
async function fromStates(app, contacts) {
  const count = { treated: 0, treatedRecovered: 0, held: 0, heldRecovered: 0 };
  for (const contactId of contacts) {
    for (const j of JSON.parse((await app.store.load(contactId)).state).journeys) {
      const recovered = j.status === 'recovered' ? 1 : 0;
      if (j.holdout) (count.held += 1), (count.heldRecovered += recovered);
      else (count.treated += 1), (count.treatedRecovered += recovered);
    }
  }
  return count;
}

function storeCase(name, open) {
  describe(`report on ${name}`, () => {
    let twilio, sendgrid, app, store, cleanup;
    const clock = { now: T0 };
    before(async () => {
      ({ store, cleanup } = await open());
      twilio = await fakeTwilio(TWILIO);
      sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
      app = await startServer({ store, clock, twilio, sendgrid, policy: { ...testPolicy(), holdoutPercent: 50 }, secrets: { reports: REPORTS } });
    });
    after(async () => {
      await app.close();
      await twilio.close();
      await sendgrid.close();
      await cleanup?.();
    });

    test('lift, rates and messages come from the log and agree with the journeys; a year on they are the same', async () => {
      for (let i = 0; i < SHOPPERS; i += 1) {
        const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: `rep-${i}`, customerId: customer(i), email: `r${i}@example.com`, phone: `+1512555${String(1000 + i)}` });
        assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
      }
      for (const at of [5, 20]) {
        clock.now = T0 + at * MINUTE;
        assert.equal((await tick(app.url)).status, 200);
      }
      clock.now = T0 + 60 * MINUTE;
      for (let i = 0; i < SHOPPERS / 2; i += 1) {
        const order = (await shopifySample('orders_create'))
          .replace('"checkout_token": null', `"checkout_token": "rep-${i}"`)
          .replaceAll('115310627314723954', customer(i))
          .replaceAll('820982911946154508', `82098291194615${String(1000 + i)}`);
        assert.deepEqual(await (await postShopify(app.url, 'orders/create', order)).json(), { applied: 1, unmatched: 0 });
      }
      const contacts = [...new Set(sendgrid.mails.map((m) => m.mail.custom_args.rekindle_contact))];
      assert.equal((await getReport(app, '', null)).status, 401, 'no secret, no figures');
      assert.equal((await getReport(app, '', 'wrong')).status, 401);

      const response = await getReport(app);
      assert.equal(response.status, 200);
      const report = await response.json();
      const held = SHOPPERS - contacts.length; // a held-out shopper gets no mail
      assert.ok(held > 0 && contacts.length > 0, 'the hash split the eight both ways');
      const expected = await fromStates(app, contacts);
      assert.equal(report.treated.abandoned, expected.treated);
      assert.equal(report.treated.recovered, expected.treatedRecovered);
      assert.equal(report.holdout.abandoned, held, 'the treated rate never counts held-out journeys');
      assert.equal(report.treated.abandoned + report.holdout.abandoned, SHOPPERS);
      assert.equal(report.treated.recovered + report.holdout.recovered, SHOPPERS / 2);
      assert.equal(report.treated.messages, sendgrid.mails.length + twilio.messages.length);
      assert.equal(report.holdout.messages, 0);
      const { lift } = report;
      assert.equal(lift.treatedRate, report.treated.recovered / report.treated.abandoned);
      assert.ok(lift.difference.low < lift.difference.estimate && lift.difference.estimate < lift.difference.high);
      assert.equal(lift.conclusive, false, 'eight shoppers prove nothing');
      assert.match(lift.verdict, /^inconclusive/);

      const steps = await (await getReport(app, '?dimension=step')).json();
      assert.deepEqual(steps.map((r) => r.key).sort(), ['email-1', 'sms-1']);
      const csv = await getReport(app, '?format=csv&smsSegmentPriceMinor=0.79');
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type'), /^text\/csv/);
      const rows = (await csv.text()).trim().split('\r\n');
      assert.ok(rows[0].startsWith('dimension,key,currency,abandoned,'));
      assert.ok(rows.some((r) => r.startsWith('playbook,default,USD,')), 'money rows name their currency');
      assert.deepEqual(report.treated.revenue.map((m) => m.currency), ['USD'], 'one currency, never a sum across several');

      // "Why this message": the first email's record, behind the reports secret.
      const firstEmail = sendgrid.mails[0].mail.custom_args.rekindle_action;
      const getMessage = (id, secret = REPORTS) => fetch(`${app.url}/report/messages/${encodeURIComponent(id)}`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
      assert.equal((await getMessage(firstEmail, null)).status, 401);
      assert.equal((await getMessage('no-such-send')).status, 404);
      const why = await (await getMessage(firstEmail)).json();
      assert.equal(why.actionId, firstEmail);
      assert.equal(why.step, 'email-1');
      assert.equal(why.channel, 'email');
      assert.equal(why.policyVersion, testPolicy().version);
      assert.ok(why.angle, 'the angle it was sent with');
      assert.match(why.why, /email-1 dispatched with angle/);
      assert.ok(!JSON.stringify(why).includes('@example.com'), 'no address in the record');
      assert.ok(rows.some((r) => r.startsWith('step,sms-1,')));
      const bad = await getReport(app, '?levle=0.9');
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).error.path, '$.levle');
      const badLevel = await getReport(app, '?level=2');
      assert.equal((await badLevel.json()).error.path, '$.level');

      // Ten days on: the journeys are settled, the hourly roll-up folds them into days; then
      // every shopper asks to be erased. The figures stay.
      clock.now = T0 + 10 * DAY;
      assert.equal((await tick(app.url)).status, 200);
      assert.deepEqual((await app.store.readOutcomes()).lines, [], 'every line rolled up');
      for (let i = 0; i < SHOPPERS; i += 1) {
        // As text: the 64-bit customer id stays exact.
        const redact = `{"shop_id":1,"shop_domain":"example.myshopify.com","customer":{"id":${customer(i)},"email":"r${i}@example.com","phone":null},"orders_to_redact":[]}`;
        assert.equal((await postShopify(app.url, 'customers/redact', redact)).status, 200);
      }
      const later = await (await getReport(app)).json();
      assert.deepEqual(later, report);
      // The journeys are rolled up and their shoppers erased; the message is still explained.
      const laterWhy = await getMessage(firstEmail);
      assert.equal(laterWhy.status, 200);
      const { since, ...kept } = await laterWhy.json();
      const { since: _, ...before } = why;
      assert.deepEqual(kept, before);
      // Past the policy's longest retention (365 days), the next roll-up forgets the record:
      // the report stays, the message has no answer any more (read through the message index).
      clock.now = T0 + 377 * DAY;
      assert.equal((await tick(app.url)).status, 200);
      assert.equal((await getMessage(firstEmail)).status, 404);
      assert.deepEqual(await (await getReport(app)).json(), report);
    });
  });
}

storeCase('memory', async () => ({ store: server.memoryStore() }));

storeCase('sqlite', async () => {
  const dir = await tempDir();
  return { store: await serverNode.sqliteStore(join(dir, 'report.db')), cleanup: () => removeDir(dir) };
});

const redis = await startRedis();
storeCase('redis', async () => ({ store: await serverNode.redisStore(redis.url, { prefix: 'report:' }) }));

const postgres = await startPostgres();
storeCase('postgres', async () => ({ store: await serverNode.postgresStore(postgres.url, { schema: 'report' }) }));

after(async () => {
  await redis.stop();
  await postgres.stop();
});
