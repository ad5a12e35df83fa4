// The in-memory store: one process, nothing survives a restart. For tests and local
// development; it honours the same contract as the durable stores (see index.d.ts,
// `RekindleStore`), compare-and-set included.

import { timelineLog } from './logs.js';
import { indexEntry } from './message-index.js';

export function memoryStore() {
  const contacts = new Map(); // contactId -> { state, version }
  const due = new Map(); // actionId -> { id, contactId, at, owner, leaseUntil }
  const links = new Map(); // key -> contactId
  const intents = new Map(); // actionId -> intent row
  const messages = new Map(); // `${provider}\u001f${providerId}` -> actionId: the provider's id finds the send
  let lastTickAt = null; // the scheduler's record (no personal data): kept through eraseAll
  const counters = new Map(); // key -> { count, resetAt }
  // The outcome log (no personal data): lines in append order, and the daily roll-ups.
  let outcomes = []; // { seq, journey, line }
  let seq = 0;
  let rollups = null;
  let rollupsVersion = 0;
  // The message index (stores/message-index.js): send id -> [{ seq, journey, sent, at, line }].
  const bySend = new Map();
  // Named append-only logs (the console's audit log, the playbook's publications) and each
  // contact's timeline (`timeline:<contactId>`, personal data: it goes with the contact).
  const logs = new Map(); // name -> [line]

  return {
    async load(contactId) {
      const row = contacts.get(contactId);
      return row ? { ...row } : null;
    },

    async commit(contactId, change) {
      const current = contacts.get(contactId)?.version ?? 0;
      if (current !== change.expected) return false;
      contacts.set(contactId, { state: change.state, version: current + 1 });
      if (change.purge) eraseContact(contactId); // first: this change's own entries stay
      for (const id of change.unschedule) due.delete(id);
      if (change.settle && due.get(change.settle.id)?.at === change.settle.at) due.delete(change.settle.id);
      // A lease is on the entry's time: a moved entry is free again (its old time's holder cannot settle it).
      for (const { id, at } of change.schedule) {
        const kept = due.get(id)?.at === at ? due.get(id) : { owner: null, leaseUntil: 0 };
        due.set(id, { id, contactId, at, owner: kept.owner, leaseUntil: kept.leaseUntil });
      }
      for (const key of change.links) if (!links.has(key)) links.set(key, contactId);
      for (const { id, action } of change.intents) {
        if (!intents.has(id)) {
          intents.set(id, { id, contactId, action, status: 'pending', attempts: 0, nextAt: 0, owner: null, leaseUntil: 0 });
        }
      }
      for (const { journey, line } of change.outcomes ?? []) {
        outcomes.push({ seq: ++seq, journey, line });
        const entry = indexEntry(line);
        if (entry) bySend.set(entry.send, [...(bySend.get(entry.send) ?? []), { seq, journey, line, ...entry }]);
      }
      if (change.timeline?.length) logOf(timelineLog(contactId)).push(...change.timeline);
      if (change.erase) eraseContact(contactId);
      if (change.forget) forgetContact(contactId);
      return true;
    },

    async take(key, max, windowMs, now) {
      let c = counters.get(key);
      if (!c || c.resetAt <= now) {
        for (const [k, old] of counters) if (old.resetAt <= now) counters.delete(k);
        c = { count: 0, resetAt: now + windowMs };
        counters.set(key, c);
      }
      if (c.count >= max) return false;
      c.count += 1;
      return true;
    },

    /** Rows held, by kind (tests and the abuse benchmark count what is left). */
    async size() {
      return { contacts: contacts.size, due: due.size, links: links.size, intents: intents.size, messages: messages.size, counters: counters.size };
    },

    async resolve(keys) {
      for (const key of keys) if (links.has(key)) return links.get(key);
      return null;
    },

    async dueBefore(now, limit) {
      return [...due.values()].filter((d) => d.at <= now).sort((a, b) => a.at - b.at).slice(0, limit).map(({ id, contactId, at }) => ({ id, contactId, at }));
    },

    async claimDue(now, limit, owner, leaseMs) {
      const taken = [...due.values()].filter((d) => d.at <= now && d.leaseUntil <= now).sort((a, b) => a.at - b.at).slice(0, limit);
      for (const d of taken) Object.assign(d, { owner, leaseUntil: now + leaseMs });
      return taken.map(({ id, contactId, at }) => ({ id, contactId, at }));
    },

    async dueSummary(now) {
      let count = 0;
      let oldestDueAt = null;
      for (const d of due.values()) {
        if (d.at > now) continue;
        count += 1;
        if (oldestDueAt === null || d.at < oldestDueAt) oldestDueAt = d.at;
      }
      return { due: count, oldestDueAt, lastTickAt };
    },

    async recordTick(at) {
      if (lastTickAt === null || at > lastTickAt) lastTickAt = at;
    },

    async claimable(now, limit) {
      return [...intents.values()]
        .filter((i) => i.status === 'pending' && i.nextAt <= now && i.leaseUntil <= now)
        .slice(0, limit)
        .map((i) => i.id);
    },

    async claim(id, owner, now, leaseMs) {
      const i = intents.get(id);
      if (!i || i.status !== 'pending' || i.nextAt > now || i.leaseUntil > now) return null;
      Object.assign(i, { owner, leaseUntil: now + leaseMs, attempts: i.attempts + 1 });
      return { id, contactId: i.contactId, action: i.action, attempts: i.attempts };
    },

    async finish(id, owner, { status, provider = null, providerId = null, detail = null }) {
      const i = intents.get(id);
      if (!i || i.owner !== owner || i.status !== 'pending') return false;
      // The ledger keeps the outcome, not the message: no address outlives the send.
      Object.assign(i, { status, provider, providerId, detail, action: null, leaseUntil: 0 });
      if (provider && providerId) messages.set(messageKey(provider, providerId), id);
      return true;
    },

    async providerMessage(provider, providerId) {
      const id = messages.get(messageKey(provider, providerId));
      const i = id === undefined ? null : intents.get(id);
      return i ? { contactId: i.contactId, actionId: id } : null;
    },

    async retryLater(id, owner, nextAt) {
      const i = intents.get(id);
      if (!i || i.owner !== owner || i.status !== 'pending') return false;
      Object.assign(i, { nextAt, leaseUntil: 0, owner: null });
      return true;
    },

    async ledger(id) {
      const i = intents.get(id);
      return i ? { status: i.status, attempts: i.attempts, providerId: i.providerId ?? null, detail: i.detail ?? null } : null;
    },

    async readOutcomes() {
      return { lines: outcomes.map((o) => o.line), rollups, upTo: seq, version: rollupsVersion };
    },

    async rollUpOutcomes({ upTo, version, journeys, rollups: next, forgetBefore = null }) {
      if (version !== rollupsVersion) return false;
      rollupsVersion += 1;
      const rolled = new Set(journeys);
      outcomes = outcomes.filter((o) => o.seq > upTo || !rolled.has(o.journey));
      // A rolled-up send keeps its `sent` line (the roll-up's message record) until the horizon.
      const live = new Set(outcomes.map((o) => o.seq));
      for (const [send, entries] of bySend) {
        const kept = entries.filter((e) => live.has(e.seq) || (e.sent && (forgetBefore === null || e.at >= forgetBefore)));
        if (kept.length) bySend.set(send, kept);
        else bySend.delete(send);
      }
      rollups = next;
      return true;
    },

    async readMessage(actionId) {
      return (bySend.get(actionId) ?? []).map((e) => e.line);
    },

    async appendLog(name, lines, expected = null) {
      const log = logOf(name);
      if (expected !== null && log.length !== expected) return false;
      log.push(...lines);
      return true;
    },

    async readLog(name, limit = Infinity) {
      const log = logs.get(name) ?? [];
      return { lines: log.slice(Math.max(0, log.length - limit)), count: log.length };
    },

    async eraseAll() {
      logs.clear();
      outcomes = [];
      bySend.clear();
      rollups = null;
      contacts.clear();
      due.clear();
      links.clear();
      intents.clear();
      messages.clear();
      counters.clear();
    },

    async close() {},
  };

  /** No tombstone: every row of the contact goes (its intents too, which an anonymous contact never has). */
  function forgetContact(contactId) {
    eraseContact(contactId);
    contacts.delete(contactId);
    for (const [id, i] of intents) if (i.contactId === contactId) intents.delete(id);
  }

  function logOf(name) {
    if (!logs.has(name)) logs.set(name, []);
    return logs.get(name);
  }

  function eraseContact(contactId) {
    logs.delete(timelineLog(contactId));
    for (const [id, d] of due) if (d.contactId === contactId) due.delete(id);
    for (const [key, owner] of links) if (owner === contactId) links.delete(key);
    for (const i of intents.values()) {
      if (i.contactId !== contactId) continue;
      if (i.status === 'pending') i.status = 'cancelled';
      if (i.provider && i.providerId) messages.delete(messageKey(i.provider, i.providerId));
      // The provider's id leads to the message (and its address) at the provider: it goes too.
      Object.assign(i, { action: null, detail: null, provider: null, providerId: null });
    }
  }
}

function messageKey(provider, providerId) {
  return `${provider}\u001f${providerId}`;
}
