// Browsers and bundlers: bundlers (Vite, webpack 5, esbuild) recognise this URL pattern and
// ship the .wasm as an asset; streaming compilation starts while it downloads.
import * as glue from 'rekindle-glue';
import * as reportGlue from 'rekindle-report-glue';
import { createRekindle, reportModule } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, shopperView, lookupKey, initReport, report, rollup, reportCsv, compactOutcomes, messageRecord } =
  createRekindle(glue, () => fetch(new URL('./rekindle_bg.wasm', import.meta.url)), reportModule(reportGlue, () => fetch(new URL('./report_bg.wasm', import.meta.url))));
