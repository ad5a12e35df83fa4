// What must have happened to each shopper by the end of the scripted run, read from the
// engine's stored journeys, its decisions and the outbox. The run exits 0 only if all hold.

function localHour(ms, timeZone) {
  return Number(new Date(ms).toLocaleString('en-US', { timeZone, hour: '2-digit', hour12: false })) % 24;
}

const EXPECTED = {
  ada: ['no message: the order came before the first send', (j, m) => m.length === 0 && j.at(-1)?.status === 'recovered'],
  ben: ['the reason is extraCost and a message takes the freeShipping angle', (j, m) =>
    j[0]?.reasons.some((r) => r.reason === 'extraCost') && m.some((x) => x.kind === 'send' && x.angle === 'freeShipping')],
  cleo: ['the first email is clicked, an SMS follows the click, then she buys', (j, m) => {
    const click = j[0]?.timeline.find((e) => e.event.type === 'clicked');
    return Boolean(click) && m.some((x) => x.channel === 'sms' && x.kind === 'send' && x.at > click.at) && j[0].status === 'recovered';
  }],
  dan: ['STOP is confirmed, the pending SMS is cancelled and no SMS goes out after it', (j, m) => {
    const stop = j[0]?.timeline.find((e) => e.event.type === 'smsReceived');
    return Boolean(stop) && stop.actions.some((a) => a.type === 'cancel' && /\.sms\./.test(a.id))
      && m.some((x) => x.kind === 'reply') && !m.some((x) => x.channel === 'sms' && x.kind === 'send' && x.at > stop.at);
  }],
  eve: ['her SMS is deferred by quiet hours and sent at 08:00 Los Angeles time', (j, m, s) => {
    const deferred = j[0]?.timeline.flatMap((e) => e.actions).find((a) => a.type === 'defer' && /\.sms\./.test(a.id));
    const sms = m.find((x) => x.channel === 'sms' && x.kind === 'send');
    return Boolean(deferred) && localHour(Date.parse(deferred.at), s.timeZone) === 8 && Boolean(sms) && localHour(sms.at, s.timeZone) === 8;
  }],
  finn: ['the persistent playbook, and an email with the loyalty incentive', (j, m) => {
    const latest = j.at(-1);
    return latest?.playbook === 'persistent' && latest.incentive?.kind === 'loyalty' && m.some((x) => x.data?.incentive?.kind === 'loyalty');
  }],
  gus: ['an order from another device recovers the journey and cancels everything pending', (j, m) => {
    const order = j[0]?.timeline.find((e) => e.event.type === 'orderPlaced');
    return Boolean(order) && order.event.cartToken === null && j[0].status === 'recovered'
      && j[0].sends.every((s) => s.status !== 'scheduled') && order.actions.some((a) => a.type === 'cancel')
      && !m.some((x) => x.at > order.at);
  }],
  hana: ['in the holdout: tracked, never messaged', (j, m) => j[0]?.holdout === true && m.length === 0],
};

/** One line per shopper: { shopper, expect, ok, detail }. */
export function checkOutcomes(snapshot, cast) {
  return cast.map((shopper) => {
    const [expect, holds] = EXPECTED[shopper.key];
    const journeys = snapshot.journeys.filter((j) => j.shopperKey === shopper.key);
    const messages = snapshot.outbox.filter((m) => m.shopperKey === shopper.key);
    let ok = false;
    try {
      ok = Boolean(holds(journeys, messages, shopper));
    } catch {
      ok = false;
    }
    const detail = `${journeys.length} journey(s) [${journeys.map((j) => `${j.playbook}/${j.status}`).join(', ')}], ${messages.length} message(s) [${messages.map((x) => `${x.channel}:${x.template ?? x.kind}`).join(', ')}]`;
    return { shopper: shopper.name, key: shopper.key, expect, ok, detail };
  });
}

