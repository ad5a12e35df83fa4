// The server under benchmark, in its own process (pinned to one core by server.mjs): the
// built package's handler behind node:http, on SQLite or Redis. Prints its URL when ready.
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../pkg/dist/', import.meta.url);
const server = await import(new URL('server/index.js', dist));
const node = await import(new URL('server/node.js', dist));

const [kind, redisUrl] = process.argv.slice(2);
const store = kind === 'redis'
  ? await node.redisStore(redisUrl, { prefix: `bench${process.pid}:` })
  : await node.sqliteStore(join(mkdtempSync(join(tmpdir(), 'rekindle-bench-')), 'bench.db'));

const handler = server.createHandler({
  store,
  secrets: { salt: 'bench-salt', shopify: 'bench-shopify-secret', tick: 'bench-tick' },
  publicUrl: 'https://rekindle.bench',
  beacon: { allowedOrigins: ['https://shop.example'], perIp: { limit: 1e9, windowMs: 60_000 }, perShopper: { limit: 1e9, windowMs: 60_000 } },
});
const http = createServer(node.toNodeListener(handler, { trustProxy: true }));
http.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${http.address().port}`));
process.on('SIGTERM', () => http.close(async () => {
  await store.close();
  process.exit(0);
}));
