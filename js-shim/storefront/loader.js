// The storefront wasm build behind the shared loader (core.js), for the page's engine chunk
// (engine.js, which compiles it in a worker first) and the Web Pixel (whose sandbox is a
// worker already, so it loads the wasm here directly).
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

export const wasmBesideThis = () => new URL('./rekindle_bg.wasm', import.meta.url);
export const rekindle = createRekindle(glue, () => fetch(wasmBesideThis()));

/** Instantiate the engine (once) and hand back its `captureStep`. `compiled`: a module compiled elsewhere. */
export async function loadEngine(wasmUrl, compiled) {
  await rekindle.init(compiled ?? (wasmUrl === undefined ? undefined : fetch(wasmUrl)));
  return rekindle.captureStep;
}
