// `rekindle/server/node`: Node-only pieces around the fetch-shape handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FetchHandler, RekindleStore, Runtime } from './server.js';

/** A SQLite file (created if missing). Needs the optional peer dependency better-sqlite3. */
export function sqliteStore(path: string): Promise<RekindleStore>;
/** A node:http listener; the client address is the socket's unless `trustProxy`. */
export function toNodeListener(handler: FetchHandler, options?: { env?: unknown; trustProxy?: boolean; log?(level: string, message: string, fields: object): void }): (req: IncomingMessage, res: ServerResponse) => void;
/** Tick every `everyMs` in a long-lived process; returns a function that stops it. */
export function startTicker(runtime: Runtime, options?: { everyMs?: number; log?(level: string, message: string, fields: object): void }): () => void;
