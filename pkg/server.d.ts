// `rekindle/server`: the fetch-shape handler and what it runs on. Same file in every runtime.
import type { Action, Channel, Decision, Ingested, Message, Policy, RekindleEvent, SentMessages } from './index.js';

/** What one request gives the runtime to do, as `src/ingest` produced it. */
export interface Routed { lookup: string[]; contactId?: string; links: string[]; events: object[] }

/** One of our sends, as the ledger found it by its provider's message id. */
export interface SentMessage { contactId: string; actionId: string }

/** A dispatch intent as a dispatcher holds it. */
export interface ClaimedIntent { id: string; contactId: string; action: Action; attempts: number }

/** One atomic store change: the state's compare-and-set and everything that goes with it. */
export interface StoreChange {
  /** The version read (0: the contact must not exist yet). */
  expected: number;
  state: string;
  schedule: { id: string; at: number }[];
  unschedule: string[];
  /** Remove this due entry only if it still has this time (a tick's own entry). */
  settle: { id: string; at: number } | null;
  /** Queued once per action id, ever: the ledger's key. */
  intents: { id: string; action: Action }[];
  /** Index keys pointing at this contact; the first claim on a key wins. */
  links: string[];
  /** Drop the contact's due entries, links and queued messages (the state becomes the tombstone). */
  erase: boolean;
  /**
   * A contact idle past retention: before this change's own entries land, drop what `erase`
   * drops (due entries, links, queued messages, ledger details), so an event that finds the
   * contact past retention starts afresh. Optional for stores written before it (then false).
   */
  purge?: boolean;
  /** Delete the contact whole: its state row, due entries, links and intents, no tombstone (an anonymous visitor the engine forgot). */
  forget: boolean;
  /** Lines for the outcome log, appended in order only if the commit wins; kept through erasure (no personal data). */
  outcomes?: { journey: string; line: string }[];
  /** Lines for the contact's timeline (`timeline:<contactId>`), appended only if the commit wins; erase, purge and forget drop the timeline (it quotes messages). */
  timeline?: string[];
}

export interface DueSummary {
  due: number | null;
  oldestDueAt: number | null;
  lastTickAt: number | null;
  /** 'alarms': each contact's Durable Object alarm is its scheduler; absent means ticks. */
  scheduler?: 'alarms';
}

export interface LedgerEntry { status: 'pending' | 'sent' | 'failed' | 'unknown' | 'cancelled'; attempts: number; providerId: string | null; detail: string | null }

/** Every backend (memory, SQLite, Postgres, Redis, Durable Objects) honours this contract; times are epoch ms. */
export interface RekindleStore {
  load(contactId: string): Promise<{ state: string; version: number } | null>;
  /** False, and nothing written, if the version moved since it was read. */
  commit(contactId: string, change: StoreChange): Promise<boolean>;
  /** The contact the first resolvable key leads to. */
  resolve(keys: string[]): Promise<string | null>;
  /** Up to `limit` entries with `at <= now`, earliest first (a look only: /health, tools, tests). */
  dueBefore(now: number, limit: number): Promise<{ id: string; contactId: string; at: number }[]>;
  /**
   * What a tick takes: up to `limit` entries with `at <= now` that no live lease holds, earliest
   * first, each leased to `owner` until `now + leaseMs` in one atomic step, so tickers running at
   * once never take the same entry. Settling the entry (a commit's `settle`) removes it; one
   * left unsettled is free again when its lease runs out; one moved to another time is free at
   * once. Durable Objects: each object's due index is one contact's own, ticked by its alarm, so
   * this is its `dueBefore` (no lease).
   */
  claimDue(now: number, limit: number, owner: string, leaseMs: number): Promise<{ id: string; contactId: string; at: number }[]>;
  claimable(now: number, limit: number): Promise<string[]>;
  /** Exclusive until `now + leaseMs`; null if another dispatcher holds it or it is finished. */
  claim(id: string, owner: string, now: number, leaseMs: number): Promise<ClaimedIntent | null>;
  /**
   * Record the outcome; false if `owner` no longer holds the lease. Drops the message payload.
   * With both `provider` (the transport's name) and `providerId`, the send is found again by them
   * (`providerMessage`) until the contact is erased.
   */
  finish(id: string, owner: string, outcome: { status: 'sent' | 'failed' | 'unknown' | 'refused'; provider?: string | null; providerId?: string | null; detail?: string | null }): Promise<boolean>;
  /** The send a provider's message id was given to (a callback without Rekindle's ids), or null: never, or erased. */
  providerMessage(provider: string, providerId: string): Promise<SentMessage | null>;
  retryLater(id: string, owner: string, nextAt: number): Promise<boolean>;
  ledger(id: string): Promise<LedgerEntry | null>;
  /**
   * GET /health: how many due entries have `at <= now`, the oldest such `at`, and the latest time
   * `recordTick` was given. Read as of one moment. A store without a global due index (Durable
   * Objects) answers nulls and `scheduler: 'alarms'`.
   */
  dueSummary(now: number): Promise<DueSummary>;
  /** A tick finished at `at`: kept if later than the one recorded (several hosts may tick). Survives `eraseAll` (no personal data). */
  recordTick(at: number): Promise<void>;
  /**
   * A counter that spans contacts, in fixed windows: true (and counted) if `key` was taken fewer
   * than `max` times in its current window; a window starts at the first take after the last one
   * ended and lasts `windowMs`. Atomic across processes. Ended windows may be deleted.
   */
  take(key: string, max: number, windowMs: number, now: number): Promise<boolean>;
  /** The outcome log as of one moment: its lines in order, the roll-ups' JSON, the last line's sequence number and the roll-ups' version. */
  readOutcomes?(): Promise<{ lines: string[]; rollups: string | null; upTo: number; version: number }>;
  /**
   * Replace the roll-ups if their version is still `version`, dropping the lines (up to `upTo`) of `journeys`. False if another roll-up won.
   * The message index drops those lines too, except each send's `sent` line, kept until `forgetBefore` (ms) and then dropped.
   */
  rollUpOutcomes?(rolled: { upTo: number; version: number; journeys: string[]; rollups: string; forgetBefore?: number | null }): Promise<boolean>;
  /**
   * The message index: the log lines that name the send `actionId` (its `sent` line, then what the provider reported), in log order,
   * kept with the log (a rolled-up send keeps only its `sent` line, until the retention horizon). `GET /report/messages/<id>` reads
   * this instead of the whole log; a store without it is read whole.
   */
  readMessage?(actionId: string): Promise<string[]>;
  /**
   * Append `lines` to the named log (the console's `audit` log, the playbook's `policies`), only
   * if it holds `expected` lines when given (compare-and-set); false if it did not.
   */
  appendLog(name: string, lines: string[], expected?: number | null): Promise<boolean>;
  /** The named log's last `limit` lines (default: all), oldest first, and how many it holds. `timeline:<contactId>` reads a contact's timeline. */
  readLog(name: string, limit?: number): Promise<{ lines: string[]; count: number }>;
  /** Optional, for tests and benchmarks: rows (or keys) held, by kind. Memory, SQLite and Redis have it. */
  size?(): Promise<Record<string, number>>;
  /** Shopify `shop/redact`: everything goes. */
  eraseAll(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Durable Objects store (`rekindle/server/cloudflare`): the contract, plus one contact's view
 * of the due index (each contact's object has its own, read by its alarm).
 */
export interface DurableObjectStore extends RekindleStore {
  forContact(contactId: string): {
    dueBefore(now: number, limit: number): Promise<{ id: string; contactId: string; at: number }[]>;
    /** The same entries as `dueBefore`, not leased: this contact's alarm is their ticker. */
    claimDue(now: number, limit: number, owner: string, leaseMs: number): Promise<{ id: string; contactId: string; at: number }[]>;
    claimable(now: number, limit: number): Promise<string[]>;
    /** This contact's backlog (`lastTickAt` is null: alarms record no tick). */
    dueSummary(now: number): Promise<DueSummary>;
    /** What the contact's alarm runs: its due events through the engine, then its sends. */
    tick(): Promise<{ due: number; sent: number; failed: number; retrying: number; unknown?: number }>;
  };
}

export type SendOutcome =
  | { ok: true; providerId?: string | null }
  /** `unknown`: the provider may have acted before the answer was lost (a timeout or reset after connecting, a 500/502/504). */
  | { ok: false; permanent: boolean; unknown?: boolean; code: string; detail?: string; retryAfterMs?: number };

export interface Transport {
  name: string;
  /** The provider dedupes a repeated send of one action id: one retry after an unknown outcome is harmless. */
  idempotent?: boolean;
  /** One attempt; the runtime retries transient failures, and settles unknown outcomes (`idempotent`, `reconcile`). */
  send(action: Action, context: { contactId: string; statusCallback?: string; since?: number }): Promise<SendOutcome>;
  /**
   * After an unknown outcome: look the message up in the provider's own records (Twilio's
   * message list by recipient and date sent, Postmark's outbound search by metadata). `since`:
   * epoch ms, a little before the send began.
   */
  reconcile?(action: Action, context: { contactId: string; since: number }): Promise<{ ok: true; found: boolean; providerId?: string | null } | { ok: false; code?: string }>;
  /**
   * Erasure: put these addresses on the provider's suppression list (SendGrid, Postmark), or
   * delete the profiles they identify (Klaviyo); Twilio has no such API. `channel` says what
   * the addresses are (email addresses or phone numbers).
   */
  suppress?(addresses: string[], context?: { channel: 'email' | 'sms' }): Promise<SendOutcome>;
}

export interface ServerOptions {
  store: RekindleStore;
  policy?: Policy | string;
  secrets: {
    /** Keys every pseudonymous contact id and index key: keep it stable and secret. */
    salt: string;
    /** The Shopify app's client secret. */
    shopify?: string;
    twilioAuthToken?: string;
    /** The SendGrid event webhook's verification key (base64 SPKI). */
    sendgridPublicKey?: string;
    /** Keys the signatures of links in messages (default: the salt). */
    links?: string;
    /** Bearer secret of POST /tick. */
    tick?: string;
    /** Bearer secret of GET /report. */
    reports?: string;
    /** Bearer secret of the operator API under /api/operator/ (the console's JSON API). */
    operator?: string;
    /** Signs the console's session cookies and CSRF tokens (HMAC-SHA256): required with `console`, at least 32 characters. */
    console?: string;
    /** POST /webhooks/postmark: the basic-auth `user:password` and/or a custom header set on the Postmark webhook. */
    postmarkWebhook?: { basicAuth?: string; header?: { name: string; value: string } };
  };
  transports?: { sms?: Transport; email?: Transport };
  /**
   * The public origin (scheme, host, port; no path) Rekindle is reached on. The one setting every
   * link is built on: /r/, /u/, /p/ links, List-Unsubscribe and Twilio's StatusCallback are
   * `publicUrl + basePath + route`; the policy's `publicBaseUrl` is replaced by it. Twilio's
   * signatures are checked over it. Required; https and not loopback unless `development`.
   */
  publicUrl: string;
  /** Where Rekindle's routes live when the app owns `/`, e.g. '/api/rekindle' (default: none). */
  basePath?: string;
  /** A local setup: allows a loopback `publicUrl` (http://127.0.0.1:8787). Never in production. */
  development?: boolean;
  /** GET /health answers 503 when a due send has waited longer than this (default 300000: 5 minutes). */
  health?: { maxOverdueMs?: number };
  /** Hosts recovery links may redirect to (the shop's domains); default: the hosts of `beacon.allowedOrigins`. */
  shopDomains?: string[];
  /** `false`: no storefront beacons (POST /beacon is 404, no CORS warning). */
  beacon?: false | {
    /** Storefront origins allowed to POST beacons; empty: every browser's beacon fails CORS (a warning is logged at start-up). */
    allowedOrigins?: string[];
    maxBytes?: number;
    /** Beacons per client address (checked before the body is read). */
    perIp?: { limit: number; windowMs: number };
    /** How many distinct shoppers one client address may create (default 20 a minute): bounds the state one address causes. */
    shoppersPerIp?: { limit: number; windowMs: number };
    /** Per browser-chosen anonymous id: a courtesy, not a defence (a new id walks around it). */
    perShopper?: { limit: number; windowMs: number };
    /** Every beacon together, per process (default 600 a minute): a flood gets 429s. */
    total?: { limit: number; windowMs: number };
  };
  /** Signed webhooks with a timestamp (SendGrid) older or newer than this are refused as replays (default 300000: 5 minutes). */
  webhooks?: { maxAgeMs?: number };
  /**
   * The client address rate limits count, where no adapter passes `ctx.clientAddress` and the
   * platform has no header of its own (Deno: `info.remoteAddr.hostname`). Without any trusted
   * source every request counts as one address.
   */
  clientAddress?(request: Request, env: unknown): string | undefined;
  /** A budget ran out (the shop's confirmation texts): sends are refused until its window ends. */
  onAlert?(alert: { code: 'BUDGET_EXHAUSTED'; limit: string; max: number; windowHours: number; at: number }): void | Promise<void>;
  /** The operator console under `<basePath>/console/` (needs `secrets.console`); without it there are no console routes. */
  console?: OperatorConsole;
  maxBodyBytes?: number;
  leaseMs?: number;
  /**
   * Due entries one tick hands to the engine, at most (default 100): every contact's expiry and
   * retention runs from the scheduler too, so a backlog is worked off in bounded runs. A whole
   * number from 1; anything else is refused with `INVALID_OPTION` at `tickBatch`.
   */
  tickBatch?: number;
  /**
   * Whether this handler's ticks fold settled journeys into the daily roll-ups, once an hour
   * (default true). false where another handler over the same store does it: on Vercel Edge,
   * whose function leaves the report's module out, the project's Node.js function does
   * (examples/vercel-edge).
   */
  rollUp?: boolean;
  retry?: { inlineAttempts: number; maxClaims: number; baseMs: number; capMs: number; laterBaseMs: number; laterCapMs: number };
  /** Shopify `customers/data_request`: deliver the contacts' stored state to the merchant. */
  onDataRequest?(request: { requestId: string; contacts: { contactId: string; state: string | null }[] }): void | Promise<void>;
  log?(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
  /** Every committed decision with the event that caused it (a journal, a timeline view). */
  onDecision?(entry: { contactId: string; event: RekindleEvent; decision: Decision; at: number }): void;
  /**
   * Mint the discount code a message prints, before that message goes: called at dispatch for
   * every send whose data carries an offer (so more than once per code: it must be idempotent;
   * the code is the engine's, from `couponRequestId`). `context.to` is the address the message
   * goes to. A throw holds the message back: retried at a later tick unless the error says
   * `permanent: true`, with `retryAfterMs` honoured. Shopify's: `shopifyCoupons` (rekindle/server/shopify).
   */
  onCouponRequest?(action: Extract<Action, { type: 'requestCoupon' }>, context: { contactId: string; channel: 'email' | 'sms'; to: string }): unknown | Promise<unknown>;
  /**
   * A consent change the shopper made through Rekindle (STOP, START or YES, an unsubscribe link,
   * the preference centre, a carrier block): write it back to the platform. Queued with the
   * decision and dispatched like a send: a throw is retried at a later tick unless it says
   * `permanent: true` (then logged and alerted, `CONSENT_WRITE_BACK_FAILED`), with `retryAfterMs`
   * honoured. Changes the platform reported are never passed here. Shopify's: `shopifyConsentSync`.
   */
  onConsentChange?(action: Extract<Action, { type: 'reportConsent' }>, context: { contactId: string }): unknown | Promise<unknown>;
  /**
   * Where a recovery link goes when its journey offered a code: `(recoveryUrl, code) => url`.
   * Default, where `secrets.shopify` is set (the carts come from Shopify): Shopify's discount
   * link, `https://<shop>/discount/<code>?redirect=<path>`; otherwise, or with `false`, the
   * shopper goes to the recovery URL as it is.
   */
  discountLink?: false | ((recoveryUrl: string, code: string) => string);
  now?(): number;
}

export interface Runtime {
  /** Due sends through the engine, then dispatch; records the tick in the store (GET /health reads it). */
  tick(): Promise<{ due: number; sent: number; failed: number; retrying: number; unknown?: number }>;
  dispatchPending(): Promise<{ sent: number; failed: number; retrying: number }>;
  /**
   * A provider webhook's ingest, `(sent) => rekindle.ingest.<provider>(…, sent)`: the provider
   * message ids it wants are found in the ledger, then it runs again; what it routed is applied.
   */
  ingestMatching(ingestWith: (sent?: SentMessages) => Ingested): Promise<{ applied: number; unmatched: number }>;
}

export type FetchHandler = ((request: Request, env?: unknown, ctx?: { waitUntil?(promise: Promise<unknown>): void; clientAddress?: string }) => Promise<Response>) & {
  runtime(env?: unknown): Promise<Runtime>;
  /** Whether `pathname` is one of Rekindle's routes (under `basePath`). With options as a function, only after the first request or `runtime()`. */
  owns(pathname: string): boolean;
  /**
   * The same handling for an adapter with no Request to give (`toNodeListener` uses it): the
   * request as what the routes read of it, the answer a plain reply, or a Response from the
   * console's pages. Saves building a Request and a Response per call.
   */
  serve(request: ServedRequest, env?: unknown, ctx?: { waitUntil?(promise: Promise<unknown>): void; clientAddress?: string }): Promise<ServedReply | Response>;
};

/** What `FetchHandler.serve` reads of a request: `url` absolute, `body` bytes already read or a stream. */
export interface ServedRequest {
  method: string;
  url: string;
  headers: { get(name: string): string | null; has(name: string): boolean };
  body: Uint8Array | ReadableStream<Uint8Array> | null;
}

/** `FetchHandler.serve`'s answer: header names lower-case. */
export interface ServedReply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
}

/**
 * A refused start-up setting: `code` (MISSING_PUBLIC_URL, INVALID_PUBLIC_URL, UNSAFE_PUBLIC_URL,
 * INVALID_BASE_PATH, INVALID_OPTION, MISSING_SECRET) and `path`, the option's name.
 */
export class RekindleConfigError extends Error {
  readonly name: 'RekindleConfigError';
  readonly code: string;
  readonly path: string;
}

/**
 * Options, or (Workers) a function of `env` giving them, called once per isolate. Options given
 * as an object are checked at once (a RekindleConfigError is thrown); a function's on the first
 * request or `runtime()` call, which rejects with it.
 */
/** The console's options, checked when `operatorConsole` is called (RekindleConfigError with the option's path). */
export interface ConsoleOptions {
  /** Who may sign in. `passwordHash` is what `hashPassword` returns, never a password. */
  users: { name: string; role: 'viewer' | 'operator'; passwordHash: string }[];
  /** The merchant's IANA time zone: every time the console shows is in it. */
  timeZone: string;
  /** ISO 4217, default 'USD'. */
  currency?: string;
  /** BCP 47, default 'en-US'. */
  locale?: string;
  /** Session lifetime, default 8 hours (a minute to seven days). */
  sessionTtlMs?: number;
  /** Failed sign-ins allowed per window: default 5 per name and 20 per client address per 15 minutes. */
  signIn?: { perName?: { limit: number; windowMs: number }; perAddress?: { limit: number; windowMs: number } };
  /**
   * Inside the Shopify admin: Shopify's session token (App Bridge's `id_token`, or `Authorization:
   * Bearer`) authenticates instead of the password, verified with `secrets.shopify` (the app's
   * secret): `aud` must be `apiKey` and `dest` the `shop`. Staff so signed in get `role` (default 'viewer').
   */
  shopify?: { apiKey: string; shop: string; role?: 'viewer' | 'operator' };
}
/** Opaque: hand it to `createHandler({ console })`. */
export interface OperatorConsole { readonly checkSecrets: unknown; readonly mount: unknown }
export function operatorConsole(options: ConsoleOptions): OperatorConsole;
/** `pbkdf2-sha256$<iterations>$<salt>$<hash>` (PBKDF2-SHA256, a random 16-byte salt); default 100,000 iterations, the most Cloudflare Workers accept. */
export function hashPassword(password: string, options?: { iterations?: number }): Promise<string>;

export function createHandler(options: ServerOptions | ((env: any) => ServerOptions | Promise<ServerOptions>)): FetchHandler;
export function memoryStore(): RekindleStore;
export function twilioTransport(o: { accountSid: string; authToken: string; messagingServiceSid: string; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** Sends Rekindle's rendered email; a step whose template is mapped in `templates` goes through that dynamic template instead. */
export function sendgridTransport(o: { apiKey: string; from: { email: string; name?: string }; templates?: Record<string, string>; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** The local development outbox: keeps each dispatched message (the engine's rendered email, or `render`'s HTML when the audit withheld it; SMS text and segments). */
export function outboxTransport(o?: { render?(message: Message): string; now?(): number }): Transport & { list(): OutboxMessage[] };
export interface OutboxMessage {
  id: string; contactId: string; to: string; at: number; channel: Channel; kind: 'send' | 'reply';
  journeyId?: string; template?: string; angle?: string; variant?: string;
  /** SMS and replies. */ text?: string; encoding?: 'gsm7' | 'ucs2'; segments?: number;
  /** Email. */ data?: Message['data']; headers?: Message['headers']; html?: string; subject?: string | null; copy?: string;
}
export function verifyShopify(secret: string, rawBody: Uint8Array | string, header: string | null): Promise<boolean>;
export function verifyTwilio(authToken: string, url: string, params: Record<string, string | string[]>, header: string | null): Promise<boolean>;
export function verifyTwilioJson(authToken: string, url: string, rawBody: Uint8Array | string, header: string | null): Promise<boolean>;
export function verifySendgrid(publicKeyBase64: string, rawBody: Uint8Array | string, signature: string | null, timestamp: string | null): Promise<boolean>;
/** Postmark /email with Rekindle's rendered email; a step mapped in `templates` goes to /email/withTemplate (a string is a TemplateAlias, a number a TemplateId). */
export function postmarkTransport(o: { serverToken: string; from: string; templates?: Record<string, string | number>; messageStream?: string; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** Klaviyo Create Event (the merchant's flow renders); the action id is the event's unique_id. Erasure deletes the Klaviyo profile (Request Profile Deletion: the key needs `data-privacy:write`). */
export function klaviyoTransport(o: { apiKey: string; metric?: string; revision?: string; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** POST each action as JSON to `url`, signed `Rekindle-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, with `Idempotency-Key: <action id>`. */
export function webhookTransport(o: { url: string; secret: string; now?(): number; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** The receiving side of webhookTransport: signature over `t.body`, timestamp within `toleranceSec` (300). */
export function verifyWebhookSignature(secret: string, header: string | null, rawBody: Uint8Array | string, options?: { toleranceSec?: number; now?: number }): Promise<boolean>;
