// `rekindle/server/node`: Node-only pieces around the fetch-shape handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FetchHandler, RekindleStore, Runtime } from './server.js';

/** A SQLite file (created if missing). Needs the optional peer dependency better-sqlite3. */
export function sqliteStore(path: string): Promise<RekindleStore>;
/** A Redis store on `url` (redis://...), its keys under `prefix` (default "rekindle:"). Needs the optional peer dependency ioredis. */
export function redisStore(url: string, options?: { prefix?: string }): Promise<RekindleStore>;
/**
 * A PostgreSQL store on `url` (postgres://user:password@host:5432/db), its tables in `schema`
 * (default "rekindle"; a plain lower-case identifier), created on first use, through a pool of at
 * most `max` connections (default 10). Needs the optional peer dependency postgres (postgres.js).
 * Instead of a URL, a postgres.js client configured by the caller (`max` is then ignored; keep its
 * default column transforms); the store ends it on `close()`.
 */
export function postgresStore(urlOrClient: string | PostgresJsClient, options?: { schema?: string; max?: number }): Promise<RekindleStore>;
/** A postgres.js `Sql` instance (`postgres(url, options)`), typed loosely so these types need no postgres install. */
export type PostgresJsClient = ((strings: TemplateStringsArray, ...values: any[]) => PromiseLike<any>) & { begin: (...args: any[]) => Promise<any>; end: (options?: { timeout?: number }) => Promise<void> };
/**
 * Which proxies in front are ours, for the client address rate limits count: false (default)
 * the socket's; `{ hops: n }` the X-Forwarded-For entry n places from the right (true = 1 hop);
 * `{ header }` a header the platform's edge overwrites (Fly-Client-IP). Anything else throws.
 */
export type TrustProxy = boolean | { hops: number } | { header: string };
/** A node:http listener; the client address is the socket's unless `trustProxy`. An unparseable Host is answered 400 INVALID_HOST. */
export function toNodeListener(handler: FetchHandler, options?: { env?: unknown; trustProxy?: TrustProxy; log?(level: string, message: string, fields: object): void }): (req: IncomingMessage, res: ServerResponse) => void;
/** Tick every `everyMs` (default 15000) in a long-lived process; returns `stop()`, whose promise settles once the tick in flight (if any) has finished: await it before closing the store. Each tick is recorded in the store (GET /health). Other platforms' schedulers: js-shim/server/README.md, "Scheduling, per platform". */
export function startTicker(runtime: Runtime, options?: { everyMs?: number; log?(level: string, message: string, fields: object): void }): () => Promise<void>;
/** Express-style `(req, res, next)` middleware, mounted at the app's root before any body parser (or after express.raw()). */
export function toExpressMiddleware(handler: FetchHandler, options?: { env?: unknown; trustProxy?: TrustProxy; log?(level: string, message: string, fields: object): void }): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
/** Payload format 2.0: API Gateway HTTP APIs and function URLs. */
export interface LambdaEventV2 {
  version?: '2.0'; rawPath: string; rawQueryString?: string; headers?: Record<string, string>; cookies?: string[]; body?: string; isBase64Encoded?: boolean;
  requestContext: { domainName?: string; http: { method: string; sourceIp?: string } };
}
/**
 * Payload format 1.0: API Gateway REST APIs (no `version`), HTTP APIs set to 1.0 (`version: '1.0'`),
 * and Application Load Balancer targets (`requestContext.elb`). API Gateway decodes the query
 * values; an ALB does not.
 */
export interface LambdaEventV1 {
  version?: '1.0'; httpMethod: string; path: string;
  headers?: Record<string, string> | null; multiValueHeaders?: Record<string, string[]> | null;
  queryStringParameters?: Record<string, string> | null; multiValueQueryStringParameters?: Record<string, string[]> | null;
  body?: string | null; isBase64Encoded?: boolean;
  requestContext?: { domainName?: string; identity?: { sourceIp?: string }; elb?: { targetGroupArn: string } };
}
export interface LambdaResultV2 { statusCode: number; headers: Record<string, string>; cookies?: string[]; body: string; isBase64Encoded: boolean }
/** `multiValueHeaders` carries every header, each Set-Cookie separately; absent only for an ALB without multi-value headers. */
export interface LambdaResultV1 { statusCode: number; headers: Record<string, string>; multiValueHeaders?: Record<string, string[]>; body: string; isBase64Encoded: boolean }
/** What ticks the function: an EventBridge rule's scheduled event, or an EventBridge Scheduler schedule given the input `{"rekindle":"tick"}`. */
export type LambdaScheduleEvent = { source: 'aws.events'; 'detail-type': 'Scheduled Event' } | { rekindle: 'tick' };
/**
 * AWS Lambda behind an API Gateway HTTP API or function URL (payload 2.0), a REST API or an ALB
 * (payload 1.0); each event is answered in its own format. A schedule event runs one tick
 * (due sends, then dispatch), recorded for GET /health.
 */
export function toLambdaHandler(handler: FetchHandler, options?: { env?: unknown }): {
  (event: LambdaScheduleEvent): Promise<{ due: number; sent: number; failed: number; retrying: number }>;
  (event: LambdaEventV2): Promise<LambdaResultV2>;
  (event: LambdaEventV1): Promise<LambdaResultV1>;
};
