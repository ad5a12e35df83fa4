// The server under benchmark, in its own process (pinned to one core by server.mjs and
// soak.mjs). Prints its URL when ready.
//
//   node benches/server-target.mjs sqlite|redis [redisUrl]   the built package's handler behind node:http
//   node benches/server-target.mjs baseline                  the same on SQLite, from REKINDLE_BENCH_DIST
//   node benches/server-target.mjs floor                     the floor: what any such server must do
//
// The floor is a bare node:http server that reads the same body, parses it (checking a
// webhook's HMAC first, as any signed endpoint must), and writes a 2 KB row and a due row in
// one SQLite transaction through better-sqlite3 with the store's own pragmas: the least a
// handler that commits before its 2xx can do. The handler's figures are read as ratios to it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SECRETS = { salt: 'bench-salt', shopify: 'bench-shopify-secret', tick: 'bench-tick' };
const [kind, redisUrl] = process.argv.slice(2);
const file = () => join(mkdtempSync(join(tmpdir(), 'rekindle-bench-')), 'bench.db');

const listener = kind === 'floor' ? await floor() : await handlerListener();
const http = createServer(listener.listen);
http.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${http.address().port}`));
process.on('SIGTERM', () => http.close(async () => {
  await listener.close();
  process.exit(0);
}));

async function handlerListener() {
  // REKINDLE_BENCH_DIST: another build's package (server.mjs --baseline), measured alike.
  const dist = process.env.REKINDLE_BENCH_DIST ? pathToFileURL(`${process.env.REKINDLE_BENCH_DIST}/`) : new URL('../pkg/dist/', import.meta.url);
  const server = await import(new URL('server/index.js', dist));
  const node = await import(new URL('server/node.js', dist));
  const store = kind === 'redis' ? await node.redisStore(redisUrl, { prefix: `bench${process.pid}:` }) : await node.sqliteStore(file());
  // Every limit out of the way: the benchmark sends from one address, and measures the work.
  const unlimited = { limit: 1e9, windowMs: 60_000 };
  const handler = server.createHandler({
    store,
    secrets: SECRETS,
    publicUrl: 'https://rekindle.bench',
    beacon: { allowedOrigins: ['https://shop.example'], perIp: unlimited, perShopper: unlimited, shoppersPerIp: unlimited, total: unlimited },
  });
  return { listen: node.toNodeListener(handler, { trustProxy: true }), close: () => store.close() };
}

async function floor() {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file());
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE contacts (id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL);
    CREATE TABLE due (action_id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX due_by_time ON due (at);`);
  const insert = db.prepare('INSERT INTO contacts (id, state, version) VALUES (?, ?, 1) ON CONFLICT (id) DO UPDATE SET state = excluded.state, version = version + 1');
  const schedule = db.prepare('INSERT INTO due (action_id, contact_id, at) VALUES (?, ?, ?) ON CONFLICT (action_id) DO UPDATE SET at = excluded.at');
  const commit = db.transaction((id, state, at) => {
    insert.run(id, state);
    schedule.run(`${id}:due`, id, at);
  });
  const padding = 'x'.repeat(2048);
  const reply = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const listen = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.url === '/webhooks/shopify') {
        const given = Buffer.from(req.headers['x-shopify-hmac-sha256'] ?? '', 'base64');
        const mac = createHmac('sha256', SECRETS.shopify).update(raw).digest();
        if (given.length !== mac.length || !timingSafeEqual(given, mac)) return reply(res, 401, { error: 'BAD_SIGNATURE' });
      }
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply(res, 400, { error: 'MALFORMED_JSON' });
      }
      const id = body.anonymousId ?? body.token;
      commit.immediate(String(id), JSON.stringify({ id, padding }), Date.now() + 3_600_000);
      return reply(res, req.url === '/beacon' ? 202 : 200, { applied: 1, unmatched: 0 });
    });
  };
  return { listen, close: () => db.close() };
}
