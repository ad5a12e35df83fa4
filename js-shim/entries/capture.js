// `rekindle/capture`: storefront capture as an ES module. `init({ endpoint, ... })` once; the
// engine chunk and its wasm load after the page's load event.
import { start } from '../storefront/start.js';

let api;

/** Start capturing (idempotent: later calls return the running capture). */
export function init(config) {
  api ??= start(config, () => import('../storefront/engine.js').then((engine) => engine.loadEngine(config.wasmUrl, { offThread: true })));
  return api;
}

const running = () => api ?? (console.warn('[rekindle] call init({ endpoint }) first'), undefined);
export const track = (kind, fields) => running()?.track(kind, fields);
export const identify = (fields) => running()?.identify(fields);
export const consent = (choice) => running()?.consent(choice);
