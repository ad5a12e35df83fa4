// The storefront's warm-up (js-shim/storefront/warm-up.js): the made-up checkout the compile
// worker steps through the wasm so that V8 compiles what pages call before they call it. If
// the engine stopped reading one of its observations, or its leave stopped building a beacon,
// the warm-up would silently stop compiling those paths: this keeps it covering them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { warmUp } from '../../js-shim/storefront/warm-up.js';

const dist = new URL('../../pkg/dist/storefront/', import.meta.url);
const storefront = await import(new URL('storefront.js', dist));
await storefront.init(await readFile(new URL('rekindle_bg.wasm', dist)));

test('the warm-up is read whole by the engine, and its way out builds an abandonment beacon', () => {
  const [first, last] = warmUp(storefront.captureStep);
  assert.deepEqual([...first.rejected, ...last.rejected], [], 'every observation read');
  assert.equal(first.beacon, undefined, 'nothing to tell on arrival');
  const beacon = JSON.parse(last.beacon);
  const abandoned = beacon.events.find((event) => event.type === 'abandoned');
  assert.ok(abandoned, `an abandonment: ${last.beacon}`);
  assert.equal(abandoned.contact.email, 'shopper@shop.invalid', 'with consent, the contact path too');
  assert.ok(abandoned.reasons.some((r) => r.reason === 'extraCost'), JSON.stringify(abandoned.reasons));
});
