// The operator's side of the merchant console (issue 19): the functions the console's pages
// (and the JSON API under /api/operator/ in handler.js) call. Every action is an engine event
// (src/engine/operator.rs, support.rs), so Rust decides it, explains it and the shopper's
// timeline shows it; every action is also appended to the audit log with who and when. Reads
// are logged too where they reveal a shopper (lookup, timeline, export).
//
// Each function takes `who = { actor, role }` first. Roles: `viewer` reads; `operator` also
// acts and publishes. Who the caller is (a bearer secret today, a console session later) is the
// caller's business; this module only refuses a role that may not do a thing.

import { policyDiff } from './policy-diff.js';
import { AUDIT_LOG, POLICY_LOG, timelineLog } from './stores/logs.js';

const ROLES = new Set(['viewer', 'operator']);
const SUPPORT_KINDS = new Set(['refund', 'changedOrder', 'ticket']);
const LOOKUPS = new Set(['email', 'phone', 'order', 'checkout']);
const TIMELINE_LIMIT = 500;

/** A refused operator request: `status` for HTTP, a stable `code`, the JSON `path` at fault. */
export class OperatorError extends Error {
  constructor(status, code, message, path) {
    super(message);
    this.name = 'OperatorError';
    this.status = status;
    this.code = code;
    if (path) this.path = path;
  }
}

/**
 * @param {object} o
 * @param {object} o.runtime createRuntime's runtime (its store, engine and package API)
 * @param {string} o.salt the deployment's `secrets.salt`: lookups hash with it, as ingest did
 * @param {() => number} [o.now]
 * @param {(live: object, candidate: object) => Promise<object>} [o.simulate] the policy simulator
 *   (src/simulate is native only: the Node entry can offer one, an edge runtime cannot)
 * @param {object} [o.policy] the deployment's own playbook, live until one is published
 * @param {(policy: object) => Array<{ code: string, path: string, message: string }>} [o.playbookRules]
 *   the deployment's own rules for a playbook, beyond the engine's (e.g. a Shopify shop with no
 *   gift configured refuses a gift rung): given the normalised playbook, its problems, if any
 */
export function createOperator({ runtime, salt, now = Date.now, simulate = null, policy = undefined, playbookRules = null }) {
  const { store, rekindle } = runtime;
  const newId = () => crypto.randomUUID();
  const iso = (t) => new Date(t).toISOString();

  function allow(who, role) {
    if (!who || typeof who.actor !== 'string' || who.actor.trim() === '') throw new OperatorError(401, 'NO_ACTOR', 'every operator request names who makes it', '$.actor');
    if (!ROLES.has(who.role)) throw new OperatorError(403, 'FORBIDDEN', `unknown role ${JSON.stringify(who.role)} (viewer, operator)`, '$.role');
    if (role === 'operator' && who.role !== 'operator') throw new OperatorError(403, 'FORBIDDEN', 'this needs the operator role', '$.role');
  }

  /** One audit line: who, when, what, on whom (a pseudonymous id), and the engine's answer. */
  async function audit(who, action, fields = {}) {
    const entry = { at: iso(now()), actor: who.actor, role: who.role, action, ...fields };
    await store.appendLog(AUDIT_LOG, [JSON.stringify(entry)]);
    return entry;
  }

  async function stateOf(contactId) {
    const current = await store.load(contactId);
    if (!current) throw new OperatorError(404, 'NO_SUCH_SHOPPER', 'no shopper has this id', '$.contactId');
    return current.state;
  }

  /** An operator event through the engine; answers what it decided and explained. */
  async function act(who, contactId, action, body, fields = {}) {
    allow(who, 'operator');
    await stateOf(contactId);
    const event = { id: `operator:${action}:${newId()}`, at: iso(now()), ...body };
    const decision = await runtime.apply(contactId, event);
    // Due entries the decision brought forward go out at the next tick; nothing is sent here.
    const entry = await audit(who, action, { contactId, ...fields, explanation: decision.explanation.summary });
    return { decision: { explanation: decision.explanation, actions: decision.actions.map(({ type, id, at, reason }) => ({ type, id, at, reason })) }, audit: entry };
  }

  // ---------- shoppers ----------

  /** Find a shopper by email, phone, order or checkout: through the salted index key only. */
  async function lookup(who, { by, value, region } = {}) {
    allow(who, 'viewer');
    if (!LOOKUPS.has(by)) throw new OperatorError(400, 'INVALID_FIELD', 'by: one of email, phone, order, checkout', '$.by');
    if (typeof value !== 'string' || value.trim() === '') throw new OperatorError(400, 'INVALID_FIELD', 'value: the email, phone, order id or name (#1001) or checkout token to look for', '$.value');
    // An order is found by the platform's id or by the name the shopper was told ("#1001").
    const keys = by === 'order' ? [rekindle.lookupKey('order', value, salt), rekindle.lookupKey('orderName', value, salt)] : [rekindle.lookupKey(by, value, salt, region)];
    const contactId = await store.resolve(keys);
    // The kind of search, never what was searched for: the audit log outlives the shopper.
    await audit(who, 'lookup', { by, found: contactId !== null, ...(contactId ? { contactId } : {}) });
    if (!contactId) return { found: false };
    const current = await store.load(contactId);
    return { found: true, shopper: current ? await rekindle.shopperView(current.state) : null };
  }

  /**
   * A shopper's whole story: the engine's view of them, and every decision with its sentence,
   * times in the shopper's zone and the merchant's, carts named by products, messages as rendered.
   */
  async function shopper(who, contactId, { limit = TIMELINE_LIMIT } = {}) {
    allow(who, 'viewer');
    const view = await rekindle.shopperView(await stateOf(contactId));
    await readPublications();
    const merchantZone = (await livePlaybook()).storeTimeZone ?? 'UTC';
    const zones = { shopper: validZone(view.timeZone) ?? merchantZone, merchant: merchantZone };
    const names = Object.fromEntries(view.journeys.map((j) => [j.id, j.name]));
    const { lines, count } = await store.readLog(timelineLog(contactId), limit);
    const timeline = lines.map((line) => describe(JSON.parse(line), names, zones));
    await audit(who, 'viewTimeline', { contactId });
    return {
      shopper: {
        ...view,
        journeys: view.journeys.map((j) => ({ ...j, abandonedAt: when(j.abandonedAt, zones), sends: j.sends.map((s) => ({ ...s, dueAt: when(s.dueAt, zones) })) })),
        consent: Object.fromEntries(Object.entries(view.consent).map(([channel, entries]) => [channel, entries.map((e) => ({ ...e, at: when(e.at, zones) }))])),
      },
      zones,
      timeline,
      truncated: count > lines.length,
    };
  }

  // ---------- actions ----------

  const pause = (who, contactId, { journeyId, until } = {}) =>
    act(who, contactId, 'pause', { type: 'operatorPaused', ...optional({ journeyId, until: instant(until, '$.until') }) }, optional({ journeyId, until }));

  const resume = (who, contactId, { journeyId } = {}) =>
    act(who, contactId, 'resume', { type: 'operatorResumed', ...optional({ journeyId }) }, optional({ journeyId }));

  /** A refund, a changed order or an open ticket: nothing is sent until it ends or is closed. */
  async function openSupportException(who, contactId, { kind, reason, until, id } = {}) {
    if (!SUPPORT_KINDS.has(kind)) throw new OperatorError(400, 'INVALID_FIELD', 'kind: refund, changedOrder or ticket', '$.kind');
    if (typeof reason !== 'string' || reason.trim() === '') throw new OperatorError(400, 'INVALID_FIELD', 'reason: say why, for whoever reads the timeline next', '$.reason');
    const ticketId = id ?? `console-${newId()}`;
    const body = { type: 'supportTicket', ticketId, status: 'open', kind, reason, ...optional({ until: instant(until, '$.until') }) };
    // The reason is the operator's free text: it stays in the shopper's state, not in the audit log.
    return { ticketId, ...(await act(who, contactId, 'supportException', body, { ticketId, kind, ...optional({ until }) })) };
  }

  const closeSupportException = (who, contactId, { id }) =>
    act(who, contactId, 'closeSupportException', { type: 'supportTicket', ticketId: String(id), status: 'closed' }, { ticketId: String(id) });

  /** The shopper's preferences: channels, fewer messages, a pause of their own. */
  async function preferences(who, contactId, { email, sms, frequency, pausedUntil } = {}) {
    const body = { type: 'preferencesChanged', ...optional({ email, sms, frequency, pausedUntil: instant(pausedUntil, '$.pausedUntil') }) };
    return act(who, contactId, 'preferences', body, optional({ email, sms, frequency, pausedUntil }));
  }

  /** Everything held about the shopper (a data request answered from the console). */
  async function exportData(who, contactId) {
    allow(who, 'operator');
    await stateOf(contactId);
    const answer = await runtime.apply(contactId, { id: `operator:export:${newId()}`, at: iso(now()), type: 'export' });
    const exported = answer.actions.find((a) => a.type === 'export');
    const entry = await audit(who, 'export', { contactId, explanation: answer.explanation.summary });
    return { audit: entry, data: exported?.data ?? null, timeline: (await store.readLog(timelineLog(contactId))).lines.map((l) => JSON.parse(l)) };
  }

  const erase = (who, contactId) => act(who, contactId, 'erase', { type: 'erase' });

  // ---------- playbook ----------

  let publications = null; // the policy log as last read: [{ version, policy, ... }]

  async function readPublications() {
    publications = (await store.readLog(POLICY_LOG)).lines.map((l) => JSON.parse(l));
    return publications;
  }

  /** The playbook decisions use now: the last published, else the deployment's own. */
  async function livePlaybook() {
    const last = publications?.at(-1);
    return rekindle.validatePolicy(last ? last.policy : policy ?? rekindle.defaultPolicy());
  }

  async function playbook(who) {
    allow(who, 'viewer');
    const all = await readPublications();
    return {
      live: await livePlaybook(),
      publication: all.length,
      versions: all.map(({ version, publishedAt, actor, kind, from }, i) => ({ publication: i + 1, version, publishedAt, actor, kind, ...optional({ from }) })),
    };
  }

  /**
   * Validate a candidate (the engine's codes and JSON paths, every problem), diff it against
   * the live version, and simulate both where a simulator is given. Publishes nothing.
   */
  async function preview(who, candidate) {
    allow(who, 'viewer');
    await readPublications();
    const live = await livePlaybook();
    const problems = await validation(candidate);
    if (problems) return { ok: false, problems };
    const normalised = await rekindle.validatePolicy(candidate);
    const diff = policyDiff(live, normalised);
    const simulation = simulate ? await simulate(live, normalised) : null;
    return { ok: true, version: normalised.version, diff, simulation, ...(simulate ? {} : { simulationUnavailable: 'no simulator in this runtime (src/simulate is native only)' }) };
  }

  /**
   * Publish: the next decision uses it. `expected` is the publication the editor saw: if
   * someone published meanwhile, nothing is published (compare-and-set on the policy log).
   */
  async function publish(who, candidate, { expected } = {}) {
    allow(who, 'operator');
    const problems = await validation(candidate);
    if (problems) throw Object.assign(new OperatorError(400, problems[0].code, problems[0].message, problems[0].path), { problems });
    const normalised = await rekindle.validatePolicy(candidate);
    const all = await readPublications();
    if (all.some((p) => p.version === normalised.version && JSON.stringify(p.policy) !== JSON.stringify(normalised))) {
      throw new OperatorError(409, 'VERSION_EXISTS', `version ${normalised.version} was published with other contents: give the edit a new version`, '$.version');
    }
    return record(who, normalised, { kind: 'publish', expected: expected ?? all.length });
  }

  /** Roll back: publish an earlier publication's playbook again (a new publication). */
  async function rollback(who, { publication, expected } = {}) {
    allow(who, 'operator');
    const all = await readPublications();
    const target = all[publication - 1];
    if (!Number.isInteger(publication) || !target) throw new OperatorError(404, 'NO_SUCH_PUBLICATION', `no publication ${publication} (1 to ${all.length})`, '$.publication');
    // An earlier publication may predate the deployment's rules: it is held to them too.
    const problems = playbookRules?.(target.policy) ?? [];
    if (problems.length) throw Object.assign(new OperatorError(400, problems[0].code, problems[0].message, problems[0].path), { problems });
    return record(who, target.policy, { kind: 'rollback', from: publication, expected: expected ?? all.length });
  }

  async function record(who, normalised, { kind, from, expected }) {
    const line = { version: normalised.version, policy: normalised, publishedAt: iso(now()), actor: who.actor, kind, ...optional({ from }) };
    const lines = [JSON.stringify(line)];
    // The first publication keeps the deployment's own playbook as publication 1, so a
    // rollback can return to what ran before the console was ever used.
    if (expected === 0) {
      const own = await rekindle.validatePolicy(policy ?? rekindle.defaultPolicy());
      lines.unshift(JSON.stringify({ version: own.version, policy: own, publishedAt: iso(now()), actor: who.actor, kind: 'deployment' }));
    }
    if (!(await store.appendLog(POLICY_LOG, lines, expected))) {
      throw new OperatorError(409, 'PUBLISHED_MEANWHILE', 'someone published since this edit was opened: reload, compare, and publish again', '$.expected');
    }
    await runtime.usePublished();
    const publication = expected + lines.length;
    const entry = await audit(who, kind, { version: normalised.version, publication, ...optional({ from }) });
    return { version: normalised.version, publication, audit: entry };
  }

  /** The engine's problems with a candidate, then the deployment's rules', or null when it is valid. */
  async function validation(candidate) {
    let normalised;
    try {
      normalised = await rekindle.validatePolicy(candidate);
    } catch (error) {
      if (error?.name !== 'RekindleError') throw error;
      return error.problems ?? [{ code: error.code, path: error.path ?? '$', message: error.message }];
    }
    const problems = playbookRules?.(normalised) ?? [];
    return problems.length ? problems : null;
  }

  async function auditLog(who, { limit = 200 } = {}) {
    allow(who, 'viewer');
    const { lines, count } = await store.readLog(AUDIT_LOG, limit);
    return { entries: lines.map((l) => JSON.parse(l)).reverse(), count };
  }

  return { lookup, shopper, pause, resume, openSupportException, closeSupportException, preferences, exportData, erase, playbook, preview, publish, rollback, audit: auditLog };
}

// ---------- presentation (no decisions: the engine's words, with names and local times) ----------

/** One timeline line for people: ids replaced by the carts' names, times in both zones. */
function describe(entry, names, zones) {
  const named = (text) => nameIds(text, names);
  return {
    at: when(entry.event?.at ?? entry.decidedAt, zones),
    decidedAt: when(entry.decidedAt, zones),
    event: entry.event?.type,
    policyVersion: entry.policyVersion,
    sentence: named(entry.explanation?.summary ?? ''),
    reasons: (entry.explanation?.reasons ?? []).map((r) => ({ code: r.code, detail: named(r.detail) })),
    actions: entry.actions.map((a) => ({
      ...a,
      ...(a.journeyId ? { journey: names[a.journeyId] ?? null } : {}),
      ...(a.at ? { at: when(a.at, zones) } : {}),
      ...(a.reason ? { reason: named(a.reason) } : {}),
    })),
    ...(entry.event?.reason ? { note: entry.event.reason } : {}),
  };
}

const ACTION_ID = /\b(j_[0-9a-f]{16})\.([A-Za-z0-9_-]+)\.(email|sms)\.(\d+)\b/g;
const JOURNEY_ID = /\bj_[0-9a-f]{16}\b/g;

function nameIds(text, names) {
  return text
    .replace(ACTION_ID, (id, journey, step, channel) => (names[journey] ? `${step} (${channel}) for “${names[journey]}”` : id))
    .replace(JOURNEY_ID, (id) => (names[id] ? `“${names[id]}”` : id));
}

/** An instant three ways: UTC, the shopper's zone, the merchant's. */
function when(at, zones) {
  if (at === undefined || at === null) return null;
  const date = typeof at === 'number' ? new Date(at) : new Date(at);
  if (Number.isNaN(date.getTime())) return null;
  const local = (timeZone) => new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
  return { utc: date.toISOString(), shopper: local(zones.shopper), merchant: local(zones.merchant) };
}

function validZone(zone) {
  if (!zone) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return null;
  }
}

/** An RFC 3339 instant from the console, checked here so a typo is an error at its field. */
function instant(value, path) {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new OperatorError(400, 'INVALID_TIMESTAMP', `${path.slice(2)}: an RFC 3339 time, e.g. 2026-12-24T09:00:00Z`, path);
  return new Date(Date.parse(value)).toISOString();
}

/** The fields that were given. */
function optional(fields) {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
}
