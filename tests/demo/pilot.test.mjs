// The dashboard's pilot panel with shoppers left alone: the same cast with the policy run for
// 90% of shoppers, which leaves Finn and Gus outside it (the pilot's hash of their contact ids).
// Left alone means tracked and never messaged; the panel sets the pilot's recovery against theirs
// with the report's interval and verdict (src/measurement), as the dashboard draws it in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { CAST, END, T0 } from '../../examples/demo/cast.mjs';
import { simulatedClock } from '../../examples/demo/clock.mjs';
import { runCast } from '../../examples/demo/run.mjs';
import { startDemo } from '../../examples/demo/server.mjs';

let demo, snapshot, browser;

before(async () => {
  const clock = simulatedClock(T0);
  demo = await startDemo({ clock, cast: CAST, pilotPercent: 90 });
  browser = await launchChromium();
  await runCast({ demo, clock, browser, cast: CAST, start: T0, end: END, mode: 'simulated' });
  snapshot = await demo.snapshot();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

test('shoppers outside the pilot are tracked, never messaged, and counted in the left-alone arm', () => {
  const outside = new Set(['finn', 'gus']);
  const left = snapshot.journeys.filter((j) => outside.has(j.shopperKey));
  assert.ok(left.length >= 2, 'their journeys are kept');
  assert.deepEqual(snapshot.outbox.filter((m) => outside.has(m.shopperKey)), [], 'no message to a shopper left alone');
  assert.ok(snapshot.outbox.some((m) => !outside.has(m.shopperKey)), 'the pilot still messages');
  const p = snapshot.pilot;
  assert.equal(p.leftAlone.abandoned, left.length);
  assert.equal(p.leftAlone.messaged, 0);
  assert.equal(p.pilot.abandoned + p.leftAlone.abandoned + snapshot.lift.heldOut, snapshot.journeys.length, 'every journey in one arm');
  assert.ok(p.lift && p.lift.difference.low <= p.lift.difference.estimate && p.lift.difference.estimate <= p.lift.difference.high);
});

test('the dashboard shows the pilot against the left-alone arm with its interval and verdict', async () => {
  const p = snapshot.pilot;
  const page = await browser.newPage();
  await page.goto(`${demo.url}/dashboard`);
  await page.waitForSelector('body[data-ready="true"]');
  const pts = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
  assert.equal(await page.textContent('[data-stat="pilotCount"]'), `${p.pilot.recovered} of ${p.pilot.abandoned}`);
  assert.equal(await page.textContent('[data-stat="leftAloneCount"]'), `${p.leftAlone.recovered} of ${p.leftAlone.abandoned}`);
  assert.equal(await page.textContent('[data-stat="pilotLift"]'), `${pts(p.lift.difference.estimate)} pts`);
  assert.equal(await page.textContent('[data-stat="pilotInterval"]'), `${pts(p.lift.difference.low)} to ${pts(p.lift.difference.high)}`);
  assert.equal(await page.textContent('[data-stat="pilotVerdict"]'), p.lift.verdict);
  // The holdout's lift, beside it, still leaves the left-alone journeys out.
  assert.equal(snapshot.lift.treated, p.pilot.abandoned);
});
