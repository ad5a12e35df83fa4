// Figures and times as the merchant reads them: times in the merchant's zone (a setting, never
// UTC by accident), money in the shop's currency with its own minor-unit digits.

export function formats({ timeZone, locale, currency }) {
  const time = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  const moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const minorDigits = moneyFormat.resolvedOptions().maximumFractionDigits;
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const finite = (x) => typeof x === 'number' && Number.isFinite(x);
  return {
    timeZone,
    time: (ms) => (finite(ms) ? time.format(new Date(ms)) : '—'),
    money: (minor) => (finite(minor) ? moneyFormat.format(minor / 10 ** minorDigits) : '—'),
    percent: (rate) => (finite(rate) ? `${(rate * 100).toFixed(1)}%` : '—'),
    /** A difference of rates in percentage points, signed. */
    points: (d) => (finite(d) ? `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} pts` : '—'),
    count: (n) => (finite(n) ? number.format(n) : '—'),
  };
}
