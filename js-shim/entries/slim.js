// Bring your own wasm: init(source) takes a WebAssembly.Module, bytes, a Response or a URL.
import * as glue from 'rekindle-glue';
import * as reportGlue from 'rekindle-report-glue';
import { createRekindle, reportModule, RekindleError as Missing } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, shopperView, lookupKey, initReport, report, rollup, reportCsv, compactOutcomes, messageRecord } =
  createRekindle(glue, () => {
    throw new Missing('NO_WASM_SOURCE', 'rekindle/slim: pass the wasm to init(source)');
  }, reportModule(reportGlue, () => {
    throw new Missing('NO_WASM_SOURCE', 'rekindle/slim: pass the report wasm (rekindle/report.wasm) to initReport(source)');
  }));
