// The demo's entry point (scripts/demo.sh runs it).
//   node examples/demo/main.mjs               servers, the cast at --speed 600, serve until Ctrl-C
//   node examples/demo/main.mjs --scripted    the cast on a simulated clock; exit 0 only if every outcome happened
//   options: --speed N, --port N (Rekindle and dashboard; the shop takes the next one)

import { parseArgs } from 'node:util';
import { launchChromium } from './browser.mjs';
import { CAST, END, T0 } from './cast.mjs';
import { acceleratedClock, simulatedClock } from './clock.mjs';
import { checkOutcomes } from './outcomes.mjs';
import { printTimelines } from './print.mjs';
import { runCast } from './run.mjs';
import { startDemo } from './server.mjs';

const { values } = parseArgs({ options: { scripted: { type: 'boolean' }, speed: { type: 'string', default: '600' }, port: { type: 'string', default: '8787' } } });
const scripted = Boolean(values.scripted);
const speed = Number(values.speed);
const port = scripted ? 0 : Number(values.port);
const clock = scripted ? simulatedClock(T0) : acceleratedClock(T0, speed);
const demo = await startDemo({ clock, port, shopPort: port && port + 1, cast: CAST, idleSeconds: 20 });
const browser = await launchChromium(); // the shoppers' browsers
// Ctrl-C at any point stops what the demo started and removes its SQLite file.
let stopping = false;
process.once('SIGINT', async () => {
  stopping = true;
  await browser.close().catch(() => {});
  await demo.close();
  process.exit(130);
});

console.log(`Rekindle handler  ${demo.url}  (SQLite embedded store, outbox transport)`);
console.log(`dashboard         ${demo.url}/dashboard`);
console.log(`storefront        ${demo.shopUrl}/`);
if (!scripted) console.log(`clock             ${new Date(T0).toISOString()} at ×${speed}: 72 simulated hours take ${Math.round((END - T0) / speed / 1000)} s`);

let lastShown = -1;
const onProgress = ({ now, fraction }) => {
  const percent = Math.floor(fraction * 100);
  const step = scripted ? Math.floor(percent / 25) : percent; // a simulated run is over in seconds: quarters will do
  if (step === lastShown) return;
  lastShown = step;
  const f = demo.outbox.list().length;
  const bar = '#'.repeat(Math.floor(percent / 5)).padEnd(20, '.');
  const line = `[${bar}] ${String(percent).padStart(3)}%  simulated ${new Date(now).toISOString().slice(0, 16)}Z  messages in the outbox: ${f}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
  else console.log(line);
};

try {
  clock.run?.();
  await runCast({ demo, clock, browser, cast: CAST, start: T0, end: END, mode: scripted ? 'simulated' : 'live', onProgress });
  if (process.stdout.isTTY) process.stdout.write('\n');
  const snapshot = await demo.snapshot();
  printTimelines(snapshot, CAST);
  const outcomes = checkOutcomes(snapshot, CAST);
  // The simulated clock makes them certain; at a high --speed, real latency (seconds of a
  // browser going idle) can still let a message out before a fast shopper's order.
  console.log(scripted ? '\noutcomes:' : '\noutcomes (certain only with --scripted; at a high --speed real latency can reorder the fastest steps):');
  for (const o of outcomes) console.log(`  ${o.ok ? 'ok  ' : 'FAIL'} ${o.shopper}: ${o.expect}${o.ok ? '' : ` (${o.detail})`}`);
  const failed = outcomes.filter((o) => !o.ok).length;
  console.log(failed ? `\n${failed} expected outcome(s) did not happen` : `\nall ${outcomes.length} expected outcomes happened`);
  await browser.close();
  if (scripted) {
    await demo.close();
    process.exit(failed ? 1 : 0);
  }
  console.log(`\nstill serving: ${demo.url}/dashboard and ${demo.shopUrl}/ (Ctrl-C to stop)`);
} catch (error) {
  if (stopping) await new Promise(() => {}); // a step cut short by Ctrl-C: the handler above exits
  console.error(error);
  await browser.close();
  await demo.close();
  process.exit(2);
}
