// Browsers and bundlers: bundlers (Vite, webpack 5, esbuild) recognise this URL pattern and
// ship the .wasm as an asset; streaming compilation starts while it downloads.
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, summariseSignals, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, report, rollup, reportCsv, compactOutcomes, messageRecord, shopperView, lookupKey } =
  createRekindle(glue, () => fetch(new URL('./rekindle_bg.wasm', import.meta.url)));
