// Node 20+ (ESM; the CJS build is generated from this file): the wasm is read from disk.
import { readFile } from 'node:fs/promises';
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, summariseSignals, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, report, rollup, reportCsv, compactOutcomes, messageRecord, shopperView, lookupKey } =
  createRekindle(glue, () => readFile(new URL('./rekindle_bg.wasm', import.meta.url)));
