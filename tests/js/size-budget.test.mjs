// The built package stays within its byte budgets (tests/js/size-budgets.json, the one place
// they are set): edge plans cap a function's gzipped bytes, and shoppers' phones pay for every
// storefront byte. Bytes only: a build's bytes are deterministic, times are not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { weigh, FILES } from '../../benches/wasm-weight.mjs';

const budgets = JSON.parse(readFileSync(new URL('./size-budgets.json', import.meta.url), 'utf8'));
const weight = await weigh();

test('every budgeted file is one the package ships, and every shipped file has a budget', () => {
  assert.deepEqual(Object.keys(budgets.gzipBytes).sort(), Object.keys(FILES).sort());
});

for (const [name, budget] of Object.entries(budgets.gzipBytes)) {
  test(`${name} is within its budget of ${budget} gzipped bytes`, () => {
    const { gzip } = weight.files[name];
    assert.ok(gzip <= budget, `${name} weighs ${gzip} gzipped bytes, over its budget of ${budget}`);
  });
}

test(`the Vercel Edge example's whole function is within ${budgets.vercelEdgeFunctionGzipBytes} gzipped bytes`, () => {
  const { gzip } = weight.vercelEdge;
  assert.ok(gzip <= budgets.vercelEdgeFunctionGzipBytes, `the function weighs ${gzip} gzipped bytes`);
  assert.ok(gzip > weight.files['server wasm'].gzip, 'the function includes the engine');
});
