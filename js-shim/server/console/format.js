// Figures and times as the merchant reads them: times in the merchant's zone (a setting, never
// UTC by accident), money in its own currency with that currency's minor-unit digits. The report
// gives money per currency (never summed across them); a line logged before currencies were
// carries none and is written in the configured one.

export function formats({ timeZone, locale, currency }) {
  const time = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const moneyFormats = new Map();
  const moneyIn = (minor, code) => {
    const key = code ?? currency;
    if (!moneyFormats.has(key)) {
      const format = new Intl.NumberFormat(locale, { style: 'currency', currency: key });
      moneyFormats.set(key, { format, digits: format.resolvedOptions().maximumFractionDigits });
    }
    const { format, digits } = moneyFormats.get(key);
    return format.format(minor / 10 ** digits);
  };
  moneyIn(0); // a bad configured currency fails at start, not on a page
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const finite = (x) => typeof x === 'number' && Number.isFinite(x);
  return {
    timeZone,
    time: (ms) => (finite(ms) ? time.format(new Date(ms)) : '—'),
    money: (minor, code) => (finite(minor) ? moneyIn(minor, code) : '—'),
    /** One figure of a report's per-currency list (`metrics.revenue`, a lift's
     * `revenuePerAbandonment`), each amount in its own currency, largest first. */
    moneyEach: (list, pick) => {
      const shown = (list ?? []).filter((e) => finite(pick(e))).sort((a, b) => pick(b) - pick(a));
      return shown.length ? shown.map((e) => moneyIn(pick(e), e.currency)).join(' · ') : '—';
    },
    percent: (rate) => (finite(rate) ? `${(rate * 100).toFixed(1)}%` : '—'),
    /** A difference of rates in percentage points, signed. */
    points: (d) => (finite(d) ? `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} pts` : '—'),
    count: (n) => (finite(n) ? number.format(n) : '—'),
  };
}
