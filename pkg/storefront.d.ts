// `rekindle/storefront`: the small build for checkout pages (signals, consent, reasons).
export { init, RekindleError, ErrorCode, Problem, version, build, summariseSignals, captureStep, debugTrap, Observations, SignalSummary, ReasonSignal, Reason, Stage, WasmSource } from './index.js';
