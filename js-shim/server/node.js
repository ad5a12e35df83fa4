// `rekindle/server/node`: what only Node has. The adapter from the fetch-shape handler to
// node:http, the SQLite store (better-sqlite3, an optional peer dependency loaded on use),
// the Redis store (ioredis, likewise), the PostgreSQL store (postgres.js, likewise), and a
// timer that ticks the runtime in a long-lived process.
import { Readable } from 'node:stream';
import { sqliteStore as createSqliteStore } from './stores/sqlite.js';
import { redisStore as createRedisStore } from './stores/redis.js';
import { postgresStore as createPostgresStore } from './stores/postgres.js';

export { toExpressMiddleware } from './express.js';
export { toLambdaHandler } from './lambda.js';

/** Open (or create) the SQLite file at `path`. */
export async function sqliteStore(path) {
  const { default: Database } = await import('better-sqlite3');
  return createSqliteStore(Database, path);
}

/** A Redis store on `url` (e.g. redis://127.0.0.1:6379). Needs the optional peer dependency ioredis. */
export async function redisStore(url, { prefix } = {}) {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  return createRedisStore(redis, { prefix });
}

/**
 * A PostgreSQL store on `url` (e.g. postgres://user:password@127.0.0.1:5432/shop), its tables in
 * `schema` (default "rekindle"), through a pool of at most `max` connections (default 10).
 * Needs the optional peer dependency postgres (postgres.js). Instead of a URL, a postgres.js
 * client the caller configured (TLS, `prepare: false` behind PgBouncer): the store ends it on close.
 */
export async function postgresStore(urlOrClient, { schema, max = 10 } = {}) {
  if (typeof urlOrClient === 'function') return createPostgresStore(urlOrClient, { schema });
  const { default: postgres } = await import('postgres');
  // onnotice: CREATE ... IF NOT EXISTS answers with a notice, which postgres.js would print.
  const sql = postgres(urlOrClient, { max, onnotice: () => {} });
  try {
    return await createPostgresStore(sql, { schema });
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
}

/**
 * A node:http request listener running `handler`. Unless `trustProxy`, the client address
 * is the socket's, whatever forwarding headers the client sent.
 */
export function toNodeListener(handler, { env = {}, trustProxy = false, log } = {}) {
  // `rawBody`: the bytes, when middleware before us already read the stream (express.js).
  return async (req, res, rawBody) => {
    try {
      const url = new URL(req.url, `http://${req.headers.host ?? '127.0.0.1'}`);
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      if (!trustProxy) {
        headers.delete('cf-connecting-ip');
        headers.delete('x-real-ip');
        headers.set('x-forwarded-for', req.socket.remoteAddress ?? 'unknown');
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(url, { method: req.method, headers, body: hasBody ? (rawBody ?? Readable.toWeb(req)) : undefined, duplex: 'half' });
      const ctx = { waitUntil: () => {} }; // the process lives on: background work just runs
      const response = await handler(request, env, ctx);
      const head = Object.fromEntries(response.headers);
      // Refused before the body was read (413, 401): close rather than read the rest.
      if (hasBody && !req.readableEnded) head.connection = 'close';
      res.writeHead(response.status, head);
      res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
    } catch (error) {
      log?.('error', 'node adapter failed', { error: String(error?.message ?? error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } }));
    }
  };
}

/** Tick every `everyMs` (due sends, then dispatch); returns a function that stops it. */
export function startTicker(runtime, { everyMs = 15_000, log } = {}) {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return; // never overlap with ourselves; other processes are fine (leases)
    running = true;
    try {
      await runtime.tick();
    } catch (error) {
      log?.('error', 'tick failed', { error: String(error?.message ?? error) });
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
