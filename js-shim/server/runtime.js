// Performs what the engine decides: stores state with compare-and-set, keeps the due
// index, and dispatches sends exactly once through the merchant's providers. It decides
// nothing itself (docs/architecture.md, principle 1): every input, including "this send is due now",
// goes through `Engine.decide`, and every output is one of the engine's actions.

import { actionOfShortToken, shortToken, signLinks } from './links.js';
import { backoff } from './retry.js';
import { deploymentSettings, policyForDeployment } from './settings.js';
import { hmac } from './signatures.js';
import { POLICY_LOG } from './stores/logs.js';

const CAS_ATTEMPTS = 8;

/**
 * @param {object} o
 * @param {any} o.rekindle the package API (`Engine`, `ingest`), already initialised
 * @param {import('../../pkg/index.d.ts').RekindleStore} o.store
 * @param {{ sms?: Transport, email?: Transport }} o.transports by channel
 */
export function createRuntime({
  rekindle,
  policy,
  store,
  transports = {},
  publicUrl,
  basePath,
  development = false,
  linkSecret,
  secrets = {},
  now = Date.now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random = Math.random,
  leaseMs = 60_000,
  tickBatch,
  // false where another handler over the same store rolls the outcome log up: on Vercel Edge the
  // report's module is not in the edge function, so its Node.js function does (issue 20).
  rollUp = true,
  retry = { inlineAttempts: 3, maxClaims: 5, baseMs: 250, capMs: 4_000, laterBaseMs: 60_000, laterCapMs: 3_600_000 },
  onDataRequest = () => {},
  onDecision = () => {},
  onCouponRequest = () => {},
  onConsentChange = null,
  onAlert = () => {},
  log = () => {},
  // How often a process looks for a playbook published by another one (operator.js); the
  // process that publishes switches at once.
  policyRefreshMs = 30_000,
}) {
  // Every link the engine renders is built on the deployment's public URL and base path.
  const { linkBase, tickBatch: batch } = deploymentSettings({ publicUrl, basePath, development, tickBatch });
  // The playbook the next decision uses: the deployment's, until one is published (operator.js).
  let engine = new rekindle.Engine(policyForDeployment(rekindle, policy, linkBase, log));
  // Read once per playbook, not through the wasm boundary on every decision's timeline line.
  let policyVersion = engine.policyVersion;
  let published = 0; // publications applied (the policy log's count)
  let checkedAt = -Infinity;

  /** Switch to the last published playbook if another process published since we looked. */
  async function livePolicy({ force = false } = {}) {
    if (!store.readLog || (!force && now() - checkedAt < policyRefreshMs)) return;
    checkedAt = now();
    const { lines, count } = await store.readLog(POLICY_LOG, 1);
    if (count === published || lines.length === 0) return;
    engine = new rekindle.Engine(policyForDeployment(rekindle, JSON.parse(lines[0]).policy, linkBase, log));
    policyVersion = engine.policyVersion;
    published = count;
    log('info', 'playbook switched', { version: policyVersion, publication: count });
  }
  const owner = `${now().toString(36)}-${Math.floor(random() * 2 ** 48).toString(36)}`;

  /** Apply one event to one contact: load, decide, commit with compare-and-set, retry on conflict. */
  async function apply(contactId, event, { links = [], settle = null } = {}) {
    await livePolicy();
    for (let round = 0; round < CAS_ATTEMPTS; round += 1) {
      const current = await store.load(contactId);
      const decision = decideOnce(contactId, current?.state ?? null, event);
      const change = plan(contactId, decision, current?.version ?? 0, links, settle, event);
      // An SMS's short link finds its contact through this index (links.js).
      for (const action of decision.actions) {
        if (linkSecret && action.type === 'send' && action.message?.data?.shortUrl) change.links.push(`short:${await shortToken(linkSecret, action.id)}`);
      }
      // Before the commit: once erased, the addresses to suppress exist nowhere else.
      for (const action of decision.actions) if (action.type === 'erase') await suppressAtProviders(contactId, action);
      if (await store.commit(contactId, change)) {
        log('info', 'decided', { contactId, event: event.type, summary: decision.explanation.summary });
        onDecision({ contactId, event, decision, at: now() });
        return decision;
      }
      // Someone else committed first: decide again on their state (their send is ours too).
      await sleep(Math.floor(random() * 5 * (round + 1)));
    }
    throw Object.assign(new Error(`contact ${contactId}: state kept changing under ${CAS_ATTEMPTS} attempts`), { code: 'CONFLICT' });
  }

  function decideOnce(contactId, state, event) {
    try {
      return engine.decide(contactId, state, event, now());
    } catch (error) {
      // A trap leaves a fresh instance behind and had no effect: one retry is safe.
      if (error?.code === 'ENGINE_TRAPPED') return engine.decide(contactId, state, event, now());
      throw error;
    }
  }

  /** The engine's actions as one atomic store change. */
  function plan(contactId, decision, expected, links, settle, event) {
    const change = { expected, state: decision.state, schedule: [], unschedule: [], intents: [], links: [...links], settle, erase: false, purge: false, forget: false };
    // Appended with the state, in the same commit: a decision retried after a lost
    // compare-and-set logs its outcomes once.
    change.outcomes = (decision.outcomes ?? []).map((o) => ({ journey: o.journey, line: JSON.stringify(o) }));
    // The shopper's timeline (the console): the event, the explanation, what was done, each
    // message as rendered. It quotes messages, so it goes with the contact on erasure.
    change.timeline = [JSON.stringify(timelineEntry(event, decision))];
    for (const action of decision.actions) {
      switch (action.type) {
        case 'schedule':
        case 'defer':
          change.schedule.push({ id: action.id, at: Date.parse(action.at) });
          break;
        case 'cancel':
        case 'skip':
          change.unschedule.push(action.id);
          break;
        case 'send':
          change.unschedule.push(action.id);
          change.intents.push({ id: action.id, action });
          change.links.push(`action:${action.id}`); // how its links find the contact
          break;
        case 'reply':
          change.intents.push({ id: action.id, action });
          break;
        case 'erase':
          change.erase = true;
          break;
        case 'purge':
          change.purge = true; // idle past retention: the store drops its rows first, no provider is told
          break;
        case 'forget':
          change.forget = true; // an anonymous visitor's time ran out: no row, no key is left
          break;
        case 'export':
          break; // the caller (operator.js) hands the engine's answer on: nothing to store
        case 'requestCoupon':
          break; // minted at dispatch, before the first message that prints the code (ensureCoupon)
        case 'reportConsent':
          // Queued like a send, so a platform that cannot be reached now is tried again later.
          if (onConsentChange) change.intents.push({ id: action.id, action });
          break;
        default:
          throw new Error(`unknown action type ${action.type}`);
      }
    }
    // A due entry the engine did not move is done with, whatever the engine said: but only
    // the entry this tick read, so a deferral committed meanwhile survives.
    if (settle && change.schedule.some((s) => s.id === settle.id)) change.settle = null;
    return change;
  }

  /** One timeline line: never the event's contact details, the export's copy or an address. */
  function timelineEntry(event, decision) {
    const { contact, ...said } = event;
    const actions = decision.actions.map((a) => {
      switch (a.type) {
        case 'send':
          return { type: a.type, id: a.id, journeyId: a.journeyId, channel: a.channel, message: a.message };
        case 'reply':
          return { type: a.type, id: a.id, body: a.body };
        case 'export':
        case 'erase':
        case 'purge':
        case 'forget':
          return { type: a.type };
        default:
          return { type: a.type, id: a.id, ...(a.at ? { at: a.at } : {}), ...(a.reason ? { reason: a.reason } : {}), ...(a.step ? { step: a.step, channel: a.channel, journeyId: a.journeyId } : {}) };
      }
    });
    return { decidedAt: new Date(now()).toISOString(), policyVersion, event: said, explanation: decision.explanation, actions };
  }

  /**
   * What the shopper told Rekindle (STOP, an unsubscribe, the preference centre) goes back to
   * the platform through `onConsentChange`, from the intent queue like a send: a platform that
   * throttles or is down is tried again at a later tick (its `retryAfterMs` honoured); one that
   * refuses for good is logged and alerted. The change is ours already either way.
   */
  async function writeBackConsent({ action, contactId, attempts }) {
    let result;
    try {
      await onConsentChange(action, { contactId });
      result = { ok: true };
    } catch (error) {
      result = { ok: false, permanent: error?.permanent === true, retryAfterMs: error?.retryAfterMs, code: `consent:${error?.code ?? 'failed'}` };
    }
    if (result.ok) {
      await store.finish(action.id, owner, { status: 'sent' });
      log('info', 'consent written back', { contactId, channel: action.channel });
      return 'reported';
    }
    if (!result.permanent && attempts < retry.maxClaims) {
      await store.retryLater(action.id, owner, now() + Math.max(result.retryAfterMs ?? 0, backoff(attempts, retry.laterBaseMs, retry.laterCapMs, random)));
      log('warn', 'consent write-back will retry', { contactId, channel: action.channel, code: result.code });
      return 'retrying';
    }
    await store.finish(action.id, owner, { status: 'failed', detail: result.code.slice(0, 200) });
    log('error', 'consent write-back failed', { contactId, channel: action.channel, code: result.code });
    await onAlert({ code: 'CONSENT_WRITE_BACK_FAILED', channel: action.channel, status: action.status, at: now() });
    return 'failed';
  }

  /**
   * A message that prints a discount code goes out only once the code exists at the platform:
   * `onCouponRequest` mints it, idempotently (the code is the engine's, named from the coupon
   * request id, so asking again for a code already minted changes nothing). Asked before every
   * such message, not once after the decision: a mint that failed then would otherwise leave
   * a message promising a code that does not exist. Returns null, or the failure as a send result.
   */
  async function ensureCoupon(action, contactId) {
    const { incentive: offer, code } = action.message?.data ?? {};
    if (!offer || !code) return null;
    const request = { type: 'requestCoupon', id: offer.couponRequestId, journeyId: action.journeyId, offer, code };
    try {
      await onCouponRequest(request, { contactId, channel: action.channel, to: action.to });
      return null;
    } catch (error) {
      log('warn', 'coupon not minted', { contactId, actionId: action.id, code: error?.code ?? null });
      return { ok: false, permanent: error?.permanent === true, retryAfterMs: error?.retryAfterMs, code: `coupon:${error?.code ?? 'failed'}` };
    }
  }

  /**
   * Erasure reaches the providers: each channel's transport puts the address on its own
   * suppression list (SendGrid global suppressions, Postmark's stream list) or, for Klaviyo,
   * deletes the profile it identifies (the channel says whether an address is an email or a
   * phone number, since one Klaviyo transport usually serves both). Twilio has no
   * such API: its opt-out list is filled only by the shopper texting STOP. A transient failure
   * throws, so the erase is not committed and the webhook's retry tries again; a permanent one
   * is logged and the erase goes ahead (our copy of the data must go regardless).
   */
  async function suppressAtProviders(contactId, action) {
    for (const channel of new Set(action.providerSuppressions.map((p) => p.channel))) {
      const transport = transports[channel];
      if (!transport?.suppress) {
        log('warn', 'no provider suppression API', { contactId, channel, provider: transport?.name ?? null });
        continue;
      }
      const addresses = action.providerSuppressions.filter((p) => p.channel === channel).map((p) => p.address);
      const result = await transport.suppress(addresses, { channel });
      if (result.ok) continue;
      if (!result.permanent) throw Object.assign(new Error(`${transport.name}: suppression failed (${result.code})`), { code: 'SUPPRESSION_RETRY' });
      log('error', 'provider suppression refused', { contactId, provider: transport.name, code: result.code });
    }
  }

  /** Deliver what `rekindle.ingest.*` produced: find each contact, apply its events. */
  async function ingest(ingested) {
    const summary = { applied: 0, unmatched: 0 };
    for (const routed of ingested.routed) {
      const contactId = (await store.resolve(routed.lookup)) ?? routed.contactId ?? null;
      if (!contactId) {
        summary.unmatched += routed.events.length;
        continue;
      }
      for (const event of routed.events) {
        await apply(contactId, event, { links: routed.links });
        summary.applied += 1;
      }
    }
    if (ingested.dataRequest) {
      const contacts = [];
      for (const key of ingested.dataRequest.lookup) {
        const contactId = await store.resolve([key]);
        if (contactId && !contacts.some((c) => c.contactId === contactId)) {
          contacts.push({ contactId, state: (await store.load(contactId))?.state ?? null });
        }
      }
      await onDataRequest({ requestId: ingested.dataRequest.requestId, contacts });
      summary.exported = contacts.length;
    }
    if (ingested.eraseShop) {
      await store.eraseAll();
      summary.erasedShop = true;
    }
    return summary;
  }

  /**
   * A provider's webhook, whose events may lack Rekindle's own correlation (a Messaging
   * Service's callback URL, mail whose custom args or metadata were stripped). `ingestWith(sent)`
   * is the engine's ingest of the request: called first without `sent`, it lists in `wanted`
   * the provider message ids it needs; they are found in the ledger (`providerMessage`, the ids
   * the sends were given) and it is called again with what was found. An id the ledger does not
   * know is a message we did not send: counted as unmatched and answered 2xx, so the provider
   * does not retry it for ever.
   */
  async function ingestMatching(ingestWith) {
    const first = ingestWith(undefined);
    if (!first.wanted?.length) return ingest(first);
    const sent = {};
    for (const { provider, id } of first.wanted) {
      const found = await store.providerMessage(provider, id);
      if (found) sent[id] = found;
      // A provider's message id names no one: it is what an operator looks up at the provider.
      else log('info', 'provider message not in the ledger', { provider, messageId: id });
    }
    return ingest(ingestWith(sent));
  }

  /**
   * Hand every due send back to the engine (principle 3), then dispatch what it decided. The
   * batch is leased (`claimDue`), so processes ticking at once each take different entries; a
   * ticker that dies leaves its entries to the others once the lease runs out. At most
   * `tickBatch` entries a run: every contact's expiry and retention is a due entry too, so the
   * day a year's contacts reach retention is worked off over several ticks, not in one.
   */
  async function tick() {
    const at = now();
    let due = 0;
    let failure = null;
    for (const entry of await store.claimDue(at, batch, owner, leaseMs)) {
      const event = { id: `due:${entry.id}:${entry.at}`, at: new Date(entry.at).toISOString(), type: 'due', actionId: entry.id };
      try {
        await apply(entry.contactId, event, { settle: { id: entry.id, at: entry.at } });
        due += 1;
      } catch (error) {
        // The rest of the batch is leased to us: leaving it for the lease to run out would hold
        // every entry behind one failing contact. This one comes back after its lease.
        failure ??= error;
        log('error', 'due entry failed', { contactId: entry.contactId, actionId: entry.id, code: error?.code ?? null });
      }
    }
    const outcome = { due, ...(await dispatchPending()) };
    // After the work: a tick that throws is not recorded, so /health sees the backlog grow.
    if (failure) throw failure;
    await store.recordTick(at);
    await rollUpHourly(at);
    return outcome;
  }

  /** Send every queued intent this process can claim. Safe to run anywhere, any number of times at once. */
  async function dispatchPending() {
    const outcome = { sent: 0, failed: 0, retrying: 0 };
    for (const id of await store.claimable(now(), batch)) {
      const intent = await store.claim(id, owner, now(), leaseMs);
      if (!intent) continue; // another dispatcher holds it
      try {
        const result = await dispatch(intent);
        outcome[result] = (outcome[result] ?? 0) + 1; // `refused` appears only when a limit refused
      } catch (error) {
        // One intent's failure (a store write) never holds back the rest of the batch.
        log('error', 'dispatch threw', { contactId: intent.contactId, actionId: id, code: error?.code ?? null });
      }
    }
    return outcome;
  }

  /** One send through the transport; a transport that throws has an unknown outcome. */
  async function sendOnce(transport, signed, context) {
    try {
      return await transport.send(signed, context);
    } catch (error) {
      log('error', 'transport threw', { contactId: context.contactId, actionId: signed.id, provider: transport.name });
      return { ok: false, permanent: false, unknown: true, code: `${transport.name}:threw` };
    }
  }

  /**
   * A send whose outcome is unknown (the provider may have acted before the answer was lost)
   * is not a failure. Sent again only where a repeat is harmless (the transport is
   * `idempotent`: the provider dedupes on the action id) or where the provider's own records
   * say it has no such message (`reconcile`), and then at most once. Otherwise it is recorded
   * as unknown and not sent again.
   */
  async function settleUnknown(transport, signed, context, first) {
    if (transport.idempotent) {
      const again = await sendOnce(transport, signed, context);
      return again.unknown ? { ...again, settled: 'unknown' } : again;
    }
    if (!transport.reconcile) return { ...first, settled: 'unknown' };
    const lookup = await reconcileSafely(transport, signed, context);
    if (!lookup.ok) return { ...first, settled: 'unknown' };
    if (lookup.found) return { ok: true, providerId: lookup.providerId, reconciled: true };
    // Not found: the first request never became a message. A resend refused outright (a 429,
    // a refused connection) is an ordinary failure, retried at a later tick like any other.
    const again = await sendOnce(transport, signed, context);
    if (!again.unknown) return again;
    const second = await reconcileSafely(transport, signed, context);
    if (second.ok && second.found) return { ok: true, providerId: second.providerId, reconciled: true };
    return { ...again, settled: 'unknown' };
  }

  async function reconcileSafely(transport, signed, context) {
    try {
      return await transport.reconcile(signed, context);
    } catch {
      return { ok: false };
    }
  }

  async function dispatch(intent) {
    if (intent.action.type === 'reportConsent') return writeBackConsent(intent);
    const { action, contactId } = intent;
    const channel = action.type === 'reply' ? 'sms' : action.channel;
    const transport = transports[channel];
    let result;
    let grown = null;
    const refused = intent.attempts === 1 ? await takeLimits(action) : null;
    if (refused) {
      // Counters are taken on the first claim only: a retry of the same message is not a new one.
      await store.finish(action.id, owner, { status: 'refused', detail: refused });
      log('warn', 'send refused by a limit', { contactId, actionId: action.id, limit: refused });
      return 'refused';
    }
    if (!transport) {
      result = { ok: false, permanent: true, code: 'noTransport' };
    } else {
      // `since`: when this attempt began, for a lookup by date (a minute's slack for clocks).
      const context = { contactId, statusCallback: statusCallback(contactId, action.id), since: now() - 60_000 };
      const signed = linkSecret ? await signLinks(linkSecret, action) : action;
      grown = segmentsAfterSigning(signed);
      for (let n = 0; ; n += 1) {
        result = (await ensureCoupon(action, contactId)) ?? (await sendOnce(transport, signed, context));
        if (result.unknown) {
          result = await settleUnknown(transport, signed, context, result);
          break;
        }
        if (result.ok || result.permanent || n + 1 >= retry.inlineAttempts) break;
        const wait = result.retryAfterMs ?? backoff(n, retry.baseMs, retry.capMs, random);
        if (wait > retry.capMs) break; // a long Retry-After: leave it to a later tick
        await sleep(wait);
      }
    }
    if (result.settled === 'unknown') {
      // Neither sent again nor failed: the engine goes on as if sent (a duplicate is worse
      // than a lost reminder); the ledger keeps the code only, never the provider's text.
      await store.finish(action.id, owner, { status: 'unknown', providerId: null, detail: result.code });
      log('warn', 'dispatch outcome unknown', { contactId, actionId: action.id, code: result.code });
      return 'unknown';
    }
    if (result.ok) {
      // The window that remains: a crash between the provider's acceptance and this line.
      const detail = [grown, result.reconciled ? 'reconciled' : null].filter(Boolean).join('; ') || null;
      // With the provider's name, the provider's id finds the send again (a status callback
      // without Rekindle's query, an event without its custom args: `providerMessage`).
      await store.finish(action.id, owner, { status: 'sent', provider: transport.name, providerId: result.providerId ?? null, detail });
      log('info', 'dispatched', { contactId, actionId: action.id, provider: transport.name });
      return 'sent';
    }
    if (!result.permanent && intent.attempts < retry.maxClaims) {
      const later = now() + Math.max(result.retryAfterMs ?? 0, backoff(intent.attempts, retry.laterBaseMs, retry.laterCapMs, random));
      await store.retryLater(action.id, owner, later);
      log('warn', 'dispatch will retry', { contactId, actionId: action.id, code: result.code });
      return 'retrying';
    }
    const code = result.permanent ? result.code : `${result.code}:retriesExhausted`;
    // The engine hears of it first; if we die before `finish`, the retry repeats a no-op.
    await apply(contactId, { id: `sendFailed:${action.id}`, at: new Date(now()).toISOString(), type: 'sendFailed', actionId: action.id, permanent: true, code });
    // The code only: a provider's error text may quote the address (Twilio's 21211 does), and
    // the ledger outlives the contact's erasure.
    await store.finish(action.id, owner, { status: 'failed', detail: code.slice(0, 200) });
    log('warn', 'dispatch failed', { contactId, actionId: action.id, code });
    return 'failed';
  }

  /**
   * The counters the engine attached to an action (limits that span contacts, which one
   * contact's state cannot hold), taken in the store in order. Returns the refusing limit's
   * description, or null when every one was taken. A per-address counter is keyed by an HMAC of
   * the address under the salt, so the store names no number. A shop-wide budget that runs out
   * alerts the merchant: it is refused, never queued.
   */
  async function takeLimits(action) {
    for (const limit of action.limits ?? []) {
      const key = limit.perAddress ? `limit:${limit.key}:${await addressKey(action.to)}` : `limit:${limit.key}`;
      if (await store.take(key, limit.max, limit.windowHours * 3_600_000, now())) continue;
      const described = `${limit.key}: at most ${limit.max} per ${limit.windowHours} h${limit.perAddress ? ' per address' : ''}`;
      if (!limit.perAddress) {
        log('error', 'budget exhausted', { limit: limit.key, max: limit.max, windowHours: limit.windowHours });
        await onAlert({ code: 'BUDGET_EXHAUSTED', limit: limit.key, max: limit.max, windowHours: limit.windowHours, at: now() });
      }
      return described;
    }
    return null;
  }

  async function addressKey(address) {
    const mac = await hmac(secrets.salt ?? linkSecret ?? '', `address\u001f${address}`);
    return [...mac.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  /**
   * The signature adds characters to the SMS link after the engine counted segments. Recount;
   * past the policy's limit the message still goes (its link must work) but the ledger and the
   * log say so. Returns that note, or null.
   */
  function segmentsAfterSigning(signed) {
    const sms = signed.message?.sms;
    if (!sms) return null;
    const { count } = engine.smsSegments(sms.text);
    if (count <= sms.count || count <= engine.smsSegmentLimit) return null;
    const note = `smsSegmentsOverLimit: ${sms.count} → ${count} after link signing (policy limit ${engine.smsSegmentLimit})`;
    log('warn', 'sms over segment limit after signing', { actionId: signed.id, counted: sms.count, after: count, limit: engine.smsSegmentLimit });
    return note;
  }

  function statusCallback(contactId, actionId) {
    const url = new URL(`${linkBase}/webhooks/twilio/status`);
    url.searchParams.set('c', contactId);
    url.searchParams.set('a', actionId);
    return url.toString();
  }

  /** The contact a sent action belongs to (its links carry only the action id). */
  const contactOfAction = (actionId) => store.resolve([`action:${actionId}`]);

  /** The contact and action an SMS's short link token stands for, or null. */
  async function actionOfShortLink(token) {
    const contactId = await store.resolve([`short:${token}`]);
    if (!contactId || !linkSecret) return null;
    const current = await store.load(contactId);
    const ids = current ? rekindle.sentActionIds(current.state) : [];
    const actionId = await actionOfShortToken(linkSecret, ids, token);
    return actionId ? { contactId, actionId } : null;
  }

  /**
   * Where the action's recovery link leads, as the engine's stored state says, and the
   * discount code it applies (the journey's offer, once made), or null for either.
   */
  async function recoveryUrl(contactId, actionId) {
    const current = await store.load(contactId);
    return current ? rekindle.recoveryUrl(current.state, actionId) ?? null : null;
  }

  async function recoveryTarget(contactId, actionId) {
    const current = await store.load(contactId);
    if (!current) return { url: null, code: null };
    return { url: rekindle.recoveryUrl(current.state, actionId) ?? null, code: rekindle.discountCode?.(current.state, actionId) ?? null };
  }

  /** The outcome log as the engine reads it: `{ outcomes, rollups }` as JSON text. */
  async function outcomeLog() {
    if (!store.readOutcomes) return { text: '{"outcomes":[],"rollups":[]}', upTo: 0, version: 0 };
    const { lines, rollups, upTo, version } = await store.readOutcomes();
    return { text: `{"outcomes":[${lines.join(',')}],"rollups":${rollups ?? '[]'}}`, upTo, version };
  }

  /** The merchant's report (src/measurement): JSON, or every roll-up as CSV. */
  async function report({ format = 'json', dimension = null, options } = {}) {
    const { text } = await outcomeLog();
    if (format === 'csv') return rekindle.reportCsv(text, options);
    if (dimension) return rekindle.rollup(text, dimension, options);
    return rekindle.report(text, options);
  }

  /**
   * "Why did this shopper get this message?": the send's record (policy version, step, angle,
   * offer, the engine's sentence), from the live log or, once its journey is rolled up, the
   * messages kept with the roll-ups until the retention horizon. null when there is none.
   */
  async function message(actionId) {
    // The store's message index holds exactly the lines the record is read from: that send's
    // own, and its `sent` line after the roll-up (stores/message-index.js). A store without one
    // (a custom store) is read whole.
    if (store.readMessage) {
      const lines = await store.readMessage(actionId);
      return rekindle.messageRecord(`{"outcomes":[${lines.join(',')}],"rollups":[]}`, actionId);
    }
    const { text } = await outcomeLog();
    return rekindle.messageRecord(text, actionId);
  }

  /**
   * Fold settled journeys' log lines into daily roll-ups, so a year of a busy shop stays small.
   * Compare-and-set on the roll-ups' version: two processes rolling up at once cannot count a
   * day twice; the loser finds nothing left to do next time.
   */
  async function rollUpOutcomes() {
    const { text, upTo, version } = await outcomeLog();
    const forgetBefore = now() - engine.messagesKeptForMs; // the message index forgets with the roll-ups
    const { rollups, journeys, forgotten } = await rekindle.compactOutcomes(text, now() - engine.settledAfterMs, forgetBefore);
    // Nothing to fold and no message record past retention: nothing to write.
    if (journeys.length === 0 && forgotten === 0) return { rolledUp: 0 };
    const done = await store.rollUpOutcomes({ upTo, version, journeys, rollups: JSON.stringify(rollups), forgetBefore });
    return { rolledUp: done ? journeys.length : 0 };
  }

  // Rolling up reads the whole unrolled log: once an hour per process is plenty for daily cells.
  let lastRollUpAt = -Infinity;
  async function rollUpHourly(at) {
    if (rollUp === false || at - lastRollUpAt < 3_600_000 || !store.readOutcomes) return;
    lastRollUpAt = at;
    try {
      await rollUpOutcomes();
    } catch (error) {
      // The figures wait for the next hour; the sends must not.
      log('error', 'outcome roll-up failed', { code: error?.code ?? null });
    }
  }

  /** What /health reports: the last tick, the due backlog and its oldest entry. */
  const schedule = () => store.dueSummary(now());

  return {
    apply, ingest, ingestMatching, tick, dispatchPending, contactOfAction, actionOfShortLink, recoveryUrl, recoveryTarget, schedule, report, message, outcomeLog, rollUpOutcomes, owner,
    get engine() {
      return engine;
    },
    /** Decide with the last published playbook from now on (operator.js, after a publish). */
    usePublished: () => livePolicy({ force: true }),
    store,
    rekindle,
  };
}
