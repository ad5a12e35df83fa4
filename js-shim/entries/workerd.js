// Cloudflare Workers: the .wasm is a static import (Workers cannot compile bytes at run time).
import wasm from './rekindle_bg.wasm';
// Imported statically too (Workers compile no bytes at run time), instantiated on the first report call.
import reportWasm from './report_bg.wasm';
import * as glue from 'rekindle-glue';
import * as reportGlue from 'rekindle-report-glue';
import { createRekindle, reportModule } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, shopperView, lookupKey, initReport, report, rollup, reportCsv, compactOutcomes, messageRecord } =
  createRekindle(glue, () => wasm, reportModule(reportGlue, () => reportWasm));
