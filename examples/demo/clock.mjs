// Time is an input to the engine (docs/architecture.md, principle 2), so the demo only has to choose what
// "now" is: a simulated clock the scripted run moves step by step (fast, deterministic), or
// an accelerated one, start + real elapsed × speed, for watching a 48-hour cadence in minutes.

export function simulatedClock(start) {
  let at = start;
  return {
    now: () => at,
    /** Move forward only: decisions already made stay in the past. */
    set: (t) => {
      at = Math.max(at, t);
    },
    speed: Infinity,
  };
}

/** Stands still at `start` until `run()`, so starting the servers takes no simulated time. */
export function acceleratedClock(start, speed, realNow = Date.now) {
  let began = null;
  return {
    now: () => (began === null ? start : start + Math.floor((realNow() - began) * speed)),
    run: () => {
      began ??= realNow();
    },
    speed,
  };
}
