// `rekindle/server`: the fetch-shape handler and what it runs on. Same file in every runtime.
import type { Action, Channel, Decision, Message, Policy, RekindleEvent } from './index.js';

/** What one request gives the runtime to do, as `src/ingest` produced it. */
export interface Routed { lookup: string[]; contactId?: string; links: string[]; events: object[] }

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
  /** Delete the contact whole: its state row, due entries, links and intents, no tombstone (an anonymous visitor the engine forgot). */
  forget: boolean;
}

export interface LedgerEntry { status: 'pending' | 'sent' | 'failed' | 'cancelled'; attempts: number; providerId: string | null; detail: string | null }

/** Every backend (memory, SQLite, Redis, Durable Objects) honours this contract; times are epoch ms. */
export interface RekindleStore {
  load(contactId: string): Promise<{ state: string; version: number } | null>;
  /** False, and nothing written, if the version moved since it was read. */
  commit(contactId: string, change: StoreChange): Promise<boolean>;
  /** The contact the first resolvable key leads to. */
  resolve(keys: string[]): Promise<string | null>;
  dueBefore(now: number, limit: number): Promise<{ id: string; contactId: string; at: number }[]>;
  claimable(now: number, limit: number): Promise<string[]>;
  /** Exclusive until `now + leaseMs`; null if another dispatcher holds it or it is finished. */
  claim(id: string, owner: string, now: number, leaseMs: number): Promise<ClaimedIntent | null>;
  /** Record the outcome; false if `owner` no longer holds the lease. Drops the message payload. */
  finish(id: string, owner: string, outcome: { status: 'sent' | 'failed' | 'refused'; providerId?: string | null; detail?: string | null }): Promise<boolean>;
  retryLater(id: string, owner: string, nextAt: number): Promise<boolean>;
  ledger(id: string): Promise<LedgerEntry | null>;
  /**
   * A counter that spans contacts, in fixed windows: true (and counted) if `key` was taken fewer
   * than `max` times in its current window; a window starts at the first take after the last one
   * ended and lasts `windowMs`. Atomic across processes. Ended windows may be deleted.
   */
  take(key: string, max: number, windowMs: number, now: number): Promise<boolean>;
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
    claimable(now: number, limit: number): Promise<string[]>;
    /** What the contact's alarm runs: its due events through the engine, then its sends. */
    tick(): Promise<{ due: number; sent: number; failed: number; retrying: number }>;
  };
}

export type SendOutcome =
  | { ok: true; providerId?: string | null }
  | { ok: false; permanent: boolean; code: string; detail?: string; retryAfterMs?: number };

export interface Transport {
  name: string;
  /** One attempt; the runtime retries transient failures. */
  send(action: Action, context: { contactId: string; statusCallback?: string }): Promise<SendOutcome>;
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
    /** POST /webhooks/postmark: the basic-auth `user:password` and/or a custom header set on the Postmark webhook. */
    postmarkWebhook?: { basicAuth?: string; header?: { name: string; value: string } };
  };
  transports?: { sms?: Transport; email?: Transport };
  /** The public origin providers call (Twilio signs it); also where status callbacks point. */
  publicUrl?: string;
  /** Hosts recovery links may redirect to (the shop's domains); default: the hosts of `beacon.allowedOrigins`. */
  shopDomains?: string[];
  beacon?: {
    allowedOrigins?: string[];
    maxBytes?: number;
    perIp?: { limit: number; windowMs: number };
    perShopper?: { limit: number; windowMs: number };
    /** Every beacon together, per process (default 600 a minute): a flood gets 429s. */
    total?: { limit: number; windowMs: number };
  };
  /** A budget ran out (the shop's confirmation texts): sends are refused until its window ends. */
  onAlert?(alert: { code: 'BUDGET_EXHAUSTED'; limit: string; max: number; windowHours: number; at: number }): void | Promise<void>;
  maxBodyBytes?: number;
  leaseMs?: number;
  retry?: { inlineAttempts: number; maxClaims: number; baseMs: number; capMs: number; laterBaseMs: number; laterCapMs: number };
  /** Shopify `customers/data_request`: deliver the contacts' stored state to the merchant. */
  onDataRequest?(request: { requestId: string; contacts: { contactId: string; state: string | null }[] }): void | Promise<void>;
  log?(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
  /** Every committed decision with the event that caused it (a journal, a timeline view). */
  onDecision?(entry: { contactId: string; event: RekindleEvent; decision: Decision; at: number }): void;
  /** The engine offered an incentive: mint the coupon for `offer.couponRequestId` before the send is dispatched. */
  onCouponRequest?(action: Extract<Action, { type: 'requestCoupon' }>): void | Promise<void>;
  now?(): number;
}

export interface Runtime {
  tick(): Promise<{ due: number; sent: number; failed: number; retrying: number }>;
  dispatchPending(): Promise<{ sent: number; failed: number; retrying: number }>;
}

export type FetchHandler = ((request: Request, env?: unknown, ctx?: { waitUntil?(promise: Promise<unknown>): void }) => Promise<Response>) & {
  runtime(env?: unknown): Promise<Runtime>;
  /** Whether `pathname` is one of Rekindle's routes. */
  owns(pathname: string): boolean;
};

/** Options, or (Workers) a function of `env` giving them, called once per isolate. */
export function createHandler(options: ServerOptions | ((env: any) => ServerOptions | Promise<ServerOptions>)): FetchHandler;
export function memoryStore(): RekindleStore;
export function twilioTransport(o: { accountSid: string; authToken: string; messagingServiceSid: string; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
export function sendgridTransport(o: { apiKey: string; from: { email: string; name?: string }; templates: Record<string, string>; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** The local development outbox: keeps each dispatched message (email HTML from `render`, SMS text and segments). */
export function outboxTransport(o?: { render?(message: Message): string; now?(): number }): Transport & { list(): OutboxMessage[] };
export interface OutboxMessage {
  id: string; contactId: string; to: string; at: number; channel: Channel; kind: 'send' | 'reply';
  journeyId?: string; template?: string; angle?: string; variant?: string;
  /** SMS and replies. */ text?: string; encoding?: 'gsm7' | 'ucs2'; segments?: number;
  /** Email. */ data?: Message['data']; headers?: Message['headers']; html?: string;
}
export function verifyShopify(secret: string, rawBody: Uint8Array | string, header: string | null): Promise<boolean>;
export function verifyTwilio(authToken: string, url: string, params: Record<string, string | string[]>, header: string | null): Promise<boolean>;
export function verifyTwilioJson(authToken: string, url: string, rawBody: Uint8Array | string, header: string | null): Promise<boolean>;
export function verifySendgrid(publicKeyBase64: string, rawBody: Uint8Array | string, signature: string | null, timestamp: string | null): Promise<boolean>;
/** Postmark /email/withTemplate; a string template is a TemplateAlias, a number a TemplateId. */
export function postmarkTransport(o: { serverToken: string; from: string; templates: Record<string, string | number>; messageStream?: string; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** Klaviyo Create Event (the merchant's flow renders); the action id is the event's unique_id. Erasure deletes the Klaviyo profile (Request Profile Deletion: the key needs `data-privacy:write`). */
export function klaviyoTransport(o: { apiKey: string; metric?: string; revision?: string; baseUrl?: string; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** POST each action as JSON to `url`, signed `Rekindle-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, with `Idempotency-Key: <action id>`. */
export function webhookTransport(o: { url: string; secret: string; now?(): number; fetch?: typeof fetch; timeoutMs?: number }): Transport;
/** The receiving side of webhookTransport: signature over `t.body`, timestamp within `toleranceSec` (300). */
export function verifyWebhookSignature(secret: string, header: string | null, rawBody: Uint8Array | string, options?: { toleranceSec?: number; now?: number }): Promise<boolean>;
