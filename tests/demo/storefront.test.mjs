// The demo storefront in a real browser: a shopper in California picks a product, starts the
// checkout (the shop's server sends Rekindle a signed checkouts/create), sees the shipping cost
// and stalls; the storefront embed reports the abandonment, with the browser's time zone and
// the reason, and Rekindle's engine files it under the same journey.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { acceleratedClock } from '../../examples/demo/clock.mjs';
import { startDemo } from '../../examples/demo/server.mjs';

let demo, browser;

before(async () => {
  const clock = acceleratedClock(Date.now(), 1); // real time: the browser's clock and the server's agree
  clock.run();
  demo = await startDemo({ clock, idleSeconds: 2 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

test('a checkout stalled at the shipping cost reaches Rekindle from the embed, with the browser time zone and the reason', async () => {
  const context = await browser.newContext({ timezoneId: 'America/Los_Angeles' });
  const page = await context.newPage();
  await page.goto(`${demo.shopUrl}/`);
  await page.fill('input[name="qty-bottle"]', '2');
  await page.fill('input[name="email"]', 'walk-in@example.com');
  await page.fill('input[name="phone"]', '+13105550199');
  await page.selectOption('select[name="province"]', 'CA');
  await Promise.all([page.waitForURL(/\/checkout\/chk_/), page.click('button:has-text("Check out")')]);
  const token = new URL(page.url()).pathname.split('/').pop();
  await page.click('#to-shipping');
  await page.waitForSelector('#shipping:not([hidden])');

  const abandoned = async () => demo.journal.entries().find((e) => e.event.type === 'abandoned' && e.event.cartToken === token);
  for (let i = 0; i < 100 && !(await abandoned()); i += 1) await new Promise((resolve) => setTimeout(resolve, 200));
  const entry = await abandoned();
  assert.ok(entry, 'the embed reported the abandonment to Rekindle');
  assert.equal(entry.event.origin, 'storefront');
  assert.equal(entry.event.timeZone, 'America/Los_Angeles');
  const created = demo.journal.entries().find((e) => e.event.type === 'checkoutUpdated' && e.event.cartToken === token);
  assert.equal(entry.contactId, created.contactId, 'the beacon found the contact the platform webhook created');
  assert.ok(entry.event.reasons.some((r) => r.reason === 'extraCost'), 'the shipping cost was seen before the shopper stalled');
  assert.match(entry.explanation.summary, /learned why the shopper left/);
  await context.close();
});
