// Node 20+ (ESM; the CJS build is generated from this file): the wasm is read from disk.
import { readFile } from 'node:fs/promises';
import * as glue from 'rekindle-glue';
import * as reportGlue from 'rekindle-report-glue';
import { createRekindle, reportModule } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, shopperView, lookupKey, initReport, report, rollup, reportCsv, compactOutcomes, messageRecord } =
  createRekindle(glue, () => readFile(new URL('./rekindle_bg.wasm', import.meta.url)), reportModule(reportGlue, () => readFile(new URL('./report_bg.wasm', import.meta.url))));
