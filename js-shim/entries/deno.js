// Deno: no Node built-ins. Deno's fetch reads file: URLs.
import * as glue from 'rekindle-glue';
import * as reportGlue from 'rekindle-report-glue';
import { createRekindle, reportModule } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, shopperView, lookupKey, initReport, report, rollup, reportCsv, compactOutcomes, messageRecord } =
  createRekindle(glue, async () => (await fetch(new URL('./rekindle_bg.wasm', import.meta.url))).arrayBuffer(), reportModule(reportGlue, async () => (await fetch(new URL('./report_bg.wasm', import.meta.url))).arrayBuffer()));
