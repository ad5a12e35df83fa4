// The lazy half of the capture on a page: the storefront wasm (loader.js), compiled off the
// main thread. Pages load it after their own load event, when the main thread is idle, so it
// never delays the checkout.
//
// On a page, the wasm is compiled in a worker (running this file), which also steps a made-up
// checkout through it (warm-up.js), and the compiled module comes back to be instantiated on
// the main thread. V8 compiles wasm functions lazily, on the calling thread, and a module
// posted between threads shares its compiled code: so the page's main thread neither decodes
// the wasm nor compiles the functions its steps call. Those were most of the time Rekindle
// added to a page's main thread (a Chromium trace: decoding ~36 ms and lazy compilation
// ~126 ms of a cart page on a loaded machine, BENCHMARKS.md). The steps themselves stay on the main thread: the step when
// the shopper leaves must run synchronously, inside `pagehide`, where no worker answers.
import { rememberRefusal, workerAllowed } from './csp.js';
import { loadEngine as load, rekindle, wasmBesideThis } from './loader.js';
import { warmUp } from './warm-up.js';

const WORKER_TIMEOUT_MS = 10_000; // then the page compiles the wasm itself
const WORKER_NAME = 'rekindle-compile';

/**
 * Instantiate the engine (once) and hand back its `captureStep`. `offThread`: compile and warm
 * the wasm in a worker first (pages); without a worker, or if it fails, the page compiles it.
 */
export async function loadEngine(wasmUrl, { offThread = false } = {}) {
  return load(wasmUrl, offThread ? await compileInWorker(wasmUrl).catch(() => undefined) : undefined);
}

/** A worker that runs this very module (which compiles when it finds itself so named); resolves to the module. */
async function compileInWorker(wasmUrl) {
  const url = wasmUrl === undefined ? wasmBesideThis() : new URL(wasmUrl, document.baseURI); // absolute: the page's base, not the worker's
  const here = new URL(import.meta.url);
  return new Promise((resolve, reject) => {
    // This file as the worker's script where it is same-origin with the page; from a CDN, a
    // blob worker that imports it (a worker's script must be same-origin; the import needs
    // CORS, as the wasm's fetch already does). Registering a blob URL is a synchronous call to
    // the browser process (6 ms on a loaded machine, traced), so only a CDN pays it.
    const sameOrigin = here.origin === location.origin;
    // A store's CSP may refuse workers: asked first, so the browser logs no violation (csp.js).
    const script = sameOrigin ? here : new URL(`blob:${location.origin}/`);
    if (!workerAllowed(script)) return reject(new Error('the page\'s Content-Security-Policy refuses the compile worker'));
    const stopWatching = rememberRefusal(script);
    const blob = sameOrigin ? undefined : URL.createObjectURL(new Blob([`import ${JSON.stringify(here.href)};`], { type: 'text/javascript' }));
    const worker = new Worker(blob ?? here, { type: 'module', name: WORKER_NAME });
    // The worker closes itself once it has answered; it is stopped here only when it failed.
    const done = (settle, value, stop) => {
      clearTimeout(timer);
      // After a failure the violation event may still be on its way: the listener stays.
      if (stop) worker.terminate();
      else stopWatching();
      if (blob) URL.revokeObjectURL(blob);
      settle(value);
    };
    const timer = setTimeout(() => done(reject, new Error('the compile worker did not answer'), true), WORKER_TIMEOUT_MS);
    worker.onmessage = ({ data }) => (data instanceof WebAssembly.Module ? done(resolve, data) : done(reject, new Error(data), true));
    worker.onerror = (event) => done(reject, new Error(event.message || 'the compile worker failed'), true);
    worker.postMessage(String(url));
  });
}

/** Inside the compile worker: compile the wasm at the URL it is sent, warm it, post the module back. */
function compileHere() {
  onmessage = async ({ data: url }) => {
    try {
      const module = await compile(url);
      await rekindle.init(module);
      try {
        warmUp(rekindle.captureStep);
      } catch {
        // warming is a speed-up only: the module is as good without it
      }
      postMessage(module);
    } catch (error) {
      postMessage(String(error?.message ?? error));
    }
    close();
  };
}
// Only the worker compileInWorker starts carries this name.
if (globalThis.WorkerGlobalScope && globalThis.name === WORKER_NAME) compileHere();

async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`failed to fetch the wasm: ${response.status} ${url}`);
  // Streaming needs the application/wasm type; a server that sends another gets the bytes compiled.
  const streamable = response.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm';
  return streamable ? WebAssembly.compileStreaming(response) : WebAssembly.compile(await response.arrayBuffer());
}
