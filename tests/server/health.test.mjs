// Nothing sends silently: GET /health reports the last tick, the due backlog and its oldest
// entry, and answers 503 once a due send has waited past the margin, so a monitor catches a
// host that never ticks. The last tick lives in the store: another process sees it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, removeDir, serverNode, startServer, tempDir } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const minutes = (n) => n * 60_000;
let twilio, sendgrid, dir;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  dir = await tempDir();
});

after(async () => {
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

const health = async (base) => {
  const response = await fetch(`${base}/health`);
  return { status: response.status, body: await response.json(), cache: response.headers.get('cache-control') };
};

test('/health: 200 while sends are on time, 503 once one is overdue past the margin, 200 again after a tick', async () => {
  const clock = { now: T0 };
  const app = await startServer({ storePath: join(dir, 'health.db'), clock, twilio, sendgrid, health: { maxOverdueMs: minutes(10) } });
  try {
    let h = await health(app.url);
    assert.equal(h.status, 200);
    assert.equal(h.cache, 'no-store');
    assert.deepEqual({ ...h.body, engine: typeof h.body.engine }, {
      ok: true, engine: 'string', scheduler: 'tick', lastTick: null, due: 0, oldestDue: null, overdueMs: 0, maxOverdueMs: minutes(10),
    });

    // Abandoned at 14:59: the first email is due at 15:04, the SMS at 15:16.
    await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }));
    h = await health(app.url);
    assert.deepEqual([h.status, h.body.due], [200, 0], 'planned, not yet due');

    clock.now = Date.parse('2026-11-27T15:14:00Z'); // the email 10 minutes late: at the margin
    h = await health(app.url);
    assert.equal(h.status, 200);
    assert.deepEqual([h.body.due, h.body.oldestDue, h.body.overdueMs], [1, '2026-11-27T15:04:00.000Z', minutes(10)]);

    clock.now = Date.parse('2026-11-27T15:20:00Z'); // nobody ticked: the email 16 minutes late, the SMS due too
    h = await health(app.url);
    assert.equal(h.status, 503);
    assert.equal(h.body.ok, false);
    assert.deepEqual([h.body.due, h.body.oldestDue, h.body.overdueMs, h.body.lastTick], [2, '2026-11-27T15:04:00.000Z', minutes(16), null]);
    assert.match(h.body.problem, /due for 960 s: is anything calling POST \/tick/);

    // Vercel Cron's way: GET with the bearer secret.
    const ticked = await fetch(`${app.url}/tick`, { headers: { authorization: `Bearer ${SECRETS.tick}` } });
    assert.deepEqual(await ticked.json(), { due: 2, sent: 2, failed: 0, retrying: 0 });
    h = await health(app.url);
    assert.equal(h.status, 200);
    assert.deepEqual([h.body.ok, h.body.due, h.body.oldestDue, h.body.overdueMs, h.body.lastTick], [true, 0, null, 0, '2026-11-27T15:20:00.000Z']);
  } finally {
    await app.close();
  }
});

test('the default margin is 5 minutes', async () => {
  const clock = { now: T0 };
  const app = await startServer({ storePath: join(dir, 'margin.db'), clock, twilio, sendgrid });
  try {
    await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'margin-1' }));
    clock.now = Date.parse('2026-11-27T15:09:00Z');
    assert.deepEqual([(await health(app.url)).status, (await health(app.url)).body.maxOverdueMs], [200, minutes(5)]);
    clock.now += 1;
    assert.equal((await health(app.url)).status, 503);
  } finally {
    await app.close();
  }
});

test('the last tick is kept in the store: a second process on the same SQLite file reports it', async () => {
  const path = join(dir, 'shared.db');
  const clock = { now: T0 };
  const ticker = await startServer({ storePath: path, clock, twilio, sendgrid });
  const web = await startServer({ store: await serverNode.sqliteStore(path), clock, twilio, sendgrid });
  try {
    clock.now = T0 + minutes(3);
    await ticker.runtime.tick(); // the process that ticks (startTicker, a cron) is not the one asked
    const h = await health(web.url);
    assert.equal(h.status, 200);
    assert.equal(h.body.lastTick, new Date(T0 + minutes(3)).toISOString());
  } finally {
    await ticker.close();
    await web.close();
  }
});

test('a tick that fails is not recorded as one', async () => {
  const clock = { now: T0 };
  const app = await startServer({ storePath: join(dir, 'failing.db'), clock, twilio, sendgrid });
  try {
    await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'fail-1' }));
    clock.now = T0 + minutes(5);
    const load = app.store.load;
    app.store.load = async () => { throw new Error('store down'); };
    await assert.rejects(app.runtime.tick(), /store down/);
    app.store.load = load;
    const h = await health(app.url);
    assert.deepEqual([h.body.lastTick, h.body.due], [null, 1]);
  } finally {
    await app.close();
  }
});
