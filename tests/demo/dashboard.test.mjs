// The demo end to end: the cast runs on a simulated clock against the real handler, SQLite
// store and storefront; every expected outcome must hold; then headless Chromium opens the
// dashboard and checks the funnel and a timeline rendered with the run's numbers, and saves
// a screenshot for review (tests/artifacts/demo-dashboard.png, gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { CAST, END, T0 } from '../../examples/demo/cast.mjs';
import { simulatedClock } from '../../examples/demo/clock.mjs';
import { checkOutcomes } from '../../examples/demo/outcomes.mjs';
import { runCast } from '../../examples/demo/run.mjs';
import { startDemo } from '../../examples/demo/server.mjs';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
let demo, snapshot, browser;

before(async () => {
  const clock = simulatedClock(T0);
  demo = await startDemo({ clock, cast: CAST });
  browser = await launchChromium();
  await runCast({ demo, clock, browser, cast: CAST, start: T0, end: END, mode: 'simulated' });
  snapshot = await demo.snapshot();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

test('every shopper in the cast gets the expected outcome', () => {
  const outcomes = checkOutcomes(snapshot, CAST);
  for (const o of outcomes) assert.ok(o.ok, `${o.shopper}: ${o.expect} (${o.detail})`);
  assert.equal(outcomes.length, 8);
});

test('the funnel counts the cast: seven abandoned (one in holdout), six messaged, one clicked, two recovered', () => {
  const f = snapshot.funnel;
  assert.deepEqual(
    { abandoned: f.abandoned, holdout: f.holdout, messaged: f.messaged, clicked: f.clicked, recovered: f.recovered },
    { abandoned: 7, holdout: 1, messaged: 6, clicked: 1, recovered: 2 },
  );
  // Cleo's two bottles (she paid from the recovery link) and Gus's sleeping bag (another device).
  assert.equal(f.revenueRecoveredMinor, 6400 + 24900);
});

test('every message in the outbox is rendered: email HTML with escaped data, SMS text with segments', () => {
  const emails = snapshot.outbox.filter((m) => m.channel === 'email');
  const sms = snapshot.outbox.filter((m) => m.channel === 'sms');
  assert.ok(emails.length > 0 && sms.length > 0);
  for (const m of emails) assert.match(m.html, /Return to your cart/);
  for (const m of sms) assert.ok(m.segments >= 1 && m.text.length > 0);
});

test('headless Chromium renders the dashboard: funnel numbers, a timeline with a deferral, the outbox', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
  const eve = snapshot.journeys.find((j) => j.shopperKey === 'eve');
  await page.goto(`${demo.url}/dashboard?journey=${encodeURIComponent(eve.id)}`);
  await page.waitForSelector('body[data-ready="true"]');
  const funnel = await page.$$eval('[data-funnel]', (els) => Object.fromEntries(els.map((e) => [e.dataset.funnel, Number(e.textContent)])));
  assert.deepEqual(funnel, { abandoned: 7, messaged: 6, clicked: 1, recovered: 2 });
  assert.equal(await page.textContent('[data-stat="revenue"]'), '$313.00');
  assert.equal(await page.textContent('[data-stat="recoveryRate"]'), '29%');
  assert.equal(await page.locator('tr.journey').count(), snapshot.journeys.length);
  assert.ok(await page.locator('#timeline-plot [data-mark="deferred"]').count() >= 1, 'the deferred SMS is drawn');
  assert.ok(await page.locator('#timeline-plot [data-mark="sent"]').count() >= 1);
  assert.match(await page.textContent('#timeline'), /quiet hours/i);
  assert.ok(await page.locator('[data-segments]').count() >= 1, 'the SMS shows its segment count');
  await page.frameLocator('#outbox iframe').first().getByText('Return to your cart').waitFor();
  for (const frame of page.frames()) await frame.waitForLoadState('load');
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'demo-dashboard.png'), fullPage: true });
});

test('the dashboard shows the lift against the holdout with its interval, from the outcome log', async () => {
  const l = snapshot.lift;
  assert.equal(l.heldOut, 1, 'one shopper of the cast is held out');
  assert.equal(l.treated + l.heldOut, snapshot.journeys.length, 'every journey counts once, in its arm');
  assert.ok(l.lift.difference.low < l.lift.difference.estimate && l.lift.difference.estimate < l.lift.difference.high);
  const page = await browser.newPage();
  await page.goto(`${demo.url}/dashboard`);
  await page.waitForSelector('body[data-ready="true"]');
  const pts = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
  assert.equal(await page.textContent('[data-stat="lift"]'), `${pts(l.lift.difference.estimate)} pts`);
  assert.equal(await page.textContent('[data-stat="liftInterval"]'), `${pts(l.lift.difference.low)} to ${pts(l.lift.difference.high)}`);
  assert.match(await page.textContent('[data-stat="verdict"]'), /^inconclusive/, 'eight shoppers prove nothing, and it says so');
});

test('the dashboard sets the pilot against the shoppers it left alone, from the same report', async () => {
  const p = snapshot.pilot;
  assert.ok(p, 'the demo runs a 99% pilot');
  assert.equal(p.leftAlone.abandoned, 0, 'the cast all fall inside it');
  assert.equal(p.pilot.abandoned, snapshot.lift.treated, 'the pilot arm is the messaged arm: its holdout is in neither');
  assert.equal(p.lift, null, 'nothing to set it against yet');
  const page = await browser.newPage();
  await page.goto(`${demo.url}/dashboard`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('[data-stat="pilotCount"]'), `${p.pilot.recovered} of ${p.pilot.abandoned}`);
  assert.equal(await page.textContent('[data-stat="leftAloneCount"]'), '0 of 0');
  assert.match(await page.textContent('[data-stat="pilotVerdict"]'), /no shopper left alone yet/);
});

