// Vercel Edge: the .wasm must be imported statically with ?module (docs/compliance.md, platform facts).
import wasm from './rekindle_bg.wasm?module';
import * as glue from 'rekindle-glue';
import * as reportGlue from 'rekindle-report-glue';
import { createRekindle, reportModule, RekindleError as Missing } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, shopperView, lookupKey, initReport, report, rollup, reportCsv, compactOutcomes, messageRecord } =
  createRekindle(glue, () => wasm, reportModule(
    reportGlue,
    // Not imported here: Vercel counts every .wasm an edge function imports against its size
    // limit, and edge requests never need the report or the operator's views (issue 20). Serve
    // GET /report, the hourly roll-up and the console from a Node.js function
    // (examples/vercel-edge), or bring the module.
    () => {
      throw new Missing('REPORT_NOT_IN_EDGE_BUILD', 'the report module (the report, the roll-up, and the operator API\'s and console\'s validatePolicy, shopperView and funnel) is not in the Vercel Edge build: serve them from a Node.js function, or pass the module (rekindle/report.wasm?module) to initReport(source)');
    },
  ));
