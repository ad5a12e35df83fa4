// Each journey's timeline for the terminal: what happened, what the engine did about it, and
// the engine's own explanation, in the shopper's time zone.

const money = (minor) => `$${(minor / 100).toFixed(2)}`;
const when = (ms, timeZone) => new Date(ms).toLocaleString('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false });

function describeAction(a, timeZone) {
  switch (a.type) {
    case 'schedule': return `schedule ${a.channel} ${a.step} for ${when(Date.parse(a.at), timeZone)}`;
    case 'defer': return `DEFER ${a.id.split('.').slice(-3).join('.')} to ${when(Date.parse(a.at), timeZone)}: ${a.reason}`;
    case 'send': return a.message.sms
      ? `SEND sms (${a.message.angle}) "${a.message.sms.text}" [${a.message.sms.count} segment${a.message.sms.count > 1 ? 's' : ''}]`
      : `SEND email ${a.message.template} (${a.message.angle})${a.message.data.incentive ? ` with ${a.message.data.incentive.kind} offer` : ''}`;
    case 'skip': return `SKIP ${a.id.split('.').slice(-3).join('.')}: ${a.reason}`;
    case 'cancel': return `CANCEL ${a.id.split('.').slice(-3).join('.')}: ${a.reason}`;
    case 'reply': return `REPLY sms "${a.body}"`;
    case 'requestCoupon': return `request coupon: ${a.offer.kind}${a.offer.percent ? ` ${a.offer.percent}%` : ''}`;
    default: return a.type;
  }
}

export function printTimelines(snapshot, cast, write = console.log) {
  for (const j of snapshot.journeys) {
    const shopper = cast.find((s) => s.key === j.shopperKey);
    const timeZone = shopper?.timeZone ?? 'UTC';
    write(`\n── ${j.shopper} ── ${money(j.cartMinor)}, playbook ${j.playbook}${j.holdout ? ', HOLDOUT' : ''} → ${j.status}${j.recoveredMinor ? ` (${money(j.recoveredMinor)})` : ''}  [${timeZone}]`);
    for (const entry of j.timeline) {
      const e = entry.event;
      const from = e.type === 'abandoned' ? ` (${e.origin}, browser in ${e.timeZone ?? 'an unknown zone'}${e.reasons.map((r) => `, ${r.reason} ${r.confidence.toFixed(1)}`).join('')})` : '';
      write(`  ${when(entry.at, timeZone)}  ${e.type}${from}${e.body ? ` "${e.body}"` : ''}: ${entry.explanation.summary}`);
      for (const a of entry.actions) write(`      → ${describeAction(a, timeZone)}`);
    }
  }
  const f = snapshot.funnel;
  write(`\nfunnel: ${f.abandoned} abandoned (${f.holdout} in holdout) → ${f.messaged} messaged → ${f.clicked} clicked → ${f.recovered} recovered; recovery rate ${(f.recoveryRate * 100).toFixed(0)}%, revenue recovered ${money(f.revenueRecoveredMinor)}`);
}
