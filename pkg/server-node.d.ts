// `rekindle/server/node`: Node-only pieces around the fetch-shape handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FetchHandler, RekindleStore, Runtime } from './server.js';

/** A SQLite file (created if missing). Needs the optional peer dependency better-sqlite3. */
export function sqliteStore(path: string): Promise<RekindleStore>;
/** A node:http listener; the client address is the socket's unless `trustProxy`. */
export function toNodeListener(handler: FetchHandler, options?: { env?: unknown; trustProxy?: boolean; log?(level: string, message: string, fields: object): void }): (req: IncomingMessage, res: ServerResponse) => void;
/** Tick every `everyMs` in a long-lived process; returns a function that stops it. */
export function startTicker(runtime: Runtime, options?: { everyMs?: number; log?(level: string, message: string, fields: object): void }): () => void;
/** Express-style `(req, res, next)` middleware, mounted at the app's root before any body parser (or after express.raw()). */
export function toExpressMiddleware(handler: FetchHandler, options?: { env?: unknown; trustProxy?: boolean; log?(level: string, message: string, fields: object): void }): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
/** AWS Lambda behind an API Gateway HTTP API or a function URL (payload format 2.0). */
export function toLambdaHandler(handler: FetchHandler, options?: { env?: unknown }): (event: {
  rawPath: string; rawQueryString?: string; headers?: Record<string, string>; cookies?: string[]; body?: string; isBase64Encoded?: boolean;
  requestContext: { domainName?: string; http: { method: string; sourceIp?: string } };
}) => Promise<{ statusCode: number; headers: Record<string, string>; cookies?: string[]; body: string; isBase64Encoded: boolean }>;
