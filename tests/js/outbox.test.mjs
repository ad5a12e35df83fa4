// The storefront outbox's note in the tab (js-shim/storefront/outbox.js `tab`): a tab's later
// pages flush without opening local storage once the tab has emptied the outbox, and open it
// again as soon as anything is queued or left unsent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutbox } from '../../js-shim/storefront/outbox.js';

/** A Map-backed storage that counts reads, as pages' storage answers (synchronously). */
function storage(entries = {}) {
  const map = new Map(Object.entries(entries));
  return {
    map,
    reads: 0,
    get(key) {
      this.reads += 1;
      return map.get(key) ?? null;
    },
    set: (key, value) => map.set(key, value),
  };
}

const queued = (body) => JSON.stringify([{ body, expires: Date.now() + 3600e3, tries: 0, due: 0 }]);

test("a tab's first page sends what an earlier visit left; its later pages do not read local storage", async () => {
  const local = storage({ 'rekindle:outbox': queued('left-over') });
  const tab = storage();
  const sent = [];
  const first = createOutbox({ endpoint: '/beacon', storage: local, tab, sendBeacon: (url, body) => sent.push(body) > 0 });
  await first.flush();
  assert.deepEqual(sent, ['left-over']);
  assert.equal(local.map.get('rekindle:outbox'), '[]');
  assert.equal(tab.map.get('rekindle:outbox-clear'), '1');

  const readsBefore = local.reads;
  const later = createOutbox({ endpoint: '/beacon', storage: local, tab, sendBeacon: (url, body) => sent.push(body) > 0 });
  await later.flush();
  await later.flush();
  assert.equal(local.reads, readsBefore, 'an emptied tab: nothing to read');

  // Queueing reads first (another page may have stored entries), then sends.
  local.set('rekindle:outbox', queued('another page'));
  await later.add('new');
  assert.deepEqual(sent, ['left-over', 'another page', 'new']);
  assert.equal(tab.map.get('rekindle:outbox-clear'), '1');
});

test('a body left unsent marks the tab, so its next page reads local storage and sends it', async () => {
  const local = storage();
  const tab = storage({ 'rekindle:outbox-clear': '1' });
  let up = false;
  const sent = [];
  const page = createOutbox({ endpoint: '/beacon', storage: local, tab, online: () => up, sendBeacon: (url, body) => sent.push(body) > 0 });
  await page.add('offline');
  assert.deepEqual(sent, []);
  assert.equal(tab.map.get('rekindle:outbox-clear'), '0');

  up = true;
  const next = createOutbox({ endpoint: '/beacon', storage: local, tab, sendBeacon: (url, body) => sent.push(body) > 0 });
  await next.flush();
  assert.deepEqual(sent, ['offline']);
  assert.equal(tab.map.get('rekindle:outbox-clear'), '1');
  // (The first page's retry timer still runs in this process, where both pages live; in a
  // browser it ends with its page.)
});
