// The storefront budget, measured in headless Chromium on the local test shop
// (tests/storefront/shop.mjs): bytes of every storefront file (raw and gzip -9), main-thread
// time Rekindle adds to a scripted checkout (the same checkout with and without it), long
// tasks (PerformanceObserver 'longtask', >= 50 ms) during it, the longest task that runs
// Rekindle's code (from a Chromium trace), and the time from the abandonment trigger (the
// page left, or the idle threshold passed) to the beacon arriving.
//
//   node scripts/build.mjs && node benches/storefront.mjs

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startShop } from '../tests/storefront/shop.mjs';

const dist = new URL('../pkg/dist/storefront/', import.meta.url);
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { sizes: {} };

console.log('\nstorefront file                 raw bytes   gzip -9 bytes   loaded');
for (const [file, when] of [['embed.js', 'eagerly (<script> embed)'], ['capture.js', 'eagerly (ES module)'], ['engine.js', 'lazily, after load'], ['rekindle_bg.wasm', 'lazily, after load'], ['web-pixel.js', 'in the pixel sandbox']]) {
  const bytes = readFileSync(new URL(file, dist));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  results.sizes[file] = { raw: bytes.length, gzip };
  console.log(`${file.padEnd(30)} ${String(bytes.length).padStart(10)} ${String(gzip).padStart(15)}   ${when}`);
}

const shop = await startShop();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const observeLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => Math.round(e.duration)))).observe({ type: 'longtask', buffered: true });
};

/** Cart → checkout → shipping cost → leave. Returns main-thread ms, long tasks, trigger → beacon ms. */
async function checkout(query) {
  shop.beacons.length = 0;
  const context = await browser.newContext();
  await context.addInitScript(observeLongTasks);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  let taskMs = 0;
  const longTasks = [];
  const pageDone = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    taskMs += metrics.find((m) => m.name === 'TaskDuration').value * 1000;
    longTasks.push(...(await page.evaluate(() => window.__longTasks)));
  };
  const settle = () => page.waitForTimeout(1500); // past load and the idle engine load
  await page.goto(`${shop.origin}/shop/cart${query}`);
  await settle();
  await pageDone();
  await Promise.all([page.waitForURL('**/checkouts/**'), page.click('#to-checkout')]);
  await settle();
  await page.fill('#email', 'ada@example.com');
  await page.click('#to-shipping');
  await page.waitForTimeout(300);
  await pageDone();
  const left = Date.now();
  await page.goto(`${shop.origin.replace('127.0.0.1', 'localhost')}/elsewhere`);
  let beaconMs;
  if (!query.includes('off')) beaconMs = (await shop.waitForBeacons(1))[0].at - left;
  await context.close();
  return { taskMs, longTasks, beaconMs };
}

/** The idle trigger: time from the threshold passing to the beacon arriving. */
async function idleTrigger(idleSeconds = 1) {
  shop.beacons.length = 0;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${shop.origin}/shop/checkouts/c1?idle=${idleSeconds}`);
  await page.waitForFunction(() => sessionStorage.getItem('rekindle:session'));
  await page.click('#to-shipping');
  const due = Date.now() + idleSeconds * 1000;
  const [beacon] = await shop.waitForBeacons(1);
  await context.close();
  return beacon.at - due;
}

/**
 * Cart page, then checkout page, traced (a pass of its own: tracing costs main-thread time).
 * Returns the longest main-thread task, and the longest one that ran Rekindle's code (a
 * task with a script evaluation or call from a file under /rekindle/).
 */
async function longestTasks(query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await page.goto(`${shop.origin}/shop/cart${query}`);
  await page.waitForTimeout(1500);
  await Promise.all([page.waitForURL('**/checkouts/**'), page.click('#to-checkout')]);
  await page.waitForTimeout(1500);
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
  await context.close();
  const thread = (e) => `${e.pid}:${e.tid}`;
  const main = new Set(traceEvents.filter((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain').map(thread));
  const onMain = traceEvents.filter((e) => e.ph === 'X' && main.has(thread(e)));
  const tasks = onMain.filter((e) => e.name === 'RunTask');
  const ours = onMain.filter((e) => e.args?.data?.url?.includes('/rekindle/'));
  const runsOurs = (task) => ours.some((e) => thread(e) === thread(task) && e.ts >= task.ts && e.ts < task.ts + task.dur);
  const longest = (xs) => Math.max(0, ...xs.map((e) => e.dur / 1000));
  return { any: longest(tasks), rekindle: longest(tasks.filter(runsOurs)) };
}

const withRekindle = [];
const without = [];
const idle = [];
const traced = { withRekindle: [], without: [] };
for (let i = 0; i < RUNS; i += 1) {
  without.push(await checkout('?off'));
  withRekindle.push(await checkout('?idle=600'));
  idle.push(await idleTrigger());
}
for (let i = 0; i < RUNS; i += 1) {
  traced.without.push(await longestTasks('?off'));
  traced.withRekindle.push(await longestTasks('?idle=600'));
}
await browser.close();
await shop.stop();

const added = median(withRekindle.map((r) => r.taskMs)) - median(without.map((r) => r.taskMs));
const longTasks = withRekindle.flatMap((r) => r.longTasks);
results.mainThreadMs = { withRekindle: median(withRekindle.map((r) => r.taskMs)), without: median(without.map((r) => r.taskMs)), added };
results.longTasks = { withRekindle: longTasks, without: without.flatMap((r) => r.longTasks) };
results.triggerToBeaconMs = { pagehide: median(withRekindle.map((r) => r.beaconMs)), idle: median(idle) };
results.longestTaskMs = {
  runningRekindle: median(traced.withRekindle.map((t) => t.rekindle)),
  anyWithRekindle: median(traced.withRekindle.map((t) => t.any)),
  anyWithout: median(traced.without.map((t) => t.any)),
};

console.log(`\nscripted checkout (cart → checkout → shipping cost → leave), median of ${RUNS} runs in headless Chromium:`);
console.log(`  main-thread task time: ${results.mainThreadMs.withRekindle.toFixed(1)} ms with Rekindle, ${results.mainThreadMs.without.toFixed(1)} ms without: ${added.toFixed(1)} ms added`);
console.log(`  long tasks (>= 50 ms) during the checkout: ${longTasks.length} with Rekindle ${JSON.stringify(longTasks)}, ${results.longTasks.without.length} without`);
console.log(`  longest main-thread task over the cart and checkout pages (traced, median of ${RUNS}): ${results.longestTaskMs.runningRekindle.toFixed(1)} ms running Rekindle's code; ` +
  `any task ${results.longestTaskMs.anyWithRekindle.toFixed(1)} ms with Rekindle, ${results.longestTaskMs.anyWithout.toFixed(1)} ms without`);
console.log(`  trigger → beacon at the collector: page left ${results.triggerToBeaconMs.pagehide} ms, idle threshold passed ${results.triggerToBeaconMs.idle} ms`);
console.log(`\nJSON ${JSON.stringify(results)}`);
