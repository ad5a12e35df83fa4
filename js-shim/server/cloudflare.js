// `rekindle/server/cloudflare`: everything in `rekindle/server`, plus the Durable Objects store
// and its object class. A separate entry because the class extends `DurableObject` from
// `cloudflare:workers`, a module only workerd has.
export * from './index.js';
export { contactObject, durableObjectStore } from './stores/durable-objects.js';
