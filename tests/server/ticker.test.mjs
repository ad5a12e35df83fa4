// startTicker: ticks on its interval, never overlaps with itself, and its stop() waits for the
// tick in flight, so a shutdown can close the store after the last send is recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverNode } from './harness.mjs';

/** A runtime whose tick takes `ms` and counts how often it started and finished. */
function slowRuntime(ms) {
  const runtime = { started: 0, finished: 0, overlapping: 0, inFlight: 0 };
  runtime.tick = async () => {
    runtime.started += 1;
    runtime.inFlight += 1;
    if (runtime.inFlight > 1) runtime.overlapping += 1;
    await new Promise((resolve) => setTimeout(resolve, ms));
    runtime.inFlight -= 1;
    runtime.finished += 1;
    return { due: 0, sent: 0, failed: 0, retrying: 0 };
  };
  return runtime;
}

test('stop() settles only after the tick in flight has finished, and no tick starts after it', async () => {
  const runtime = slowRuntime(150);
  const stop = serverNode.startTicker(runtime, { everyMs: 10 });
  while (runtime.started === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 50)); // several intervals pass during the slow tick
  assert.equal(runtime.overlapping, 0, 'a tick never starts while the last one runs');
  const started = runtime.started;
  assert.equal(runtime.finished, started - 1, 'one tick in flight');
  await stop();
  assert.equal(runtime.finished, started, 'stop() waited for it');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(runtime.started, started, 'nothing ticks after stop()');
});

test('stop() with no tick in flight settles at once; a failing tick is logged and ticking goes on', async () => {
  const logged = [];
  let calls = 0;
  const runtime = { tick: async () => { calls += 1; throw new Error('store unreachable'); } };
  const stop = serverNode.startTicker(runtime, { everyMs: 10, log: (level, message, fields) => logged.push([level, message, fields.error]) });
  while (calls < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  await stop();
  assert.deepEqual(logged[0], ['error', 'tick failed', 'store unreachable']);
  assert.equal(await serverNode.startTicker(runtime, { everyMs: 60_000 })(), undefined, 'nothing in flight: settles at once');
});
