// Cloudflare Durable Objects: one object per contact, whose alarm is its scheduler. The object
// keeps the contact's state, due entries and dispatch intents in its own SQLite storage, so a
// compare-and-set or a claim is one synchronous transaction that nothing can interleave with.
// When its alarm rings it runs the ordinary runtime (`runtime.js`) on a store scoped to itself:
// `dueBefore` and `claimable` see only this contact, so `tick()` is this contact's tick.
//
// Lookups that cross contacts need objects of their own, named in the same namespace:
// - `link:<key>`: one object per index key (email, phone, checkout token, `action:<id>`). First
//   claim wins, as in every store; a key is claimed before the contact's commit, so a crash in
//   between leaves a key pointing at a contact with no state yet, which is harmless (the next
//   event for it starts that contact). A single index object would serialise every webhook.
//   The `action:<id>` object also records which contact holds that intent (sends and replies
//   alike), for claim/finish/ledger by action id from outside. That record is ids only, so it
//   outlives the contact's erasure like the ledger row itself; the link does not.
//   A `message:<provider>:<provider id>` key leads to the contact a provider's message id was
//   given to (a status callback without Rekindle's query); that contact's ledger names the
//   action. The contact lists the key among its links, so erasure frees it like any other.
// - `limit:<key>`: one counter that spans contacts (sends to one address, a shop's budget),
//   taken in one synchronous transaction.
// - `registry`: every contact id, written once when a contact is created, so that `eraseAll`
//   (Shopify `shop/redact`) can reach objects a namespace cannot list.
// - `outcomes`: the shop's outcome log (no personal data) and its daily roll-ups. A contact's
//   commit writes its lines to its own outbox in the same transaction; the store then hands
//   them to the log object and empties the outbox. Each line carries an id made at commit, so
//   a hand-over repeated after a crash (the next commit carries the outbox again) adds nothing.
//   One object takes every line: plenty for one shop's decisions, and the report reads one place.
//   Beside the lines, the message index (stores/message-index.js: `message_index`, by action id).
// - `log:<name>`: a named append-only log (stores/logs.js: the console's audit log, the
//   playbook's publications). A contact's timeline is not one of these: it lives in the
//   contact's own object (`timeline` table), written in its commit and gone with its erasure.
// There is no global due index: alarms replace the cron tick, and the worker's own
// `dueBefore`/`claimDue`/`claimable` are empty (POST /tick answers zeros; sends go out anyway). For the
// same reason `dueSummary` (GET /health) knows no backlog from the Worker: it answers
// `scheduler: 'alarms'` with null counts, and one contact's backlog through `forContact`.
// No tick is recorded: an alarm is the platform's scheduler, retried by workerd when it throws.
// Tenancy: `prefix` starts every object name, so one namespace holds many shops apart (the
// Shopify app gives each shop `<shop>/`); a contact object keeps its prefix, so its alarm
// asks `contactObject`'s options for its own tenant's (`options(env, { prefix })`).

import { DurableObject } from 'cloudflare:workers';
import * as rekindle from 'rekindle';
import { createRuntime } from '../runtime.js';
import { AUDIT_LOG, POLICY_LOG } from './logs.js';
import { indexEntry } from './message-index.js';

const CONTACT = 'contact:';
const PAGE = 100;
const actionKey = (id) => `action:${id}`;
const messageKey = (provider, providerId) => `message:${provider}:${providerId}`;

/**
 * The store for the Worker's handler. `namespace` is the Durable Object binding whose class is
 * `contactObject(...)`.
 * @returns {import('../../../pkg/server.d.ts').RekindleStore & { forContact(contactId: string): object, within(object: object): object }}
 */
export function durableObjectStore(namespace, { here = null, prefix = '' } = {}) {
  const stub = (name) => namespace.get(namespace.idFromName(prefix + name));
  const contact = (contactId) => (here && here.contactId === contactId ? here : stub(CONTACT + contactId));
  /** The contact holding intent `id`: this one if it does, else the one the ledger index names. */
  const holderId = async (id) => (here?.holds(id) ? here.contactId : stub(`link:${actionKey(id)}`).holder());
  const holder = async (id) => {
    const contactId = await holderId(id);
    return contactId ? contact(contactId) : null;
  };

  return {
    load: (contactId) => contact(contactId).load(),

    async commit(contactId, change) {
      const keys = [...new Set(change.links)];
      await Promise.all([
        change.expected === 0 ? stub('registry').register(contactId) : null,
        ...change.intents.map(({ id }) => stub(`link:${actionKey(id)}`).hold(contactId)),
      ]);
      const owners = await Promise.all(keys.map((key) => stub(`link:${key}`).claimLink(contactId)));
      const won = keys.filter((_, i) => owners[i] === contactId);
      const { ok, release, outbox = [] } = await contact(contactId).commit(contactId, change, won, prefix);
      if (outbox.length) {
        await stub('outcomes').appendOutcomes(outbox);
        // An object being forgotten has deleted its storage (and its outbox) already.
        if (!change.forget) await contact(contactId).handedOver(outbox.map((o) => o.id));
      }
      // After the commit: released before it, a refused erase would leave a contact unfindable.
      await Promise.all(release.map((key) => stub(`link:${key}`).releaseLink(contactId, { forget: change.forget })));
      if (ok && change.forget) await stub('registry').unregister(contactId);
      return ok;
    },

    take: (key, max, windowMs, now) => stub(`limit:${key}`).take(max, windowMs, now),
    appendLog: (name, lines, expected = null) => stub(`log:${name}`).appendLog(lines, expected),
    readLog: async (name, limit = Infinity) => {
      const limited = Number.isFinite(limit) ? limit : -1; // Infinity does not survive RPC
      return name.startsWith('timeline:') ? contact(name.slice('timeline:'.length)).readTimeline(limited) : stub(`log:${name}`).readLog(limited);
    },
    // From the Worker only: a contact's alarm has no business reading the whole shop's log
    // (the runtime rolls up only where the store offers it: the Worker's cron tick).
    readOutcomes: here ? undefined : () => stub('outcomes').readOutcomes(),
    rollUpOutcomes: here ? undefined : (rolled) => stub('outcomes').rollUpOutcomes(rolled),
    readMessage: here ? undefined : (actionId) => stub('outcomes').readMessage(actionId),

    async resolve(keys) {
      for (const key of keys) {
        const owner = await stub(`link:${key}`).linkOwner();
        if (owner) return owner;
      }
      return null;
    },

    // Scoped to the object when running inside one; empty from outside (alarms drive sends).
    dueBefore: async (now, limit) => (here ? here.dueBefore(now, limit) : []),
    // No lease: the due index is one contact's own and its alarm is its only regular ticker. A
    // tick overlapping it (a retried alarm, forContact().tick()) decides that contact's few
    // entries again, which the compare-and-set makes harmless; the waste leases prevent
    // elsewhere is tickers of a whole shop's index deciding the same hundred entries.
    claimDue: async (now, limit) => (here ? here.dueBefore(now, limit) : []),
    claimable: async (now, limit) => (here ? here.claimable(now, limit) : []),
    dueSummary: async (now) => (here ? here.dueSummary(now) : { due: null, oldestDueAt: null, lastTickAt: null, scheduler: 'alarms' }),
    recordTick: async () => {}, // alarms are the scheduler: nothing ticks from outside

    claim: async (id, owner, now, leaseMs) => (await holder(id))?.claim(id, owner, now, leaseMs) ?? null,
    async finish(id, owner, outcome) {
      const contactId = await holderId(id);
      if (!contactId) return false;
      // Claimed before the ledger records it, as a commit claims its keys: a crash in between
      // leaves a key leading to a contact whose ledger does not name the message (no match).
      const key = outcome.provider && outcome.providerId ? messageKey(outcome.provider, outcome.providerId) : null;
      if (key) await stub(`link:${key}`).claimLink(contactId);
      return contact(contactId).finish(id, owner, outcome, key);
    },

    async providerMessage(provider, providerId) {
      const contactId = await stub(`link:${messageKey(provider, providerId)}`).linkOwner();
      const actionId = contactId ? await contact(contactId).sentAs(provider, providerId) : null;
      return actionId ? { contactId, actionId } : null;
    },
    retryLater: async (id, owner, nextAt) => (await holder(id))?.retryLater(id, owner, nextAt) ?? false,
    ledger: async (id) => (await holder(id))?.ledger(id) ?? null,

    /** Every contact in the registry, a page at a time; a retry carries on where this stopped. */
    async eraseAll() {
      const registry = stub('registry');
      await stub('outcomes').dropOutcomes();
      await Promise.all([AUDIT_LOG, POLICY_LOG].map((name) => stub(`log:${name}`).dropOutcomes()));
      for (let page = await registry.registered(PAGE); page.length > 0; page = await registry.registered(PAGE)) {
        for (const contactId of page) {
          const { links, intents } = await stub(CONTACT + contactId).drop();
          const keys = new Set([...links, ...intents.map(actionKey)]);
          await Promise.all([...keys].map((key) => stub(`link:${key}`).drop()));
          await registry.unregister(contactId);
        }
      }
    },

    async close() {},

    /** One contact's due entries and claimable intents (operations, tests): what its alarm sees. */
    forContact: (contactId) => ({
      dueBefore: (now, limit) => contact(contactId).dueBefore(now, limit),
      claimDue: (now, limit) => contact(contactId).dueBefore(now, limit),
      claimable: (now, limit) => contact(contactId).claimable(now, limit),
      dueSummary: (now) => contact(contactId).dueSummary(now),
      tick: () => contact(contactId).tick(),
    }),

    /** This store as seen from inside contact `object`: its own calls stay local. */
    within: (object) => durableObjectStore(namespace, { here: object, prefix }),
  };
}

/**
 * The Durable Object class, to be exported from the Worker under the name its binding gives:
 * `export const RekindleContact = contactObject((env) => options)`, with the same options as
 * `createHandler` (whose `store` must be `durableObjectStore(env.<BINDING>)`). Without options
 * it is a store only: no alarms, no sends (the store contract test runs it so).
 */
export function contactObject(options = null) {
  return class RekindleContact extends DurableObject {
    #sql;
    #tables; // the tables this object has: a lookup of an unknown key must not create storage
    #configured; // a promise of the options, resolved once
    #runtime; // a promise, built on the first alarm
    #now = Date.now; // the runtime's clock, once the options are known
    #log = () => {};

    constructor(ctx, env) {
      super(ctx, env);
      this.#sql = ctx.storage.sql;
      this.#tables = new Set(this.#sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name));
      // An object made before sends were found by their provider's id.
      if (this.#tables.has('intents') && !this.#one('intents', "SELECT 1 AS yes FROM pragma_table_info('intents') WHERE name = 'provider'")) {
        this.#sql.exec('ALTER TABLE intents ADD COLUMN provider TEXT');
      }
    }

    /** The contact this object is (null until its first commit, and for link and registry objects). */
    get contactId() {
      return this.#one('contact', 'SELECT contact_id FROM contact')?.contact_id ?? null;
    }

    // ---------- contact ----------

    load() {
      const row = this.#one('contact', 'SELECT state, version FROM contact');
      return row ? { state: row.state, version: row.version } : null;
    }

    /** Compare-and-set and everything with it, in one transaction. Returns the link keys erasure frees. */
    async commit(contactId, change, linked, prefix = '') {
      if (prefix && !this.#tenant()) {
        this.#create('tenant');
        this.#sql.exec('INSERT OR IGNORE INTO tenant (one, prefix) VALUES (1, ?)', prefix);
      }
      await this.#configure(); // the clock the alarm is armed by
      this.#create('contact', 'due', 'intents', 'links');
      if (change.outcomes?.length) this.#create('outbox');
      if (change.timeline?.length) this.#create('timeline');
      const outcome = this.ctx.storage.transactionSync(() => {
        // Keys already claimed point here whatever the outcome: recorded so erasure frees them.
        for (const key of linked) this.#sql.exec('INSERT OR IGNORE INTO links (key) VALUES (?)', key);
        const current = this.#one('contact', 'SELECT version FROM contact')?.version ?? 0;
        if (current !== change.expected) return { ok: false, release: [] };
        this.#sql.exec(
          'INSERT INTO contact (one, contact_id, state, version) VALUES (1, ?, ?, ?) ON CONFLICT (one) DO UPDATE SET state = excluded.state, version = excluded.version',
          contactId, change.state, current + 1,
        );
        let release = [];
        if (change.purge) this.#change('timeline', 'DELETE FROM timeline');
        for (const line of change.timeline ?? []) this.#sql.exec('INSERT INTO timeline (line) VALUES (?)', line);
        if (change.purge) {
          // First, so this change's own entries stay; the keys it claimed again stay linked.
          release = this.#sql.exec('SELECT key FROM links').toArray().map((r) => r.key).filter((key) => !linked.includes(key));
          for (const key of release) this.#sql.exec('DELETE FROM links WHERE key = ?', key);
          this.#sql.exec('DELETE FROM due');
          this.#sql.exec("UPDATE intents SET status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END, action = NULL, detail = NULL, provider = NULL, provider_id = NULL");
        }
        for (const id of change.unschedule) this.#sql.exec('DELETE FROM due WHERE id = ?', id);
        if (change.settle) this.#sql.exec('DELETE FROM due WHERE id = ? AND at = ?', change.settle.id, change.settle.at);
        for (const { id, at } of change.schedule) this.#sql.exec('INSERT OR REPLACE INTO due (id, at) VALUES (?, ?)', id, at);
        for (const { id, action } of change.intents) {
          this.#sql.exec("INSERT OR IGNORE INTO intents (id, action, status) VALUES (?, ?, 'pending')", id, JSON.stringify(action));
        }
        for (const { journey, line } of change.outcomes ?? []) {
          this.#sql.exec('INSERT INTO outbox (id, journey, line) VALUES (?, ?, ?)', crypto.randomUUID(), journey, line);
        }
        // Lines not yet handed to the log (this commit's, and any a crash left behind).
        const outbox = this.#rows('outbox', 'SELECT id, journey, line FROM outbox ORDER BY rowid');
        if (change.forget) {
          // Forgotten whole (an anonymous visitor): no tombstone, no ledger rows.
          release = this.#sql.exec('SELECT key FROM links').toArray().map((r) => r.key);
          for (const table of ['links', 'due', 'intents', 'contact']) this.#sql.exec(`DELETE FROM ${table}`);
          return { ok: true, release, forget: true, outbox };
        }
        if (change.erase) {
          this.#change('timeline', 'DELETE FROM timeline'); // it quotes the messages
          release = this.#sql.exec('SELECT key FROM links').toArray().map((r) => r.key);
          this.#sql.exec('DELETE FROM links');
          this.#sql.exec('DELETE FROM due');
          // The provider's id leads to the message (and its address) at the provider: it goes too.
          this.#sql.exec("UPDATE intents SET status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END, action = NULL, detail = NULL, provider = NULL, provider_id = NULL");
        }
        return { ok: true, release, outbox };
      });
      if (outcome.forget) {
        await this.ctx.storage.deleteAlarm();
        await this.ctx.storage.deleteAll();
        this.#tables.clear();
        return { ok: true, release: outcome.release, outbox: outcome.outbox };
      }
      if (outcome.ok) this.#arm();
      return outcome;
    }

    /** This contact's timeline: its last `limit` lines (-1: all) and how many it holds. */
    readTimeline(limit) {
      const lines = this.#rows('timeline', 'SELECT line FROM (SELECT seq, line FROM timeline ORDER BY seq DESC LIMIT ?) ORDER BY seq', limit).map((r) => r.line);
      return { lines, count: this.#one('timeline', 'SELECT COUNT(*) AS n FROM timeline')?.n ?? 0 };
    }

    /** The log object has these lines: they leave the outbox. */
    handedOver(ids) {
      for (const id of ids) this.#change('outbox', 'DELETE FROM outbox WHERE id = ?', id);
    }

    dueBefore(now, limit) {
      const contactId = this.contactId;
      return this.#rows('due', 'SELECT id, at FROM due WHERE at <= ? ORDER BY at LIMIT ?', now, limit).map((r) => ({ id: r.id, contactId, at: r.at }));
    }

    /** This contact's backlog: its due entries at or before `now`. */
    dueSummary(now) {
      const row = this.#one('due', 'SELECT COUNT(*) AS due, MIN(at) AS oldest FROM due WHERE at <= ?', now);
      return { due: row?.due ?? 0, oldestDueAt: row?.oldest ?? null, lastTickAt: null, scheduler: 'alarms' };
    }

    claimable(now, limit) {
      return this.#rows('intents', "SELECT id FROM intents WHERE status = 'pending' AND next_at <= ?1 AND lease_until <= ?1 LIMIT ?2", now, limit).map((r) => r.id);
    }

    holds(id) {
      return this.#one('intents', 'SELECT 1 AS yes FROM intents WHERE id = ?', id) !== null;
    }

    async claim(id, owner, now, leaseMs) {
      await this.#configure();
      const row = this.#one('intents', "SELECT action, attempts FROM intents WHERE id = ?1 AND status = 'pending' AND next_at <= ?2 AND lease_until <= ?2", id, now);
      if (!row) return null;
      this.#change('intents', 'UPDATE intents SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?', owner, now + leaseMs, id);
      this.#arm(); // a lease that runs out (its dispatcher died) rings the alarm again
      return { id, contactId: this.contactId, action: JSON.parse(row.action), attempts: row.attempts + 1 };
    }

    /** `key`: the provider message's link key, listed with the contact's links so erasure frees it. */
    async finish(id, owner, { status, provider = null, providerId = null, detail = null }, key = null) {
      await this.#configure();
      // The ledger keeps the outcome, not the message: no address outlives the send.
      const done = this.ctx.storage.transactionSync(() => {
        const changed = this.#change(
          'intents', "UPDATE intents SET status = ?, provider = ?, provider_id = ?, detail = ?, action = NULL, lease_until = 0 WHERE id = ? AND owner = ? AND status = 'pending'",
          status, provider, providerId, detail, id, owner,
        ) > 0;
        if (changed && key) this.#sql.exec('INSERT OR IGNORE INTO links (key) VALUES (?)', key);
        return changed;
      });
      this.#arm();
      return done;
    }

    /** The action this contact's provider message id was given to, or null. */
    sentAs(provider, providerId) {
      return this.#one('intents', 'SELECT id FROM intents WHERE provider = ? AND provider_id = ?', provider, providerId)?.id ?? null;
    }

    async retryLater(id, owner, nextAt) {
      await this.#configure();
      const done = this.#change(
        'intents', "UPDATE intents SET next_at = ?, lease_until = 0, owner = NULL WHERE id = ? AND owner = ? AND status = 'pending'",
        nextAt, id, owner,
      ) > 0;
      this.#arm();
      return done;
    }

    ledger(id) {
      const row = this.#one('intents', 'SELECT status, attempts, provider_id, detail FROM intents WHERE id = ?', id);
      return row ? { status: row.status, attempts: row.attempts, providerId: row.provider_id ?? null, detail: row.detail ?? null } : null;
    }

    /** This contact's due events through the engine, then its sends: what the alarm runs. */
    async tick() {
      const runtime = await this.#ready();
      if (!runtime) return { due: 0, sent: 0, failed: 0, retrying: 0 };
      try {
        return await runtime.tick();
      } finally {
        this.#arm();
      }
    }

    async alarm() {
      try {
        await this.tick();
      } catch (error) {
        // Left to workerd's own alarm retries the whole tick would repeat; the lease and the
        // compare-and-set make a repeat harmless, but a short fixed pause keeps it gentle.
        this.#log('error', 'alarm failed', { error: String(error?.message ?? error) });
        if (this.#next() !== null) await this.ctx.storage.setAlarm(Date.now() + 30_000);
      }
    }

    // ---------- the outcome log (the `outcomes` object) ----------

    /** Lines from a contact's outbox; one already here (a repeated hand-over) is not added again. */
    appendOutcomes(lines) {
      this.#create('outcomes', 'rollups', 'message_index');
      this.ctx.storage.transactionSync(() => {
        for (const { id, journey, line } of lines) {
          this.#sql.exec('INSERT OR IGNORE INTO outcomes (id, journey, line) VALUES (?, ?, ?)', id, journey, line);
          const entry = indexEntry(line);
          // Keyed by the line's seq: a repeated hand-over indexes nothing twice.
          if (entry) {
            this.#sql.exec('INSERT OR IGNORE INTO message_index (seq, action_id, journey, sent, at, line) SELECT seq, ?, journey, ?, ?, line FROM outcomes WHERE id = ?',
              entry.send, entry.sent ? 1 : 0, entry.at, id);
          }
        }
      });
    }

    /** The lines naming one send, in log order (runtime.message). */
    readMessage(actionId) {
      return this.#rows('message_index', 'SELECT line FROM message_index WHERE action_id = ? ORDER BY seq', actionId).map((r) => r.line);
    }

    readOutcomes() {
      const rows = this.#rows('outcomes', 'SELECT seq, line FROM outcomes ORDER BY seq');
      const kept = this.#one('rollups', 'SELECT body, version FROM rollups');
      return { lines: rows.map((r) => r.line), rollups: kept?.body ?? null, upTo: rows.length ? rows[rows.length - 1].seq : 0, version: kept?.version ?? 0 };
    }

    rollUpOutcomes({ upTo, version, journeys, rollups, forgetBefore = null }) {
      this.#create('outcomes', 'rollups', 'message_index');
      return this.ctx.storage.transactionSync(() => {
        if ((this.#one('rollups', 'SELECT version FROM rollups')?.version ?? 0) !== version) return false;
        this.#sql.exec('INSERT INTO rollups (one, body, version) VALUES (1, ?, 1) ON CONFLICT (one) DO UPDATE SET body = excluded.body, version = version + 1', rollups);
        for (const journey of journeys) {
          this.#sql.exec('DELETE FROM outcomes WHERE journey = ? AND seq <= ?', journey, upTo);
          // A rolled-up send keeps its `sent` line as its record, until the retention horizon.
          this.#sql.exec('DELETE FROM message_index WHERE journey = ? AND seq <= ? AND sent = 0', journey, upTo);
        }
        if (forgetBefore !== null) {
          this.#sql.exec('DELETE FROM message_index WHERE sent = 1 AND at < ? AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.seq = message_index.seq)', forgetBefore);
        }
        return true;
      });
    }

    async dropOutcomes() {
      await this.ctx.storage.deleteAll();
      this.#tables.clear();
    }

    // ---------- a named log (the `log:<name>` objects) ----------

    /** Appends if the log holds `expected` lines (null: whatever it holds). */
    appendLog(lines, expected) {
      this.#create('log');
      return this.ctx.storage.transactionSync(() => {
        if (expected !== null && this.#one('log', 'SELECT COUNT(*) AS n FROM log').n !== expected) return false;
        for (const line of lines) this.#sql.exec('INSERT INTO log (line) VALUES (?)', line);
        return true;
      });
    }

    readLog(limit) {
      const lines = this.#rows('log', 'SELECT line FROM (SELECT seq, line FROM log ORDER BY seq DESC LIMIT ?) ORDER BY seq', limit).map((r) => r.line);
      return { lines, count: this.#one('log', 'SELECT COUNT(*) AS n FROM log')?.n ?? 0 };
    }

    // ---------- link (and the holder of an action), registry ----------

    /** First claim wins; answers the owner. */
    claimLink(contactId) {
      this.#create('link');
      this.#sql.exec('INSERT OR IGNORE INTO link (one, contact_id) VALUES (1, ?)', contactId);
      return this.linkOwner();
    }

    linkOwner() {
      return this.#one('link', 'SELECT contact_id FROM link')?.contact_id ?? null;
    }

    async releaseLink(contactId, { forget = false } = {}) {
      const released = this.#change('link', 'DELETE FROM link WHERE contact_id = ?', contactId) > 0;
      if (forget && released) {
        // Nothing else lives in a link object: a forgotten visitor's keys leave no storage.
        await this.ctx.storage.deleteAll();
        this.#tables.clear();
      }
    }

    /** On a `limit:<key>` object: one more within the window, if `max` allows. */
    take(max, windowMs, now) {
      this.#create('counter');
      return this.ctx.storage.transactionSync(() => {
        const row = this.#one('counter', 'SELECT count, reset_at FROM counter');
        if (!row || row.reset_at <= now) {
          if (max < 1) return false;
          this.#sql.exec('INSERT OR REPLACE INTO counter (one, count, reset_at) VALUES (1, 1, ?)', now + windowMs);
          return true;
        }
        if (row.count >= max) return false;
        this.#sql.exec('UPDATE counter SET count = count + 1');
        return true;
      });
    }

    /** On an `action:<id>` object: the contact whose intent this is (kept through erasure). */
    hold(contactId) {
      this.#create('holder');
      this.#sql.exec('INSERT OR IGNORE INTO holder (one, contact_id) VALUES (1, ?)', contactId);
    }

    holder() {
      return this.#one('holder', 'SELECT contact_id FROM holder')?.contact_id ?? null;
    }

    register(contactId) {
      this.#create('registry');
      this.#sql.exec('INSERT OR IGNORE INTO registry (contact_id) VALUES (?)', contactId);
    }

    registered(limit) {
      return this.#rows('registry', 'SELECT contact_id FROM registry LIMIT ?', limit).map((r) => r.contact_id);
    }

    unregister(contactId) {
      this.#change('registry', 'DELETE FROM registry WHERE contact_id = ?', contactId);
    }

    /** Everything goes. Answers the keys and action ids whose objects must go too. */
    async drop() {
      const links = this.#rows('links', 'SELECT key FROM links').map((r) => r.key);
      const intents = this.#rows('intents', 'SELECT id FROM intents').map((r) => r.id);
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      this.#tables.clear();
      return { links, intents };
    }

    // ---------- plumbing ----------

    /** Rows of a query on `table`; none before the table exists. */
    #rows(table, query, ...bindings) {
      return this.#tables.has(table) ? this.#sql.exec(query, ...bindings).toArray() : [];
    }

    #one(table, query, ...bindings) {
      return this.#rows(table, query, ...bindings)[0] ?? null;
    }

    /** A write that changes rows of `table`: how many it changed (none before the table exists). */
    #change(table, query, ...bindings) {
      if (!this.#tables.has(table)) return 0;
      const cursor = this.#sql.exec(query, ...bindings);
      cursor.toArray();
      return cursor.rowsWritten;
    }

    /** Each object makes only the tables of its role, on its first write. */
    #create(...tables) {
      for (const table of tables) {
        if (this.#tables.has(table)) continue;
        this.#sql.exec(SCHEMA[table]);
        this.#tables.add(table);
      }
    }

    /** The earliest due entry or claimable moment, in the runtime's clock; null if none. */
    #next() {
      if (!this.#tables.has('due')) return null;
      const row = this.#one('due', `SELECT MIN(t) AS t FROM (
        SELECT MIN(at) AS t FROM due
        UNION ALL SELECT MIN(MAX(next_at, lease_until)) FROM intents WHERE status = 'pending')`);
      return row?.t ?? null;
    }

    /**
     * The alarm rings at the next moment something is due. Alarms run on the wall clock and the
     * runtime on its own `now` (the same in production, moved in tests), so the alarm is set
     * after the interval the runtime's clock gives. A store-only object never arms.
     */
    #arm() {
      if (!options) return;
      const next = this.#next();
      if (next === null) this.ctx.storage.deleteAlarm();
      else this.ctx.storage.setAlarm(Date.now() + Math.max(0, next - this.#now()));
    }

    /** The merchant's options (null for a store-only object); sets the clock and the log. */
    #configure() {
      if (!options) return Promise.resolve(null);
      this.#configured ??= (async () => {
        const o = typeof options === 'function' ? await options(this.env, { prefix: this.#tenant() }) : options;
        if (typeof o.store?.within !== 'function') throw new TypeError('contactObject: options.store must be durableObjectStore(env.<binding>)');
        this.#now = o.now ?? Date.now;
        this.#log = o.log ?? this.#log;
        return o;
      })();
      this.#configured.catch(() => {
        this.#configured = undefined;
      });
      return this.#configured;
    }

    /** The store prefix this contact was committed under ('' without tenancy). */
    #tenant() {
      return this.#one('tenant', 'SELECT prefix FROM tenant')?.prefix ?? '';
    }

    #ready() {
      if (!options) return Promise.resolve(null);
      this.#runtime ??= (async () => {
        const o = await this.#configure();
        await rekindle.init();
        return createRuntime({ rekindle, ...o, store: o.store.within(this), linkSecret: o.secrets?.links ?? o.secrets?.salt });
      })();
      this.#runtime.catch(() => {
        this.#runtime = undefined;
      });
      return this.#runtime;
    }
  };
}

// Tables by role: a contact has the first four, a link object `link` (and `holder` when its key
// is an action's), the registry `registry`. Every SQLite table costs storage even when empty
// (a few kilobytes, by Cloudflare's FAQ), so an object makes only those it writes.
const SCHEMA = {
  contact: 'CREATE TABLE IF NOT EXISTS contact (one INTEGER PRIMARY KEY CHECK (one = 1), contact_id TEXT NOT NULL, state TEXT NOT NULL, version INTEGER NOT NULL)',
  due: 'CREATE TABLE IF NOT EXISTS due (id TEXT PRIMARY KEY, at INTEGER NOT NULL)',
  intents: `CREATE TABLE IF NOT EXISTS intents (id TEXT PRIMARY KEY, action TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0, provider_id TEXT, detail TEXT, provider TEXT)`,
  links: 'CREATE TABLE IF NOT EXISTS links (key TEXT PRIMARY KEY)',
  link: 'CREATE TABLE IF NOT EXISTS link (one INTEGER PRIMARY KEY CHECK (one = 1), contact_id TEXT NOT NULL)',
  holder: 'CREATE TABLE IF NOT EXISTS holder (one INTEGER PRIMARY KEY CHECK (one = 1), contact_id TEXT NOT NULL)',
  registry: 'CREATE TABLE IF NOT EXISTS registry (contact_id TEXT PRIMARY KEY)',
  tenant: 'CREATE TABLE IF NOT EXISTS tenant (one INTEGER PRIMARY KEY CHECK (one = 1), prefix TEXT NOT NULL)',
  counter: 'CREATE TABLE IF NOT EXISTS counter (one INTEGER PRIMARY KEY CHECK (one = 1), count INTEGER NOT NULL, reset_at INTEGER NOT NULL)',
  // A contact's lines not yet in the log; the log object's lines and roll-ups.
  outbox: 'CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, journey TEXT NOT NULL, line TEXT NOT NULL)',
  outcomes: 'CREATE TABLE IF NOT EXISTS outcomes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, journey TEXT NOT NULL, line TEXT NOT NULL)',
  rollups: 'CREATE TABLE IF NOT EXISTS rollups (one INTEGER PRIMARY KEY CHECK (one = 1), body TEXT NOT NULL, version INTEGER NOT NULL)',
  message_index: `CREATE TABLE IF NOT EXISTS message_index (seq INTEGER PRIMARY KEY, action_id TEXT NOT NULL, journey TEXT NOT NULL,
    sent INTEGER NOT NULL, at INTEGER NOT NULL, line TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS message_index_by_action ON message_index (action_id, seq);
    CREATE INDEX IF NOT EXISTS message_index_by_journey ON message_index (journey, seq);
    CREATE INDEX IF NOT EXISTS message_index_sent_by_time ON message_index (at) WHERE sent = 1`,
  // A contact's timeline (personal data: goes with it); a named log object's lines.
  timeline: 'CREATE TABLE IF NOT EXISTS timeline (seq INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL)',
  log: 'CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL)',
};
