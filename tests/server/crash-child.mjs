// A Rekindle server process for the crash test: SQLite file and SendGrid URL from argv, a
// one-email playbook sent at once. Its clock is real time plus an offset the test moves forward
// (`POST /__advance-clock?ms=N`), so a lease expires when the test says, not when a loaded
// machine happens to take long enough. Prints its URL when ready.
import { createServer } from 'node:http';
import { SECRETS, SENDGRID_KEY, TEMPLATES, rekindle, server, serverNode } from './harness.mjs';

const [storePath, sendgridUrl, leaseMs] = process.argv.slice(2);
const policy = rekindle.defaultPolicy();
policy.version = 'crash-1';
policy.holdoutPercent = 0;
policy.experiments = [];
const email = policy.playbooks.find((p) => p.name === 'default').steps.find((s) => s.key === 'email-1');
policy.playbooks = [{ name: 'default', steps: [{ ...email, delayMinutes: 0 }] }];

let offsetMs = 0;
const handler = server.createHandler({
  now: () => Date.now() + offsetMs,
  store: await serverNode.sqliteStore(storePath),
  policy,
  secrets: SECRETS,
  transports: { email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: TEMPLATES, baseUrl: sendgridUrl }) },
  leaseMs: Number(leaseMs),
  publicUrl: 'https://rekindle.test',
});
const listener = serverNode.toNodeListener(handler);
const http = createServer((req, res) => {
  const advance = /^\/__advance-clock\?ms=(\d+)$/.exec(req.url);
  if (!advance || req.method !== 'POST') return listener(req, res);
  offsetMs += Number(advance[1]);
  res.writeHead(204).end();
});
http.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${http.address().port}`));
