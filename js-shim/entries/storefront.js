// The storefront build: signals, consent and reasons only (no journeys, no tz database).
import * as glue from 'rekindle-glue';
import { createRekindle } from '../core.js';

export const { init, RekindleError, version, build, summariseSignals, captureStep, debugTrap } =
  createRekindle(glue, () => fetch(new URL('./rekindle_bg.wasm', import.meta.url)));
