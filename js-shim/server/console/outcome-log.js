// Views over the outcome log (src/model/outcome.rs) that the console needs and the report does
// not give: the log cut to a range of cohort days, and the latest sends with what became of
// them. The log holds no personal data, so neither does anything read from it here.

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` that is a real date, else null. */
export function day(text) {
  if (typeof text !== 'string' || !DAY.test(text)) return null;
  const t = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === text ? text : null;
}

const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * The log with only the journeys abandoned on cohort days `from`..`to` (inclusive, UTC: the
 * roll-ups keep UTC days, so a range in any other zone could not be cut from them exactly).
 * A journey's lines go with its `abandoned` line; a roll-up cell with its day.
 */
export function withinDays(text, from, to) {
  if (!from && !to) return text;
  const inRange = (d) => (!from || d >= from) && (!to || d <= to);
  const log = JSON.parse(text);
  const cohort = new Map();
  for (const line of log.outcomes) if (line.kind === 'abandoned') cohort.set(line.journey, utcDay(line.at));
  return JSON.stringify({
    outcomes: log.outcomes.filter((line) => cohort.has(line.journey) && inRange(cohort.get(line.journey))),
    rollups: (log.rollups ?? []).filter((cell) => inRange(cell.day)),
  });
}

/**
 * The latest `limit` sends the engine made (its `sent` lines: a send is logged when the engine
 * hands it to dispatch), newest first, each with the provider events seen for it. Lines of
 * journeys already folded into daily roll-ups are gone, so this reaches back about as far as
 * `Engine.settledAfterMs`.
 */
export function latestSends(text, limit) {
  const { outcomes } = JSON.parse(text);
  const sends = new Map();
  for (const line of outcomes) {
    if (!line.send) continue;
    if (line.kind === 'sent') {
      sends.set(line.send, { id: line.send, journey: line.journey, at: line.at, step: line.step ?? null, channel: line.channel ?? null, angle: line.angle ?? null, variant: line.variant ?? null, segments: line.segments ?? 0, events: {} });
    } else if (sends.has(line.send) && ['delivered', 'opened', 'clicked', 'unsubscribed', 'complained'].includes(line.kind)) {
      sends.get(line.send).events[line.kind] ??= line.at;
    }
  }
  return [...sends.values()].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).slice(0, limit);
}
