// `rekindle/server/node`: what only Node has. The adapter from the fetch-shape handler to
// node:http, the SQLite store (better-sqlite3, an optional peer dependency loaded on use),
// the Redis store (ioredis, likewise), the PostgreSQL store (postgres.js, likewise), and a
// timer that ticks the runtime in a long-lived process.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { checkTrustProxy, forwardedAddress } from './client-address.js';
import { sqliteStore as createSqliteStore } from './stores/sqlite.js';
import { redisStore as createRedisStore } from './stores/redis.js';
import { postgresStore as createPostgresStore } from './stores/postgres.js';

export { toExpressMiddleware } from './express.js';
export { toLambdaHandler } from './lambda.js';

/**
 * The policy simulator for the console's playbook preview (operator.js `simulate`), through the
 * native `rekindle simulate` binary: the simulator is native only (src/simulate), so only a Node
 * host that ships the binary can offer it. Both playbooks meet the same synthetic shoppers
 * (common random numbers), beside the default one; answers the simulator's JSON per world.
 */
export function cliSimulator({ binary, shoppers = 2000, worlds = ['vendor'], seed = 2021, timeoutMs = 120_000 }) {
  return async (live, candidate) => {
    const dir = await mkdtemp(join(tmpdir(), 'rekindle-simulate-'));
    try {
      const files = { live: join(dir, 'live.json'), candidate: join(dir, 'candidate.json'), out: join(dir, 'out.json') };
      await writeFile(files.live, JSON.stringify(live));
      await writeFile(files.candidate, JSON.stringify(candidate));
      const args = ['simulate', '--policy', `live=${files.live}`, '--policy', `candidate=${files.candidate}`,
        '--shoppers', String(shoppers), '--seed', String(seed), '--json', files.out, '--quiet', ...worlds.flatMap((w) => ['--world', w])];
      await new Promise((resolve, reject) => execFile(binary, args, { timeout: timeoutMs }, (error) => (error ? reject(error) : resolve())));
      return { shoppers, worlds, results: JSON.parse(await readFile(files.out, 'utf8')) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

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
 * A node:http request listener running `handler`. The client address (for rate limits) is
 * the socket's, whatever forwarding headers the client sent, unless `trustProxy` says which
 * proxies in front are ours (client-address.js: `{ hops: n }`, `{ header: name }`).
 * Rekindle's own handler is served without a Request or a Response (`handler.serve`: its
 * reply is written straight to the socket); any other fetch-shape handler gets both.
 */
export function toNodeListener(handler, { env = {}, trustProxy = false, log } = {}) {
  const trust = checkTrustProxy(trustProxy);
  // `rawBody`: the bytes, when middleware before us already read the stream (express.js).
  return async (req, res, rawBody) => {
    try {
      const url = requestUrl(req);
      if (!url) {
        // RFC 9110 7.2: a request with an invalid Host is answered 400.
        res.writeHead(400, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: { code: 'INVALID_HOST', message: 'the Host header is not a host', path: '$.headers.host' } }));
        return;
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const body = hasBody ? (rawBody ?? (await bodyOf(req))) : undefined;
      if (handler.serve) {
        const headers = new NodeHeaders(req);
        const ctx = { waitUntil: () => {}, clientAddress: forwardedAddress(trust, headers, req.socket.remoteAddress) };
        const answer = await handler.serve({ method: req.method, url: url.href, headers, body: body ?? null }, env, ctx);
        // A plain reply, or a Response (the console's pages): by shape, so that serving a
        // request never loads Node's fetch implementation (undici) for the Response global.
        if (typeof answer.arrayBuffer !== 'function') {
          const head = { ...answer.headers };
          if (hasBody && !req.readableEnded) head.connection = 'close';
          res.writeHead(answer.status, head);
          res.end(answer.body ?? undefined);
          return;
        }
        await writeResponse(req, res, answer, hasBody);
        return;
      }
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      const request = new Request(url, { method: req.method, headers, body, duplex: 'half' });
      const ctx = {
        waitUntil: () => {}, // the process lives on: background work just runs
        clientAddress: forwardedAddress(trust, headers, req.socket.remoteAddress),
      };
      await writeResponse(req, res, await handler(request, env, ctx), hasBody);
    } catch (error) {
      log?.('error', 'node adapter failed', { error: String(error?.message ?? error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } }));
    }
  };
}

async function writeResponse(req, res, response, hasBody) {
  const head = Object.fromEntries(response.headers);
  // Headers iterate each Set-Cookie apart; fromEntries would keep only the last (the console sets two).
  const cookies = response.headers.getSetCookie();
  if (cookies.length) head['set-cookie'] = cookies;
  // Refused before the body was read (413, 401): close rather than read the rest.
  if (hasBody && !req.readableEnded) head.connection = 'close';
  res.writeHead(response.status, head);
  res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
}

/**
 * What a handler reads of a Request's Headers (`get`, `has`), from Node's own parse of the
 * request: a header sent more than once reads as its values joined by ", ", as Headers does
 * (`headersDistinct`: Node's `headers` would keep only the first of some).
 */
class NodeHeaders {
  #all;

  constructor(req) {
    this.#all = req.headersDistinct;
  }

  get(name) {
    const values = this.#all[name.toLowerCase()];
    return values === undefined ? null : values.join(', ');
  }

  has(name) {
    return this.#all[name.toLowerCase()] !== undefined;
  }
}

// A small body with a declared length is read here, whole, and handed over as bytes: a web
// stream over the socket costs ~80 µs a request more (of a beacon's ~1.5 ms, issue 20). A
// larger or unannounced one streams, so the handler's size limits refuse it before it is
// buffered.
const PREREAD_BYTES = 64 * 1024;

function bodyOf(req) {
  const declared = Number(req.headers['content-length']);
  if (!(declared <= PREREAD_BYTES)) return Readable.toWeb(req);
  // Events, not `for await`: a stream's async iterator costs a promise per chunk and its
  // end-of-stream listeners per request (issue 20).
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.readableEnded) reject(Object.assign(new Error('the request was aborted before its body ended'), { code: 'ECONNRESET' }));
    });
  });
}

/** The request's URL, or null when its Host (or target) does not parse: the client's fault, not ours. */
function requestUrl(req) {
  try {
    return new URL(req.url, `http://${req.headers.host ?? '127.0.0.1'}`);
  } catch {
    return null;
  }
}

/**
 * Tick every `everyMs` (due sends, then dispatch). Returns `stop()`: no tick starts after it,
 * and its promise settles once the tick in flight (if any) has finished, so a shutdown can
 * wait for it before closing the store (a store closed mid-send leaves a message the provider
 * accepted unrecorded, and it is sent again once its lease expires).
 */
export function startTicker(runtime, { everyMs = 15_000, log } = {}) {
  const tickOnce = async () => {
    try {
      await runtime.tick();
    } catch (error) {
      log?.('error', 'tick failed', { error: String(error?.message ?? error) });
    }
  };
  let running = null; // the tick in flight
  const timer = setInterval(() => {
    if (running) return; // never overlap with ourselves; other processes are fine (leases)
    const current = tickOnce();
    running = current;
    current.then(() => {
      if (running === current) running = null;
    });
  }, everyMs);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    return running ?? Promise.resolve();
  };
}
