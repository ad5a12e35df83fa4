// What the dashboard and the scripted run read: every decision the engine committed (through
// the runtime's onDecision hook) with its explanation, the stored journeys, and the outbox.
// Nothing here decides: timelines are the engine's own actions and reasons, in order.

/** The parts of an event worth showing (no addresses: the engine's explanations have none either). */
function describeEvent(event) {
  const shown = { id: event.id, type: event.type, at: event.at };
  if (event.actionId) shown.actionId = event.actionId;
  if (event.type === 'abandoned') Object.assign(shown, { origin: event.origin, reasons: event.reasons ?? [], timeZone: event.contact?.timeZone });
  if (event.type === 'checkoutUpdated' || event.type === 'abandoned') shown.cartToken = event.cart.token;
  if (event.type === 'orderPlaced') Object.assign(shown, { orderId: event.orderId, cartToken: event.cartToken ?? null });
  if (event.type === 'smsReceived') shown.body = event.body;
  return shown;
}

export function createJournal() {
  const entries = [];
  return {
    /** The runtime's onDecision hook. */
    record({ contactId, event, decision, at }) {
      entries.push({ at, contactId, event: describeEvent(event), actions: decision.actions, explanation: decision.explanation });
    },
    entries: () => entries.slice(),
    contacts: () => [...new Set(entries.map((e) => e.contactId))],
  };
}

/** Everything the dashboard shows, as one JSON document. `names.get(contactId)`: the cast member, if any. */
export async function snapshot({ journal, store, outbox, clock, funnel, report, names = new Map() }) {
  const journeys = [];
  const states = [];
  for (const contactId of journal.contacts()) {
    const stored = await store.load(contactId);
    if (!stored) continue;
    states.push(stored.state);
    const own = JSON.parse(stored.state).journeys;
    const entries = journal.entries().filter((e) => e.contactId === contactId);
    for (const j of own) {
      const sends = j.sends ?? [];
      const timeline = entries
        .filter((e) => journeyOf(e, own)?.id === j.id)
        .map((e) => ({ at: e.at, event: e.event, actions: e.actions.filter((a) => !a.id || a.type === 'reply' || a.type === 'requestCoupon' || a.id.startsWith(`${j.id}.`) || a.journeyId === j.id), explanation: e.explanation }));
      journeys.push({
        id: j.id,
        contactId,
        shopper: names.get(contactId)?.name ?? contactId,
        shopperKey: names.get(contactId)?.key ?? null,
        status: j.status,
        playbook: j.playbook,
        holdout: j.holdout,
        abandonedAt: j.abandonedAt,
        cartMinor: j.cart.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0),
        reasons: j.reasons ?? [],
        incentive: j.incentive ?? null,
        recoveredMinor: j.recoveredMinor ?? null,
        sends,
        timeline,
      });
    }
  }
  journeys.sort((a, b) => a.abandonedAt - b.abandonedAt);
  const messages = outbox.list().map((m) => ({ ...m, shopper: names.get(m.contactId)?.name ?? m.contactId, shopperKey: names.get(m.contactId)?.key ?? null }));
  // The lift against the holdout, from the outcome log (src/measurement), with its interval.
  const log = await store.readOutcomes();
  const figures = await report(`{"outcomes":[${log.lines.join(',')}],"rollups":${log.rollups ?? '[]'}}`);
  const lift = { treated: figures.treated.abandoned, treatedRecovered: figures.treated.recovered, heldOut: figures.holdout.abandoned, heldOutRecovered: figures.holdout.recovered, lift: figures.lift };
  // The pilot against the shoppers it left alone (null without a pilot), from the same report.
  return { now: clock.now(), journeys, outbox: messages, funnel: await funnel(states), lift, pilot: figures.pilot ?? null };
}

/**
 * The journey a decision is about: the cart it names, else the journey its actions or event
 * name (action ids start with the journey id), else (a STOP, an order from elsewhere) the
 * contact's latest journey begun by then.
 */
function journeyOf(entry, journeys) {
  const named = entry.event.cartToken ?? null;
  if (named) return journeys.find((j) => j.cart.token === named);
  const ids = [entry.event.actionId, ...entry.actions.map((a) => a.journeyId ?? a.id)].filter(Boolean);
  const byId = journeys.find((j) => ids.some((id) => id === j.id || id.startsWith(`${j.id}.`)));
  if (byId) return byId;
  return journeys.filter((j) => j.abandonedAt <= entry.at).sort((a, b) => b.abandonedAt - a.abandonedAt)[0];
}
