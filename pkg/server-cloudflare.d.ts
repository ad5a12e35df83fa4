// `rekindle/server/cloudflare`: everything in `rekindle/server`, plus the Durable Objects store
// and the object class it runs on (workerd only: the class extends `DurableObject`).
import type { DurableObjectStore, ServerOptions } from './server.js';

export * from './server.js';

/** The part of a Durable Object namespace binding the store uses (`env.<BINDING>`). */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): any;
}

/**
 * The store for `createHandler` on Workers: one object per contact (`contact:<id>`), one per
 * index key (`link:<key>`, `link:action:<id>` also naming the intent's contact), and a `registry`
 * for `eraseAll`.
 * `dueBefore`, `claimDue` and `claimable` are empty from the Worker: each contact's alarm runs its sends.
 */
export function durableObjectStore(namespace: DurableObjectNamespaceLike, options?: {
  /** Starts every object name: one namespace, many tenants (the Shopify app gives each shop `<shop>/`). */
  prefix?: string;
}): DurableObjectStore;

/**
 * The Durable Object class, exported from the Worker under the binding's `class_name`:
 * `export const RekindleContact = contactObject(options)`, with the options given to
 * `createHandler` (their `store` must be `durableObjectStore(env.<BINDING>)`). Without options
 * the objects only store: no alarms, no sends. A function of the env also receives the object's
 * tenant: the store `prefix` its contact was committed under ('' without one).
 */
export function contactObject(options?: ServerOptions | ((env: any, tenant: { prefix: string }) => ServerOptions | Promise<ServerOptions>)): new (ctx: any, env: any) => object;
