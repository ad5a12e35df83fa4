// The storefront budget, measured in headless Chromium on the local test shop
// (tests/storefront/shop.mjs): bytes of every storefront file (raw and gzip -9), main-thread
// time Rekindle adds to a scripted checkout (the same checkout with and without it), long
// tasks (PerformanceObserver 'longtask', >= 50 ms) during it, the longest task that runs
// Rekindle's code (from a Chromium trace, including the steps run as the shopper leaves each
// page), and the time from the abandonment trigger (the page left, or the idle threshold
// passed) to the beacon arriving. Main-thread time is given per page (the cart page, where the
// engine is fetched and compiled first, and the checkout page) as well as for the whole
// checkout, each against the same pages without Rekindle: as Chromium's task time (wall, per
// document: a step run while a page unloads is in neither page's) and as the traced CPU time
// of the main thread (steadier on a loaded machine), with the workers' CPU time beside it.
//
// `--baseline DIR`: another storefront build (a copy of some commit's pkg/dist/storefront),
// served by a second shop and measured in the same runs, interleaved, so the two builds are
// compared on one machine at one moment (figures on a shared machine move 20% between runs).
// Each round runs the bare pages and each build (their order alternating); "added" is given
// both as a difference of medians and paired, as the median of the rounds' own differences.
//
//   node scripts/build.mjs && node benches/storefront.mjs [--baseline target/baseline-storefront] [--runs 5]

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startShop } from '../tests/storefront/shop.mjs';

const dist = new URL('../pkg/dist/storefront/', import.meta.url);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { sizes: {} };
const args = process.argv.slice(2);
const baselineDir = args.includes('--baseline') ? resolve(args[args.indexOf('--baseline') + 1]) + '/' : undefined;
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;

console.log('\nstorefront file                 raw bytes   gzip -9 bytes   loaded');
for (const [file, when] of [['embed.js', 'eagerly (<script> embed)'], ['capture.js', 'eagerly (ES module)'], ['engine.js', 'lazily, after load'], ['rekindle_bg.wasm', 'lazily, after load'], ['web-pixel.js', 'in the pixel sandbox']]) {
  const bytes = readFileSync(new URL(file, dist));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  results.sizes[file] = { raw: bytes.length, gzip };
  console.log(`${file.padEnd(30)} ${String(bytes.length).padStart(10)} ${String(gzip).padStart(15)}   ${when}`);
}

const shop = await startShop();
const baselineShop = baselineDir && (await startShop({ dist: baselineDir }));
if (baselineDir) {
  const wasm = readFileSync(new URL('rekindle_bg.wasm', `file://${baselineDir}`));
  console.log(`baseline ${baselineDir}: rekindle_bg.wasm ${wasm.length} raw, ${gzipSync(wasm, { level: 9 }).length} gzip -9`);
}
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const observeLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => Math.round(e.duration)))).observe({ type: 'longtask', buffered: true });
};

/**
 * Cart → checkout → shipping cost → leave, on `shop`. Returns main-thread ms (whole checkout,
 * and per page: cart, checkout), long tasks, trigger → beacon ms.
 */
async function checkout(query, shop) {
  shop.beacons.length = 0;
  const context = await browser.newContext();
  await context.addInitScript(observeLongTasks);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  let taskMs = 0;
  const pageMs = [];
  const longTasks = [];
  const pageDone = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const ms = metrics.find((m) => m.name === 'TaskDuration').value * 1000;
    pageMs.push(ms);
    taskMs += ms;
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
  return { taskMs, pageMs, longTasks, beaconMs };
}

/** The idle trigger: time from the threshold passing to the beacon arriving. */
async function idleTrigger(shop, idleSeconds = 1) {
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
 * The same checkout traced (a pass of its own: tracing costs main-thread time), each page in a
 * trace of its own: the cart page from its navigation, then the checkout page from the click
 * that leaves the cart (so it holds the cart page's leave steps) to the shopper leaving for
 * another site (so it holds the last leave step, run while the page unloads). Returns, per
 * page, the CPU time of the shop renderer's main thread (thread time: steadier than wall time
 * on a loaded machine) and of workers; the longest main-thread task (wall), and the longest
 * one that ran Rekindle's code (a task with a script evaluation or call from a file under
 * /rekindle/), wall and CPU.
 */
async function tracedCheckout(query, shop) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];
  const trace = async (steps) => {
    await browser.startTracing(page, { categories });
    await steps();
    return JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  };
  const cart = await trace(async () => {
    await page.goto(`${shop.origin}/shop/cart${query}`);
    await page.waitForTimeout(1500);
  });
  const checkoutPage = await trace(async () => {
    await Promise.all([page.waitForURL('**/checkouts/**'), page.click('#to-checkout')]);
    await page.waitForTimeout(1500);
    await page.fill('#email', 'ada@example.com');
    await page.click('#to-shipping');
    await page.waitForTimeout(300);
    await page.goto(`${shop.origin.replace('127.0.0.1', 'localhost')}/elsewhere`);
    await page.waitForTimeout(300);
  });
  await context.close();

  const thread = (e) => `${e.pid}:${e.tid}`;
  const names = (events) => new Map(events.filter((e) => e.name === 'thread_name').map((e) => [thread(e), e.args.name]));
  // The shop's renderer: the process that ran the cart page (another site gets a process of its own).
  const shopPid = cart.find((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain' && cart.some((t) => t.pid === e.pid && t.name === 'RunTask'))?.pid;
  const measure = (events) => {
    const threadNames = names(events);
    const tasks = events.filter((e) => e.ph === 'X' && e.pid === shopPid && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask'));
    const mainTasks = tasks.filter((e) => threadNames.get(thread(e)) === 'CrRendererMain' && e.name === 'RunTask');
    const workerTasks = tasks.filter((e) => /Worker thread/.test(threadNames.get(thread(e)) ?? ''));
    // Rekindle's code: a script evaluated or a function called from a file under /rekindle/
    // (a parser task that merely requests one of them is not).
    const ours = events.filter((e) => e.ph === 'X' && e.pid === shopPid && (e.name === 'EvaluateScript' || e.name === 'FunctionCall') && e.args?.data?.url?.includes('/rekindle/'));
    const runsOurs = (task) => ours.some((e) => thread(e) === thread(task) && e.ts >= task.ts && e.ts < task.ts + task.dur);
    const cpu = (xs) => xs.reduce((sum, e) => sum + (e.tdur ?? e.dur), 0) / 1000;
    const longest = (xs) => xs.reduce((a, e) => (e.dur > (a?.dur ?? -1) ? e : a), undefined);
    const oursLongest = longest(mainTasks.filter(runsOurs));
    // Rekindle's own calls, measured directly (not as a difference against the bare pages,
    // which a loaded machine swamps): the outermost script evaluations and calls of its files
    // on the main thread. A lower bound: it leaves out work V8 and Blink do for them outside a
    // call (the lazy engine module's evaluation, wasm instantiation, garbage collection).
    const mainOurs = ours.filter((e) => threadNames.get(thread(e)) === 'CrRendererMain');
    const outermost = mainOurs.filter((e) => !mainOurs.some((o) => o !== e && thread(o) === thread(e) && o.ts <= e.ts && e.ts + e.dur <= o.ts + o.dur));
    // Those run by the leave handlers (pagehide, visibilitychange), apart.
    const leaveEvents = events.filter((e) => e.name === 'EventDispatch' && e.pid === shopPid && ['pagehide', 'visibilitychange'].includes(e.args?.data?.type));
    const inLeave = (e) => leaveEvents.some((d) => thread(d) === thread(e) && d.ts <= e.ts && e.ts < d.ts + d.dur);
    return {
      oursMs: outermost.reduce((sum, e) => sum + e.dur, 0) / 1000,
      oursCpuMs: cpu(outermost),
      oursLeaveCpuMs: cpu(outermost.filter(inLeave)),
      mainCpuMs: cpu(mainTasks),
      workerCpuMs: cpu(workerTasks),
      longestMs: (longest(mainTasks)?.dur ?? 0) / 1000,
      rekindleLongestMs: (oursLongest?.dur ?? 0) / 1000,
      rekindleLongestCpuMs: (oursLongest?.tdur ?? oursLongest?.dur ?? 0) / 1000,
    };
  };
  const pages = { cart: measure(cart), checkout: measure(checkoutPage) };
  return {
    ...pages,
    any: Math.max(pages.cart.longestMs, pages.checkout.longestMs),
    rekindle: Math.max(pages.cart.rekindleLongestMs, pages.checkout.rekindleLongestMs),
    rekindleCpu: Math.max(pages.cart.rekindleLongestCpuMs, pages.checkout.rekindleLongestCpuMs),
  };
}

const builds = { 'this build': shop, ...(baselineShop ? { baseline: baselineShop } : {}) };
const runs = Object.fromEntries(Object.keys(builds).map((name) => [name, { checkouts: [], idle: [], traced: [] }]));
const without = [];
const tracedWithout = [];
// Each round measures the pages without Rekindle and then each build, the builds' order
// alternating between rounds (neither always runs right after the bare pages).
const inOrder = (i) => (i % 2 ? Object.entries(builds).reverse() : Object.entries(builds));
for (let i = 0; i < RUNS; i += 1) {
  without.push(await checkout('?off', shop));
  for (const [name, served] of inOrder(i)) {
    runs[name].checkouts.push(await checkout('?idle=600', served));
    runs[name].idle.push(await idleTrigger(served));
  }
}
for (let i = 0; i < RUNS; i += 1) {
  tracedWithout.push(await tracedCheckout('?off', shop));
  for (const [name, served] of inOrder(i)) runs[name].traced.push(await tracedCheckout('?idle=600', served));
}
await browser.close();
await shop.stop();
await baselineShop?.stop();

const bare = {
  total: median(without.map((r) => r.taskMs)),
  cart: median(without.map((r) => r.pageMs[0])),
  checkout: median(without.map((r) => r.pageMs[1])),
  longestTask: median(tracedWithout.map((t) => t.any)),
  longTasks: without.flatMap((r) => r.longTasks),
  cpu: { cart: median(tracedWithout.map((t) => t.cart.mainCpuMs)), checkout: median(tracedWithout.map((t) => t.checkout.mainCpuMs)) },
};
results.without = bare;
for (const [name, run] of Object.entries(runs)) {
  const total = median(run.checkouts.map((r) => r.taskMs));
  const cart = median(run.checkouts.map((r) => r.pageMs[0]));
  const checkoutPage = median(run.checkouts.map((r) => r.pageMs[1]));
  // Paired: each round's figure less the same round's bare pages, then the median. A load
  // spike then moves one round's difference, not one side of a difference of medians.
  const paired = (of) => median(run.checkouts.map((r, i) => of(r) - of(without[i])));
  results[name] = {
    mainThreadMs: {
      total, added: total - bare.total, cartAdded: cart - bare.cart, checkoutAdded: checkoutPage - bare.checkout,
      paired: { added: paired((r) => r.taskMs), cartAdded: paired((r) => r.pageMs[0]), checkoutAdded: paired((r) => r.pageMs[1]) },
    },
    longTasks: run.checkouts.flatMap((r) => r.longTasks),
    // Thread time of the shop renderer's main thread, from the traces; the workers' beside it.
    mainThreadCpuMs: {
      cartAdded: median(run.traced.map((t) => t.cart.mainCpuMs)) - bare.cpu.cart,
      checkoutAdded: median(run.traced.map((t) => t.checkout.mainCpuMs)) - bare.cpu.checkout,
      paired: {
        cartAdded: median(run.traced.map((t, i) => t.cart.mainCpuMs - tracedWithout[i].cart.mainCpuMs)),
        checkoutAdded: median(run.traced.map((t, i) => t.checkout.mainCpuMs - tracedWithout[i].checkout.mainCpuMs)),
      },
      workers: { cart: median(run.traced.map((t) => t.cart.workerCpuMs)), checkout: median(run.traced.map((t) => t.checkout.workerCpuMs)) },
    },
    // Rekindle's own script calls on the main thread, wall and CPU, per page (traced).
    ownCallsMs: Object.fromEntries(['cart', 'checkout'].map((p) => [p, {
      wall: median(run.traced.map((t) => t[p].oursMs)), cpu: median(run.traced.map((t) => t[p].oursCpuMs)), leaveCpu: median(run.traced.map((t) => t[p].oursLeaveCpuMs)),
    }])),
    longestTaskMs: {
      runningRekindle: median(run.traced.map((t) => t.rekindle)),
      runningRekindleCpu: median(run.traced.map((t) => t.rekindleCpu)),
      any: median(run.traced.map((t) => t.any)),
    },
    triggerToBeaconMs: { pagehide: median(run.checkouts.map((r) => r.beaconMs)), idle: median(run.idle) },
  };
}

console.log(`\nscripted checkout (cart → checkout → shipping cost → leave), median of ${RUNS} runs in headless Chromium, builds interleaved:`);
console.log(`  without Rekindle: main-thread task time ${bare.total.toFixed(1)} ms (cart page ${bare.cart.toFixed(1)}, checkout page ${bare.checkout.toFixed(1)}; ` +
  `CPU ${bare.cpu.cart.toFixed(1)} and ${bare.cpu.checkout.toFixed(1)}); ` +
  `longest task ${bare.longestTask.toFixed(1)} ms; long tasks (>= 50 ms) ${JSON.stringify(bare.longTasks)}`);
for (const name of Object.keys(runs)) {
  const r = results[name];
  console.log(`  ${name}: main-thread time added ${r.mainThreadMs.added.toFixed(1)} ms over the checkout ` +
    `(cart page +${r.mainThreadMs.cartAdded.toFixed(1)}, checkout page +${r.mainThreadMs.checkoutAdded.toFixed(1)}); ` +
    `long tasks (>= 50 ms) ${JSON.stringify(r.longTasks)}`);
  const p = r.mainThreadMs.paired;
  console.log(`    paired by round (median of each round's difference): added ${p.added.toFixed(1)} ms (cart page +${p.cartAdded.toFixed(1)}, checkout page +${p.checkoutAdded.toFixed(1)})`);
  const cpu = r.mainThreadCpuMs;
  console.log(`    main-thread CPU added (traced thread time): cart page +${cpu.cartAdded.toFixed(1)} ms, checkout page (with both leave steps) ` +
    `+${cpu.checkoutAdded.toFixed(1)} ms (paired by round +${cpu.paired.cartAdded.toFixed(1)} / +${cpu.paired.checkoutAdded.toFixed(1)}); ` +
    `workers' CPU ${cpu.workers.cart.toFixed(1)} / ${cpu.workers.checkout.toFixed(1)} ms`);
  const own = r.ownCallsMs;
  console.log(`    Rekindle's own script calls on the main thread (traced, measured directly): cart page ${own.cart.wall.toFixed(1)} ms wall ` +
    `(${own.cart.cpu.toFixed(1)} CPU), checkout page with both leave steps ${own.checkout.wall.toFixed(1)} (${own.checkout.cpu.toFixed(1)} CPU, ` +
    `${own.checkout.leaveCpu.toFixed(1)} of it in the leave handlers)`);
  console.log(`    longest main-thread task (traced, both pages and the leave steps): ${r.longestTaskMs.runningRekindle.toFixed(1)} ms running Rekindle's code ` +
    `(${r.longestTaskMs.runningRekindleCpu.toFixed(1)} ms CPU), any task ${r.longestTaskMs.any.toFixed(1)} ms (without Rekindle ${bare.longestTask.toFixed(1)} ms)`);
  console.log(`    trigger → beacon at the collector: page left ${r.triggerToBeaconMs.pagehide} ms, idle threshold passed ${r.triggerToBeaconMs.idle} ms`);
}
console.log(`\nJSON ${JSON.stringify(results)}`);
