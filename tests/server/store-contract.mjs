// The store contract (pkg/server.d.ts, `RekindleStore`) as cases every backend runs against a
// real instance of itself: stores.test.mjs (memory, SQLite), redis.test.mjs, and
// durable-objects.test.mjs (inside workerd). `open()` may also give `scope(contactId)`: one
// contact's `dueBefore`/`claimDue`/`claimable`/`dueSummary`, for a store whose due index is per contact
// (Durable Objects: each object's alarm sees only its own); a global store answers them itself.
// `alarms: true` says the store has no global scheduler (Durable Objects): no tick is recorded
// and the store-wide summary says so, and its due entries are not leased (one alarm ticks them).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';

const change = (expected, state, extra = {}) => ({ expected, state, schedule: [], unschedule: [], intents: [], links: [], settle: null, erase: false, ...extra });
const send = (id) => ({ type: 'send', id, journeyId: 'j', channel: 'email', to: 'a@example.com', message: {} });

export function storeContract(name, open) {
  describe(`${name} store`, () => {
    let store;
    let cleanup;
    let scope;
    let alarms;
    before(async () => {
      ({ store, cleanup, scope = () => store, alarms = false } = await open());
    });
    after(async () => {
      await store.close();
      await cleanup?.();
    });

    test('compare-and-set: a commit against a stale version is refused and changes nothing', async () => {
      assert.equal(await store.load('c1'), null);
      assert.equal(await store.commit('c1', change(0, 's1')), true);
      assert.equal(await store.commit('c1', change(0, 'other')), false, 'a second creator loses');
      assert.deepEqual(await store.load('c1'), { state: 's1', version: 1 });
      assert.equal(await store.commit('c1', change(1, 's2', { schedule: [{ id: 'a1', at: 100 }] })), true);
      assert.equal(await store.commit('c1', change(1, 'late', { schedule: [{ id: 'a2', at: 100 }] })), false);
      assert.deepEqual(await store.load('c1'), { state: 's2', version: 2 });
      assert.deepEqual((await scope('c1').dueBefore(1000, 10)).map((d) => d.id), ['a1'], 'the refused commit scheduled nothing');
    });

    test('due index: by time, moved by a later schedule, settled only at the time that was read', async () => {
      await store.commit('c2', change(0, 's', { schedule: [{ id: 'b1', at: 50 }, { id: 'b2', at: 500 }] }));
      assert.deepEqual((await scope('c2').dueBefore(100, 10)).filter((d) => d.contactId === 'c2').map((d) => [d.id, d.at]), [['b1', 50]]);
      await store.commit('c2', change(1, 's', { schedule: [{ id: 'b1', at: 300 }] })); // deferred meanwhile
      await store.commit('c2', change(2, 's', { settle: { id: 'b1', at: 50 } })); // a tick that read at=50
      assert.deepEqual((await scope('c2').dueBefore(1000, 10)).filter((d) => d.contactId === 'c2').map((d) => [d.id, d.at]), [['b1', 300], ['b2', 500]]);
      await store.commit('c2', change(3, 's', { settle: { id: 'b1', at: 300 }, unschedule: ['b2'] }));
      assert.deepEqual((await scope('c2').dueBefore(1000, 10)).filter((d) => d.contactId === 'c2'), []);
    });

    test('links: the first claim on a key wins; lookups go in order', async () => {
      await store.commit('c3', change(0, 's', { links: ['token:x', 'email:y'] }));
      await store.commit('c4', change(0, 's', { links: ['token:x', 'anon:z'] }));
      assert.equal(await store.resolve(['token:x']), 'c3');
      assert.equal(await store.resolve(['token:none', 'anon:z', 'email:y']), 'c4');
      assert.equal(await store.resolve(['token:none']), null);
    });

    test('intents: queued once per action id, claimed by one dispatcher at a time, leases expire', async () => {
      await store.commit('c5', change(0, 's', { intents: [{ id: 'i1', action: send('i1') }] }));
      await store.commit('c5', change(1, 's', { intents: [{ id: 'i1', action: send('i1') }] })); // the same id again
      assert.deepEqual(await scope('c5').claimable(10, 10), ['i1']);
      const first = await store.claim('i1', 'A', 10, 1000);
      assert.deepEqual([first.id, first.contactId, first.action.to, first.attempts], ['i1', 'c5', 'a@example.com', 1]);
      assert.equal(await store.claim('i1', 'B', 20, 1000), null, 'a live lease blocks other dispatchers');
      assert.deepEqual(await scope('c5').claimable(20, 10), []);
      const second = await store.claim('i1', 'B', 1011, 1000); // A died: its lease ran out
      assert.equal(second.attempts, 2);
      assert.equal(await store.finish('i1', 'A', { status: 'sent' }), false, 'a dispatcher whose lease was taken cannot record');
      assert.equal(await store.finish('i1', 'B', { status: 'sent', providerId: 'p1' }), true);
      assert.deepEqual(await store.ledger('i1'), { status: 'sent', attempts: 2, providerId: 'p1', detail: null });
      assert.equal(await store.claim('i1', 'C', 99_999, 1000), null, 'a sent action is never claimed again');
      await store.commit('c5', change(2, 's', { intents: [{ id: 'i1', action: send('i1') }] }));
      assert.deepEqual(await scope('c5').claimable(99_999, 10), [], 'nor queued again');
    });

    test('retry later: released with a time, claimable only from then', async () => {
      await store.commit('c6', change(0, 's', { intents: [{ id: 'i2', action: send('i2') }] }));
      await store.claim('i2', 'A', 10, 1000);
      assert.equal(await store.retryLater('i2', 'A', 5000), true);
      assert.deepEqual(await scope('c6').claimable(4999, 10), []);
      assert.deepEqual(await scope('c6').claimable(5000, 10), ['i2']);
    });

    test('erase: due entries, links and queued messages of the contact go; the ledger keeps only ids', async () => {
      await store.commit('c7', change(0, 's', { schedule: [{ id: 'e1', at: 1 }], links: ['email:gone'], intents: [{ id: 'i3', action: send('i3') }] }));
      await store.commit('c7', change(1, 'tombstone', { erase: true }));
      assert.deepEqual((await scope('c7').dueBefore(10, 100)).filter((d) => d.contactId === 'c7'), []);
      assert.equal(await store.resolve(['email:gone']), null);
      assert.equal(await store.claim('i3', 'A', 10, 1000), null);
      assert.equal((await store.ledger('i3')).status, 'cancelled');
      assert.deepEqual(await store.load('c7'), { state: 'tombstone', version: 2 });
    });

    test('purge: the contact\'s old entries, links and queued messages go before the change\'s own land', async () => {
      await store.commit('c20', change(0, 's', { schedule: [{ id: 'p1', at: 1 }], links: ['email:old', 'token:kept'], intents: [{ id: 'i5', action: send('i5') }] }));
      // An event after retention: the old rows go, its own entry and keys (one of them held before) stay.
      await store.commit('c20', change(1, 'purged', { purge: true, schedule: [{ id: 'p2', at: 2 }], links: ['token:kept', 'token:new'] }));
      assert.deepEqual((await scope('c20').dueBefore(10, 100)).filter((d) => d.contactId === 'c20').map((d) => d.id), ['p2']);
      assert.equal(await store.resolve(['email:old']), null);
      assert.equal(await store.resolve(['token:kept']), 'c20');
      assert.equal(await store.resolve(['token:new']), 'c20');
      assert.equal(await store.claim('i5', 'A', 10, 1000), null);
      assert.equal((await store.ledger('i5')).status, 'cancelled');
      assert.deepEqual(await store.load('c20'), { state: 'purged', version: 2 });
      await store.commit('c20', change(2, 'purged', { purge: true, unschedule: ['p2'] }));
    });

    test('forget: the contact goes whole, state row included; its keys lead nowhere', async () => {
      await store.commit('c9', change(0, 's', { schedule: [{ id: 'g1', at: 1 }], links: ['anon:gone', 'token:gone'] }));
      await store.commit('c9', change(1, 's', { forget: true }));
      assert.equal(await store.load('c9'), null);
      assert.deepEqual((await scope('c9').dueBefore(10, 100)).filter((d) => d.contactId === 'c9'), []);
      assert.equal(await store.resolve(['anon:gone', 'token:gone']), null);
      assert.equal(await store.commit('c9', change(0, 'again')), true, 'the visitor can come back as new');
    });

    test('take: a counter across contacts, at most max per window, a new window after it ends', async () => {
      assert.equal(await store.take('limit:n1', 1, 1000, 10), true);
      assert.equal(await store.take('limit:n1', 1, 1000, 500), false, 'the second within the window is refused');
      assert.equal(await store.take('limit:n2', 1, 1000, 500), true, 'keys are independent');
      assert.equal(await store.take('limit:n1', 1, 1000, 1010), true, 'a new window');
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.take('limit:shop', 3, 1000, 20)));
      assert.equal(outcomes.filter(Boolean).length, 3, 'concurrent takes never exceed max');
      assert.equal(await store.take('limit:zero', 0, 1000, 20), false, 'max 0 refuses everything');
    });

    test('provider messages: a sent message is found by its provider\'s id, per provider; erasure drops the index', async () => {
      const intents = ['m1', 'm2', 'm3'].map((id) => ({ id, action: send(id) }));
      await store.commit('c11', change(0, 's', { intents }));
      for (const { id } of intents) await store.claim(id, 'A', 10, 1000);
      assert.equal(await store.finish('m1', 'A', { status: 'sent', provider: 'twilio', providerId: 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9' }), true);
      assert.equal(await store.finish('m2', 'A', { status: 'sent', provider: 'sendgrid', providerId: '14c5d75ce93.dfd.64b469' }), true);
      assert.equal(await store.finish('m3', 'A', { status: 'failed', provider: 'twilio', providerId: null, detail: 'twilio:21610' }), true);
      assert.deepEqual(await store.providerMessage('twilio', 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9'), { contactId: 'c11', actionId: 'm1' });
      assert.deepEqual(await store.providerMessage('sendgrid', '14c5d75ce93.dfd.64b469'), { contactId: 'c11', actionId: 'm2' });
      assert.equal(await store.providerMessage('postmark', 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9'), null, 'an id is its provider\'s');
      assert.equal(await store.providerMessage('twilio', 'SMffffffffffffffffffffffffffffffff'), null, 'an unknown id');
      assert.deepEqual(await store.ledger('m1'), { status: 'sent', attempts: 1, providerId: 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9', detail: null });
      // A finish that lost its lease records nothing, and indexes nothing.
      await store.commit('c12', change(0, 's', { intents: [{ id: 'm4', action: send('m4') }, { id: 'm5', action: send('m5') }] }));
      await store.claim('m4', 'A', 10, 1000);
      assert.equal(await store.finish('m4', 'B', { status: 'sent', provider: 'postmark', providerId: 'b7bc2f4a-e38e-4336-af7d-e6c392c2f817' }), false);
      assert.equal(await store.providerMessage('postmark', 'b7bc2f4a-e38e-4336-af7d-e6c392c2f817'), null);
      await store.claim('m5', 'A', 10, 1000);
      await store.finish('m5', 'A', { status: 'sent', provider: 'postmark', providerId: '883953f4-6105-42a2-a16a-77a8eac79483' });

      await store.commit('c11', change(1, 'tombstone', { erase: true }));
      assert.equal(await store.providerMessage('twilio', 'SM0a1b2c3d4e5f60718293a4b5c6d7e8f9'), null, 'erasure drops the index');
      assert.equal(await store.providerMessage('sendgrid', '14c5d75ce93.dfd.64b469'), null);
      assert.deepEqual(await store.ledger('m1'), { status: 'sent', attempts: 1, providerId: null, detail: null }, 'the ledger keeps only ids of its own');
      assert.deepEqual(await store.providerMessage('postmark', '883953f4-6105-42a2-a16a-77a8eac79483'), { contactId: 'c12', actionId: 'm5' }, 'another contact\'s stays');
    });

    test('erase all (shop/redact): every contact, due entry, link and queued message goes', async () => {
      await store.commit('c8', change(0, 's', { schedule: [{ id: 'f1', at: 1 }], links: ['email:shop'], intents: [{ id: 'i4', action: send('i4') }] }));
      await store.eraseAll();
      assert.equal(await store.providerMessage('postmark', '883953f4-6105-42a2-a16a-77a8eac79483'), null, 'the provider message index too');
      for (const contactId of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']) assert.equal(await store.load(contactId), null, contactId);
      assert.deepEqual(await scope('c8').dueBefore(10, 100), []);
      assert.equal(await store.resolve(['email:shop', 'token:x']), null);
      assert.equal(await store.claim('i4', 'A', 10, 1000), null);
      assert.equal(await store.commit('c8', change(0, 'again')), true, 'a contact can start over');
    });

    // After "erase all": the due index starts empty, so the summary counts only what follows.
    test('due summary: how many entries are due at a time and the oldest; settled and moved entries leave it', async () => {
      const summary = async (now) => {
        const { due, oldestDueAt } = await scope('c9').dueSummary(now);
        return { due, oldestDueAt };
      };
      await store.commit('c9', change(0, 's', { schedule: [{ id: 'g1', at: 1000 }, { id: 'g2', at: 2000 }, { id: 'g3', at: 9000 }] }));
      assert.deepEqual(await summary(999), { due: 0, oldestDueAt: null });
      assert.deepEqual(await summary(2000), { due: 2, oldestDueAt: 1000 }, 'an entry due exactly now counts');
      await store.commit('c9', change(1, 's', { settle: { id: 'g1', at: 1000 }, schedule: [{ id: 'g2', at: 5000 }] })); // g1 ticked, g2 deferred
      assert.deepEqual(await summary(2500), { due: 0, oldestDueAt: null });
      assert.deepEqual(await summary(9000), { due: 2, oldestDueAt: 5000 });
      await store.commit('c9', change(2, 'tombstone', { erase: true }));
      assert.deepEqual(await summary(9000), { due: 0, oldestDueAt: null });
    });

    test('last tick: the latest recorded time wins and outlives erase all (it holds no personal data)', async () => {
      if (alarms) {
        // No global scheduler: the store-wide summary says alarms tick, and knows no backlog.
        await store.recordTick(5000);
        assert.deepEqual(await store.dueSummary(10_000), { due: null, oldestDueAt: null, lastTickAt: null, scheduler: 'alarms' });
        return;
      }
      assert.equal((await store.dueSummary(0)).lastTickAt, null, 'nothing ticked yet');
      await store.recordTick(5000);
      assert.equal((await store.dueSummary(0)).lastTickAt, 5000);
      await store.recordTick(4000); // another host, a clock behind
      assert.equal((await store.dueSummary(0)).lastTickAt, 5000);
      await store.recordTick(6000);
      await store.eraseAll();
      assert.deepEqual(await store.dueSummary(10_000), { due: 0, oldestDueAt: null, lastTickAt: 6000 });
    });

    test('due leases: tickers claiming at once never take the same entry; a lease that runs out, or a moved entry, is free again', async (t) => {
      const entries = Array.from({ length: 12 }, (_, i) => ({ id: `h${i}`, at: 1000 + i }));
      await store.commit('c10', change(0, 's', { schedule: entries }));
      const ids = (taken) => taken.filter((d) => d.contactId === 'c10').map((d) => d.id);
      if (alarms) {
        // One contact per object, ticked by its alarm: a tick takes what is due, nothing leases it.
        assert.deepEqual(ids(await scope('c10').claimDue(1005, 100, 'A', 1000)), ['h0', 'h1', 'h2', 'h3', 'h4', 'h5']);
        assert.deepEqual(await store.claimDue(1005, 100, 'A', 1000), [], 'from the Worker: nothing (alarms tick)');
        t.skip('Durable Objects: no leases, each due index is one contact\'s, ticked by its alarm');
        return;
      }
      const [a, b] = await Promise.all([scope('c10').claimDue(2000, 5, 'A', 1000), scope('c10').claimDue(2000, 5, 'B', 1000)]);
      for (const [taken, owner] of [[a, 'A'], [b, 'B']]) {
        assert.equal(taken.length, 5, owner);
        assert.deepEqual(taken.map((d) => d.at), taken.map((d) => d.at).sort((x, y) => x - y), `${owner}: earliest first`);
        for (const d of taken) assert.deepEqual(d, entries.map((e) => ({ ...e, contactId: 'c10' })).find((e) => e.id === d.id));
      }
      const both = new Set([...ids(a), ...ids(b)]);
      assert.equal(both.size, 10, 'no entry went to both tickers');
      const rest = entries.map((e) => e.id).filter((id) => !both.has(id));
      assert.deepEqual(ids(await scope('c10').claimDue(2000, 100, 'C', 1000)), rest, 'a third ticker takes what is left');
      assert.deepEqual(await scope('c10').claimDue(2999, 100, 'D', 1000), [], 'every entry is leased');
      assert.equal((await scope('c10').dueBefore(2999, 100)).length, 12, 'leased entries are still due (the backlog counts them)');

      // A settles one of its entries; B dies; C moves one entry and schedules another at its own time.
      const [settled] = a;
      await store.commit('c10', change(1, 's', { settle: { id: settled.id, at: settled.at } }));
      await store.commit('c10', change(2, 's', { schedule: [{ id: rest[0], at: 2500 }, { id: rest[1], at: entries.find((e) => e.id === rest[1]).at }] }));
      assert.deepEqual(ids(await scope('c10').claimDue(2999, 100, 'D', 1000)), [rest[0]], 'a moved entry is free at once; one kept at its time stays leased');
      const expired = entries.map((e) => e.id).filter((id) => id !== settled.id && id !== rest[0]);
      assert.deepEqual(ids(await scope('c10').claimDue(3000, 100, 'E', 1000)), expired, 'the leases ran out: every unsettled entry comes back, the settled one does not');
      await store.commit('c10', change(3, 'tombstone', { erase: true }));
      assert.deepEqual(await scope('c10').claimDue(99_999, 100, 'F', 1000), []);
    });

    test('outcome log: appended with the commit that won, kept through erasure, rolled up under compare-and-set', async () => {
      const line = (journey, kind) => ({ journey, line: JSON.stringify({ at: 0, journey, kind }) });
      const before = await store.readOutcomes();
      assert.equal(await store.commit('c20', change(0, 's', { outcomes: [line('j_a', 'abandoned'), line('j_a', 'sent')] })), true);
      assert.equal(await store.commit('c20', change(0, 'x', { outcomes: [line('j_lost', 'abandoned')] })), false);
      assert.equal(await store.commit('c21', change(0, 's', { outcomes: [line('j_b', 'abandoned')] })), true);
      const read = await store.readOutcomes();
      const kinds = (r) => r.lines.slice(before.lines.length).map((l) => `${JSON.parse(l).journey}:${JSON.parse(l).kind}`);
      assert.deepEqual(kinds(read), ['j_a:abandoned', 'j_a:sent', 'j_b:abandoned'], 'in commit order; the refused commit logged nothing');
      assert.equal(read.rollups, before.rollups);
      // Erasure takes the contact's personal data, not the figures (the log holds none).
      assert.equal(await store.commit('c20', change(1, 'tombstone', { erase: true, outcomes: [line('j_a', 'stopped')] })), true);
      // A line appended after the read survives the roll-up of its journey.
      assert.equal(await store.commit('c21', change(1, 's', { outcomes: [line('j_b', 'delivered')] })), true);
      assert.equal(await store.rollUpOutcomes({ upTo: read.upTo, version: read.version + 1, journeys: ['j_a'], rollups: '[1]' }), false, 'a stale version rolls up nothing');
      assert.equal(await store.rollUpOutcomes({ upTo: read.upTo, version: read.version, journeys: ['j_a', 'j_b'], rollups: '[{"n":1}]' }), true);
      const after = await store.readOutcomes();
      assert.deepEqual(kinds(after), ['j_a:stopped', 'j_b:delivered'], 'rolled-up lines went; later ones stayed');
      assert.equal(after.rollups, '[{"n":1}]');
      assert.notEqual(after.version, read.version);
      assert.equal(await store.rollUpOutcomes({ upTo: after.upTo, version: read.version, journeys: ['j_b'], rollups: '[]' }), false, 'the same read cannot roll up twice');
    });

    test('message index: a send\'s lines by its action id, in log order; a roll-up keeps only its sent line, until the horizon; erase all empties it', async () => {
      const line = (journey, kind, send, at) => ({ journey, line: JSON.stringify({ at, journey, kind, ...(send ? { send } : {}) }) });
      const kinds = async (id) => (await store.readMessage(id)).map((l) => JSON.parse(l).kind);
      const [a, b] = ['j_m1.email-1.email.0', 'j_m2.sms-1.sms.0'];
      assert.deepEqual(await store.readMessage(a), [], 'never sent: nothing');
      assert.equal(await store.commit('c30', change(0, 's', { outcomes: [line('j_m1', 'abandoned', null, 1000), line('j_m1', 'sent', a, 2000)] })), true);
      assert.equal(await store.commit('c31', change(0, 's', { outcomes: [line('j_m2', 'abandoned', null, 1000), line('j_m2', 'sent', b, 900_000)] })), true);
      assert.equal(await store.commit('c30', change(0, 'x', { outcomes: [line('j_m1', 'opened', a, 2500)] })), false);
      assert.equal(await store.commit('c30', change(1, 's', { outcomes: [line('j_m1', 'delivered', a, 3000), line('j_m1', 'opened', a, 4000)] })), true);
      assert.deepEqual(await kinds(a), ['sent', 'delivered', 'opened'], 'the refused commit indexed nothing');
      assert.deepEqual(await kinds(b), ['sent']);
      // Erasure takes personal data; the index, like the log, holds none.
      assert.equal(await store.commit('c30', change(2, 'tombstone', { erase: true })), true);
      assert.deepEqual(await kinds(a), ['sent', 'delivered', 'opened']);
      const read = await store.readOutcomes();
      assert.equal(await store.commit('c30', change(3, 'tombstone', { outcomes: [line('j_m1', 'clicked', a, 5000)] })), true);
      assert.equal(await store.rollUpOutcomes({ upTo: read.upTo, version: read.version + 1, journeys: ['j_m1', 'j_m2'], rollups: '[]', forgetBefore: 100_000 }), false);
      assert.deepEqual(await kinds(a), ['sent', 'delivered', 'opened', 'clicked'], 'a refused roll-up changes nothing');
      assert.equal(await store.rollUpOutcomes({ upTo: read.upTo, version: read.version, journeys: ['j_m1', 'j_m2'], rollups: '[]', forgetBefore: 100_000 }), true);
      assert.deepEqual(await kinds(a), ['clicked'], 'rolled up: the provider\'s lines go, the sent line is past the horizon; a later line stays');
      assert.deepEqual(await kinds(b), ['sent'], 'rolled up, within the horizon: the sent line is the message\'s record');
      const again = await store.readOutcomes();
      assert.equal(await store.rollUpOutcomes({ upTo: again.upTo, version: again.version, journeys: ['j_m1'], rollups: '[]', forgetBefore: 1_000_000 }), true);
      assert.deepEqual([await kinds(a), await kinds(b)], [[], []], 'the late line rolled up; the kept sent line past the new horizon');
      assert.equal(await store.commit('c32', change(0, 's', { outcomes: [line('j_m3', 'sent', 'j_m3.email-1.email.0', 2000)] })), true);
      assert.deepEqual(await kinds('j_m3.email-1.email.0'), ['sent']);
      await store.eraseAll();
      assert.deepEqual(await kinds('j_m3.email-1.email.0'), [], 'shop/redact empties the index with the log');
    });

    test('named logs: appended in order, compare-and-set on the count, read from the end', async () => {
      assert.deepEqual(await store.readLog('audit'), { lines: [], count: 0 });
      assert.equal(await store.appendLog('audit', ['a1', 'a2']), true);
      assert.equal(await store.appendLog('policies', ['v1'], 0), true);
      assert.equal(await store.appendLog('policies', ['lost'], 0), false, 'a stale count appends nothing');
      assert.equal(await store.appendLog('policies', ['v2'], 1), true);
      assert.equal(await store.appendLog('audit', ['a3']), true);
      assert.deepEqual(await store.readLog('audit'), { lines: ['a1', 'a2', 'a3'], count: 3 });
      assert.deepEqual(await store.readLog('audit', 2), { lines: ['a2', 'a3'], count: 3 });
      assert.deepEqual(await store.readLog('policies'), { lines: ['v1', 'v2'], count: 2 });
    });

    test('timeline: appended with the commit that won, gone with the contact on erasure and purge', async () => {
      assert.equal(await store.commit('c30', change(0, 's', { timeline: ['t1'] })), true);
      assert.equal(await store.commit('c30', change(0, 'x', { timeline: ['lost'] })), false);
      assert.equal(await store.commit('c30', change(1, 's', { timeline: ['t2', 't3'] })), true);
      assert.deepEqual(await store.readLog('timeline:c30'), { lines: ['t1', 't2', 't3'], count: 3 });
      await store.commit('c30', change(2, 'tombstone', { erase: true, timeline: ['erased'] }));
      assert.deepEqual((await store.readLog('timeline:c30')).lines, [], 'erasure takes the timeline (it quotes messages)');
      await store.commit('c31', change(0, 's', { timeline: ['old'] }));
      await store.commit('c31', change(1, 'purged', { purge: true, timeline: ['new'] }));
      assert.deepEqual((await store.readLog('timeline:c31')).lines, ['new'], 'a purge drops what came before');
      assert.deepEqual((await store.readLog('audit')).count, 3, 'other logs stay');
    });
  });
}
