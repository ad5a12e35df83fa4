// The lazy half of the capture: the storefront wasm build and its loader. Pages load it after
// their own load event, when the main thread is idle, so it never delays the checkout.
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

const rekindle = createRekindle(glue, () => fetch(new URL('./rekindle_bg.wasm', import.meta.url)));

/** Instantiate the engine (once) and hand back its `captureStep`. */
export async function loadEngine(wasmUrl) {
  await rekindle.init(wasmUrl === undefined ? undefined : fetch(wasmUrl));
  return rekindle.captureStep;
}
