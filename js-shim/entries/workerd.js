// Cloudflare Workers: the .wasm is a static import (Workers cannot compile bytes at run time).
import wasm from './rekindle_bg.wasm';
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

export const { init, Engine, RekindleError, version, build, validatePolicy, defaultPolicy, summariseSignals, debugTrap, ingest, recoveryUrl, sentActionIds, discountCode, funnel, report, rollup, reportCsv, compactOutcomes, messageRecord, shopperView, lookupKey } =
  createRekindle(glue, () => wasm);
