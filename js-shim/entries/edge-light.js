// Vercel Edge: the .wasm must be imported statically with ?module (docs/compliance.md, platform facts).
import wasm from './rekindle_bg.wasm?module';
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, summariseSignals, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, report, rollup, reportCsv, compactOutcomes, messageRecord, shopperView, lookupKey } =
  createRekindle(glue, () => wasm);
