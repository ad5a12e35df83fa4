// `rekindle/server/shopify`: a Shopify app around Rekindle, one Rekindle per shop. Needs the
// optional peer dependency @shopify/shopify-api (13.x: the newest that runs on Node 20).
import type { Session } from '@shopify/shopify-api';
import type { Runtime, ServerOptions } from './server.js';

/** Shopify's SessionStorage interface (what every @shopify/shopify-app-session-storage-* package implements). */
export interface SessionStorageLike {
  storeSession(session: Session): Promise<boolean>;
  loadSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<boolean>;
  deleteSessions(ids: string[]): Promise<boolean>;
  findSessionsByShop(shop: string): Promise<Session[]>;
  /** Shops with a stored session; without it, the app ticks only shops this process has seen. */
  shops?(): Promise<string[]>;
}

/** One shop's Rekindle: `createHandler`'s options, less what the app sets itself (links, secrets, base path). */
export type ShopOptions = Omit<ServerOptions, 'publicUrl' | 'basePath'> & {
  secrets?: Partial<ServerOptions['secrets']>;
  /**
   * The gift the default discount hook gives for a `gift` offer, as a buy X get Y code: spend at
   * least `minimumSubtotal` (shop currency, decimal, e.g. "250.00") on the items of
   * `collectionId`, get one unit of `variantId` free. Without it (and without an own
   * `onCouponRequest`), the policy's gift rungs are dropped (version suffixed `+no-gift`): the
   * engine offers the next rung instead.
   */
  gift?: {
    variantId: string; collectionId: string; minimumSubtotal: string;
    /**
     * What the gift message calls the gift, and the https page where the shopper adds it to the
     * cart. Without `title` both are read from Shopify when the shop's handler starts: the
     * product's title (with the variant's unless it is the only one) and its online store page
     * with `?variant=` (none when the product is not on the online store).
     */
    title?: string; url?: string;
  };
};

export interface ShopifyAppOptions {
  /** The app's client id and client secret (Partner Dashboard / `shopify app env show`). */
  apiKey: string;
  apiSecret: string;
  /** The app's public URL (application_url in shopify.app.toml): links, callbacks and webhooks hang off it. */
  appUrl: string;
  scopes?: string[];
  /** Admin API version; default '2026-01'. */
  apiVersion?: string;
  /** 32 random bytes in base64: the AES-GCM key offline tokens are encrypted with at rest. */
  tokenKey: string;
  /** Where offline tokens are kept (encrypted on the way in). */
  sessionStorage: SessionStorageLike;
  /** `salt`: every shop's own salt and link secret are derived from it. `tick`: the bearer for POST /tick. */
  secrets: { salt: string; links?: string; tick?: string };
  /**
   * This shop's store, transports and policy. Called once per shop per process. Without its own
   * `onCouponRequest` / `onConsentChange`, the shop gets Shopify's (codes minted, consent written
   * back) over its stored offline token.
   */
  shop(shop: string): ShopOptions | Promise<ShopOptions>;
  development?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields: object) => void;
}

export interface ShopifyApp {
  (request: Request, env?: object, ctx?: { waitUntil?(p: Promise<unknown>): void }): Promise<Response>;
  /** Tick every installed shop (a Node timer, a cron). Uninstalled shops are skipped. */
  tick(env?: object): Promise<{ shops: number; due: number; sent: number; failed: number; retrying: number }>;
  shopRuntime(shop: string, env?: object): Promise<Runtime>;
  installed(shop: string, env?: object): Promise<boolean>;
  installedShops(env?: object): Promise<string[]>;
}

export function createShopifyApp(options: ShopifyAppOptions | ((env: any) => ShopifyAppOptions | Promise<ShopifyAppOptions>)): ShopifyApp;

/** `inner` with its access tokens AES-GCM encrypted under `key` (from `tokenKey`), the session id as additional data. */
export function encryptedSessions(inner: SessionStorageLike, key: CryptoKey): SessionStorageLike & { inner: SessionStorageLike };
export function tokenKey(base64: string, path?: string): Promise<CryptoKey>;
/** A SessionStorage on better-sqlite3 (`Database`: its constructor). */
export function sqliteSessionStorage(Database: any, path: string): SessionStorageLike & { close(): Promise<void>; raw(): { id: string; shop: string; session: string }[] };

/** Registered per shop through webhookSubscriptionCreate. */
export const SUBSCRIBED_TOPICS: readonly string[];
/** Declared in shopify.app.toml (the Admin API cannot subscribe them). */
export const COMPLIANCE_TOPICS: readonly string[];
/** THROTTLED and 429 answers wait what Shopify says, as every Admin call of the app (`options`: `sleep`, `maxAttempts`, `maxWaitMs`). */
export function registerWebhooks(shopify: any, session: Session, uri: string, topics?: readonly string[], options?: { sleep?(ms: number): Promise<void>; maxAttempts?: number; maxWaitMs?: number }): Promise<{ created: string[]; existing: string[] }>;
/** `/shops/<shop>`: where a shop's own Rekindle routes live under the app URL. */
export function shopBasePath(shop: string): string;
