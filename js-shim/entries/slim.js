// Bring your own wasm: init(source) takes a WebAssembly.Module, bytes, a Response or a URL.
import * as glue from 'rekindle-glue';
import { createRekindle, RekindleError as Missing } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, summariseSignals, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, report, rollup, reportCsv, compactOutcomes, messageRecord, shopperView, lookupKey } =
  createRekindle(glue, () => {
    throw new Missing('NO_WASM_SOURCE', 'rekindle/slim: pass the wasm to init(source)');
  });
