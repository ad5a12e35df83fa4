// Deno: no Node built-ins. Deno's fetch reads file: URLs.
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, summariseSignals, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, report, rollup, reportCsv, compactOutcomes, messageRecord, shopperView, lookupKey } =
  createRekindle(glue, async () => (await fetch(new URL('./rekindle_bg.wasm', import.meta.url))).arrayBuffer());
