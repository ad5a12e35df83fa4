// One handler process of benches/postgres.mjs: the built package's handler behind node:http on
// the shared Postgres database, sending through the signed webhook transport to the parent's
// counting receiver. Its clock is the benchmark's simulated one: the parent moves it over IPC
// ({ offsetMs }), then asks it to tick until it finds nothing due and nothing to send.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const dist = new URL('../pkg/dist/', import.meta.url);
const server = await import(new URL('server/index.js', dist));
const node = await import(new URL('server/node.js', dist));
const rekindle = await import(new URL('node.js', dist));
await rekindle.init();

const [pgUrl, schema, receiverUrl, base, poolSize] = process.argv.slice(2);
let offsetMs = 0;
const now = () => Number(base) + offsetMs;
let decisions = 0;

// The default playbook cut to its first email and SMS, no holdout or experiment: every journey
// owes exactly two sends, so the parent knows what "nothing lost" means.
const policy = rekindle.defaultPolicy();
const steps = policy.playbooks.find((p) => p.name === 'default').steps.filter((s) => s.key === 'email-1' || s.key === 'sms-1');
const benchPolicy = { ...policy, version: 'bench-1', holdoutPercent: 0, experiments: [], playbooks: [{ name: 'default', steps }] };

const store = await node.postgresStore(pgUrl, { schema, max: Number(poolSize) });
const transport = server.webhookTransport({ url: receiverUrl, secret: 'bench-webhook-secret' });
const handler = server.createHandler({
  store,
  policy: benchPolicy,
  secrets: { salt: 'bench-salt', shopify: 'bench-shopify-secret', tick: 'bench-tick' },
  transports: { email: transport, sms: transport },
  publicUrl: 'https://rekindle.bench',
  beacon: false,
  now,
  onDecision: () => { decisions += 1; },
});
const runtime = await handler.runtime();
const http = createServer(node.toNodeListener(handler));
http.listen(0, '127.0.0.1', () => process.send({ ready: `http://127.0.0.1:${http.address().port}` }));

process.on('message', async (message) => {
  if (message.offsetMs !== undefined) offsetMs = message.offsetMs;
  if (message.drain) {
    const latencies = [];
    const totals = { due: 0, sent: 0, failed: 0, retrying: 0 };
    const decisionsBefore = decisions;
    const started = performance.now();
    for (;;) {
      const t0 = performance.now();
      const r = await runtime.tick();
      latencies.push(performance.now() - t0);
      for (const k of Object.keys(totals)) totals[k] += r[k];
      if (r.due === 0 && r.sent === 0 && r.failed === 0 && r.retrying === 0) break;
    }
    process.send({ drained: { ...totals, decisions: decisions - decisionsBefore, latencies, ms: performance.now() - started } });
  }
  if (message.stop) {
    http.close();
    await store.close();
    process.exit(0);
  }
});
