// The embedded default: one SQLite file, no server (better-sqlite3, Node only). Every
// commit is one IMMEDIATE transaction: the state's compare-and-set, its due-index changes,
// its dispatch intents and its index links land together or not at all, so a crash never
// leaves a decision half-applied. WAL mode lets several processes share the file.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS contacts (id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL);
-- owner, lease_until: the ticker that claimed the entry (claimDue) and until when.
CREATE TABLE IF NOT EXISTS due (action_id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, at INTEGER NOT NULL,
  owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS due_by_time ON due (at);
CREATE INDEX IF NOT EXISTS due_by_contact ON due (contact_id);
CREATE TABLE IF NOT EXISTS links (key TEXT PRIMARY KEY, contact_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_by_contact ON links (contact_id);
-- Dispatch intents; once finished, the ledger of dispatched action ids (payload dropped).
CREATE TABLE IF NOT EXISTS intents (
  action_id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, action TEXT,
  status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
  provider_id TEXT, detail TEXT, provider TEXT);
CREATE INDEX IF NOT EXISTS intents_pending ON intents (status, next_at);
CREATE INDEX IF NOT EXISTS intents_by_contact ON intents (contact_id);
-- The scheduler's own records (the last tick's time): no personal data, kept through eraseAll.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- Counters that span contacts (limits on sends to one address, a shop's budget): fixed windows.
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS counters_by_reset ON counters (reset_at);
-- The outcome log (no personal data, so it outlives journeys and erasure) and its daily roll-ups.
CREATE TABLE IF NOT EXISTS outcomes (seq INTEGER PRIMARY KEY AUTOINCREMENT, journey TEXT NOT NULL, line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outcomes_by_journey ON outcomes (journey);
CREATE TABLE IF NOT EXISTS rollups (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, version INTEGER NOT NULL);
-- The message index (stores/message-index.js): the lines naming each send, by its action id;
-- seq is the line's seq in outcomes, so a line still there is live, one gone was rolled up.
CREATE TABLE IF NOT EXISTS message_index (seq INTEGER PRIMARY KEY, action_id TEXT NOT NULL, journey TEXT NOT NULL,
  sent INTEGER NOT NULL, at INTEGER NOT NULL, line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS message_index_by_action ON message_index (action_id, seq);
CREATE INDEX IF NOT EXISTS message_index_by_journey ON message_index (journey, seq);
CREATE INDEX IF NOT EXISTS message_index_sent_by_time ON message_index (at) WHERE sent = 1;
-- Named append-only logs: the console's audit log, the playbook's publications, and each
-- contact's timeline ('timeline:' || contact id), which goes with the contact.
CREATE TABLE IF NOT EXISTS logs (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, line TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_by_name ON logs (name, seq);
`;

import { timelineLog } from './logs.js';
import { indexEntry } from './message-index.js';

/** `Database`: the better-sqlite3 constructor (a peer dependency, passed in). */
export function sqliteStore(Database, path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // A checkpoint syncs the WAL and the database file, stalling the one thread: a decision's
  // commit touches ~15 pages (state, due entries, links, timeline, outcome, their indexes), so
  // the default (1,000 pages) checkpointed every ~70 commits. At 16,000 (a WAL of up to
  // ~64 MB) a commit took 0.50 ms of CPU and 1.6 ms of wall time instead of 0.67 and 3.4
  // (BENCHMARKS.md, issue 20). Erasure still truncates the WAL at once (eraseDone).
  db.pragma('wal_autocheckpoint = 16000');
  // Erasure must leave nothing in the file: deleted and overwritten content is zeroed rather
  // than left in free pages (SQLite's secure_delete pragma), and the WAL, which holds the old
  // pages, is checkpointed and truncated after each erasure (eraseDone below).
  db.pragma('secure_delete = ON');
  db.exec(SCHEMA);
  // A file made before due entries were leased: the columns come with their defaults.
  if (!db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('due', 'lease_until')) {
    db.exec('ALTER TABLE due ADD COLUMN owner TEXT; ALTER TABLE due ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;');
  }
  // A file made before sends were found by their provider's id: the column, then its index.
  if (!db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('intents', 'provider')) {
    db.exec('ALTER TABLE intents ADD COLUMN provider TEXT');
  }
  db.exec('CREATE INDEX IF NOT EXISTS intents_by_message ON intents (provider, provider_id) WHERE provider_id IS NOT NULL');

  const q = {
    load: db.prepare('SELECT state, version FROM contacts WHERE id = ?'),
    insert: db.prepare('INSERT INTO contacts (id, state, version) VALUES (?, ?, 1) ON CONFLICT (id) DO NOTHING'),
    update: db.prepare('UPDATE contacts SET state = ?, version = version + 1 WHERE id = ? AND version = ?'),
    // A lease is on the entry's time: a moved entry is free again (its old time's holder cannot settle it).
    schedule: db.prepare(`INSERT INTO due (action_id, contact_id, at) VALUES (?, ?, ?) ON CONFLICT (action_id) DO UPDATE SET
      contact_id = excluded.contact_id, owner = CASE WHEN at = excluded.at THEN owner END,
      lease_until = CASE WHEN at = excluded.at THEN lease_until ELSE 0 END, at = excluded.at`),
    unschedule: db.prepare('DELETE FROM due WHERE action_id = ?'),
    settle: db.prepare('DELETE FROM due WHERE action_id = ? AND at = ?'),
    link: db.prepare('INSERT INTO links (key, contact_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    intend: db.prepare('INSERT INTO intents (action_id, contact_id, action) VALUES (?, ?, ?) ON CONFLICT (action_id) DO NOTHING'),
    due: db.prepare('SELECT action_id AS id, contact_id AS contactId, at FROM due WHERE at <= ? ORDER BY at LIMIT ?'),
    dueFree: db.prepare('SELECT action_id AS id, contact_id AS contactId, at FROM due WHERE at <= ? AND lease_until <= ? ORDER BY at LIMIT ?'),
    leaseDue: db.prepare('UPDATE due SET owner = ?, lease_until = ? WHERE action_id = ?'),
    dueSummary: db.prepare('SELECT COUNT(*) AS due, MIN(at) AS oldestDueAt FROM due WHERE at <= ?'),
    lastTick: db.prepare("SELECT value FROM meta WHERE key = 'lastTickAt'"),
    recordTick: db.prepare("INSERT INTO meta (key, value) VALUES ('lastTickAt', ?) ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)"),
    claimable: db.prepare("SELECT action_id AS id FROM intents WHERE status = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at LIMIT ?"),
    claim: db.prepare("UPDATE intents SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE action_id = ? AND status = 'pending' AND next_at <= ? AND lease_until <= ? RETURNING action_id AS id, contact_id AS contactId, action, attempts"),
    finish: db.prepare("UPDATE intents SET status = ?, provider = ?, provider_id = ?, detail = ?, action = NULL, lease_until = 0 WHERE action_id = ? AND owner = ? AND status = 'pending'"),
    providerMessage: db.prepare('SELECT contact_id AS contactId, action_id AS actionId FROM intents WHERE provider = ? AND provider_id = ? LIMIT 1'),
    retry: db.prepare("UPDATE intents SET next_at = ?, lease_until = 0, owner = NULL WHERE action_id = ? AND owner = ? AND status = 'pending'"),
    ledger: db.prepare('SELECT status, attempts, provider_id AS providerId, detail FROM intents WHERE action_id = ?'),
    eraseDue: db.prepare('DELETE FROM due WHERE contact_id = ?'),
    eraseLinks: db.prepare('DELETE FROM links WHERE contact_id = ?'),
    forgetContact: db.prepare('DELETE FROM contacts WHERE id = ?'),
    forgetIntents: db.prepare('DELETE FROM intents WHERE contact_id = ?'),
    counter: db.prepare('SELECT count, reset_at AS resetAt FROM counters WHERE key = ?'),
    restart: db.prepare('INSERT INTO counters (key, count, reset_at) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET count = 1, reset_at = excluded.reset_at'),
    count: db.prepare('UPDATE counters SET count = count + 1 WHERE key = ?'),
    expireCounters: db.prepare('DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE reset_at <= ? LIMIT 100)'),
    appendOutcome: db.prepare('INSERT INTO outcomes (journey, line) VALUES (?, ?)'),
    indexMessage: db.prepare('INSERT INTO message_index (seq, action_id, journey, sent, at, line) VALUES (?, ?, ?, ?, ?, ?)'),
    message: db.prepare('SELECT line FROM message_index WHERE action_id = ? ORDER BY seq'),
    unindexRolled: db.prepare('DELETE FROM message_index WHERE journey = ? AND seq <= ? AND sent = 0'),
    forgetMessages: db.prepare('DELETE FROM message_index WHERE sent = 1 AND at < ? AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.seq = message_index.seq)'),
    outcomes: db.prepare('SELECT seq, line FROM outcomes ORDER BY seq'),
    rollups: db.prepare('SELECT body, version FROM rollups WHERE id = 1'),
    setRollups: db.prepare('INSERT INTO rollups (id, body, version) VALUES (1, ?, 1) ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = version + 1'),
    dropRolled: db.prepare('DELETE FROM outcomes WHERE journey = ? AND seq <= ?'),
    appendLog: db.prepare('INSERT INTO logs (name, line) VALUES (?, ?)'),
    logCount: db.prepare('SELECT COUNT(*) AS n FROM logs WHERE name = ?'),
    readLog: db.prepare('SELECT line FROM (SELECT seq, line FROM logs WHERE name = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq'),
    dropLog: db.prepare('DELETE FROM logs WHERE name = ?'),
    // The provider's id leads to the message (and its address) at the provider: it goes too.
    eraseIntents: db.prepare("UPDATE intents SET action = NULL, detail = NULL, provider = NULL, provider_id = NULL, status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END WHERE contact_id = ?"),
  };

  // `SELECT ... WHERE key IN (?, ?, ...)`, prepared once per number of keys.
  const resolveByCount = new Map();
  const resolveAll = (count) => {
    if (!resolveByCount.has(count)) resolveByCount.set(count, db.prepare(`SELECT key, contact_id FROM links WHERE key IN (${Array(count).fill('?').join(', ')})`).raw());
    return resolveByCount.get(count);
  };

  const eraseRows = (contactId) => {
    q.dropLog.run(timelineLog(contactId));
    q.eraseDue.run(contactId);
    q.eraseLinks.run(contactId);
    q.eraseIntents.run(contactId);
  };

  // One change's rows; always inside a transaction (commit, or a group's).
  const write = (contactId, change) => {
    const written = change.expected === 0
      ? q.insert.run(contactId, change.state)
      : q.update.run(change.state, contactId, change.expected);
    if (written.changes !== 1) return false;
    if (change.purge) eraseRows(contactId); // first: this change's own entries stay
    for (const id of change.unschedule) q.unschedule.run(id);
    if (change.settle) q.settle.run(change.settle.id, change.settle.at);
    for (const { id, at } of change.schedule) q.schedule.run(id, contactId, at);
    for (const key of change.links) q.link.run(key, contactId);
    for (const { id, action } of change.intents) q.intend.run(id, contactId, JSON.stringify(action));
    for (const { journey, line } of change.outcomes ?? []) {
      const { lastInsertRowid } = q.appendOutcome.run(journey, line);
      const entry = indexEntry(line);
      if (entry) q.indexMessage.run(lastInsertRowid, entry.send, journey, entry.sent ? 1 : 0, entry.at, line);
    }
    for (const line of change.timeline ?? []) q.appendLog.run(timelineLog(contactId), line);
    if (change.erase) eraseRows(contactId);
    if (change.forget) {
      q.dropLog.run(timelineLog(contactId));
      q.eraseDue.run(contactId);
      q.eraseLinks.run(contactId);
      q.forgetIntents.run(contactId);
      q.forgetContact.run(contactId);
    }
    return true;
  };
  const commit = db.transaction(write);

  // Group commit. Commits asked for in one turn of the event loop (concurrent requests reach
  // theirs together under load) are written in one IMMEDIATE transaction, and each caller's
  // promise settles only once that transaction is committed: a 2xx still follows its own
  // commit. What they share (the index pages every commit touches, the WAL frames, the
  // transaction itself) is paid once per group: 0.85 → 0.52 ms per commit in groups of 4-8
  // (BENCHMARKS.md, issue 20). A commit whose compare-and-set fails writes nothing (its check
  // comes first), so it answers false without touching the others; a group that throws is
  // rolled back whole and its commits tried again one by one, so each caller gets its own answer.
  // So a change in a group needs no savepoint of its own: `write`, not the transaction function
  // `commit` (better-sqlite3 nests that in a SAVEPOINT, 0.23 → 0.135 ms of CPU per commit in
  // groups of 6 without: BENCHMARKS.md, issue 20).
  let pending = null;
  const commitGroup = db.transaction((group) => group.map(({ contactId, change }) => write(contactId, change)));
  function commitOne({ contactId, change, resolve, reject }) {
    try {
      resolve(commit.immediate(contactId, change));
    } catch (error) {
      reject(error);
    }
  }
  function flush() {
    const group = pending;
    pending = null;
    if (!group) return undefined; // close() flushed it already
    if (group.length === 1) return commitOne(group[0]);
    let results;
    try {
      results = commitGroup.immediate(group);
    } catch {
      for (const item of group) commitOne(item);
      return undefined;
    }
    group.forEach((item, i) => item.resolve(results[i]));
    return undefined;
  }
  const commitSoon = (contactId, change) => new Promise((resolve, reject) => {
    if (!pending) {
      pending = [];
      setImmediate(flush);
    }
    pending.push({ contactId, change, resolve, reject });
  });

  const readOutcomes = db.transaction(() => {
    const rows = q.outcomes.all();
    const kept = q.rollups.get();
    return { lines: rows.map((r) => r.line), rollups: kept?.body ?? null, upTo: rows.length ? rows[rows.length - 1].seq : 0, version: kept?.version ?? 0 };
  });

  const rollUpOutcomes = db.transaction(({ upTo, version, journeys, rollups, forgetBefore = null }) => {
    if ((q.rollups.get()?.version ?? 0) !== version) return false;
    for (const journey of journeys) {
      q.dropRolled.run(journey, upTo);
      q.unindexRolled.run(journey, upTo); // a rolled-up send keeps its `sent` line
    }
    if (forgetBefore !== null) q.forgetMessages.run(forgetBefore);
    q.setRollups.run(rollups);
    return true;
  });

  const take = db.transaction((key, max, windowMs, now) => {
    q.expireCounters.run(now); // a few at a time: ended windows hold nothing worth keeping
    const row = q.counter.get(key);
    if (!row || row.resetAt <= now) {
      q.restart.run(key, now + windowMs);
      return max >= 1;
    }
    if (row.count >= max) return false;
    q.count.run(key);
    return true;
  });

  const appendLog = db.transaction((name, lines, expected) => {
    if (expected !== null && q.logCount.get(name).n !== expected) return false;
    for (const line of lines) q.appendLog.run(name, line);
    return true;
  });

  const readLog = db.transaction((name, limit) => ({ lines: q.readLog.all(name, limit).map((r) => r.line), count: q.logCount.get(name).n }));

  // Read and lease in one IMMEDIATE transaction: it holds the file's write lock, so two
  // processes' claims cannot interleave.
  const claimDue = db.transaction((now, limit, owner, leaseMs) => {
    const rows = q.dueFree.all(now, now, limit);
    for (const row of rows) q.leaseDue.run(owner, now + leaseMs, row.id);
    return rows;
  });

  // The erased pages' old versions live on in the WAL until a checkpoint copies the new ones
  // into the database and TRUNCATE empties the WAL file. A reader in another process can hold
  // the checkpoint back: the old pages then stay in the WAL until the next erasure checkpoints.
  function eraseDone() {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)');
    return result?.busy === 0;
  }

  // One read transaction: the backlog and the last tick as of the same moment.
  const summary = db.transaction((now) => ({ ...q.dueSummary.get(now), lastTickAt: q.lastTick.get()?.value ?? null }));

  return {
    async load(contactId) {
      return q.load.get(contactId) ?? null;
    },
    async commit(contactId, change) {
      const committed = await commitSoon(contactId, change);
      if (committed && (change.erase || change.purge)) eraseDone();
      return committed;
    },
    async resolve(keys) {
      if (keys.length === 0) return null;
      // One query for every key (a webhook brings 4-6), the first key in the caller's order
      // winning: 30 → 12 µs for 4 keys (BENCHMARKS.md, issue 20).
      const found = new Map(resolveAll(keys.length).all(keys));
      for (const key of keys) if (found.has(key)) return found.get(key);
      return null;
    },
    async dueBefore(now, limit) {
      return q.due.all(now, limit);
    },
    async claimDue(now, limit, owner, leaseMs) {
      return claimDue.immediate(now, limit, owner, leaseMs);
    },
    async dueSummary(now) {
      return summary(now);
    },
    async recordTick(at) {
      q.recordTick.run(at);
    },
    async claimable(now, limit) {
      return q.claimable.all(now, now, limit).map((r) => r.id);
    },
    async claim(id, owner, now, leaseMs) {
      const row = q.claim.get(owner, now + leaseMs, id, now, now);
      return row ? { ...row, action: JSON.parse(row.action) } : null;
    },
    async finish(id, owner, { status, provider = null, providerId = null, detail = null }) {
      return q.finish.run(status, provider, providerId, detail, id, owner).changes === 1;
    },
    async providerMessage(provider, providerId) {
      return q.providerMessage.get(provider, providerId) ?? null;
    },
    async retryLater(id, owner, nextAt) {
      return q.retry.run(nextAt, id, owner).changes === 1;
    },
    async ledger(id) {
      return q.ledger.get(id) ?? null;
    },
    async take(key, max, windowMs, now) {
      return take.immediate(key, max, windowMs, now);
    },
    async readOutcomes() {
      return readOutcomes();
    },
    async rollUpOutcomes(rolled) {
      return rollUpOutcomes.immediate(rolled);
    },
    async readMessage(actionId) {
      return q.message.all(actionId).map((r) => r.line);
    },
    async appendLog(name, lines, expected = null) {
      return appendLog.immediate(name, lines, expected);
    },
    async readLog(name, limit = Infinity) {
      return readLog(name, Number.isFinite(limit) ? limit : -1);
    },
    /** Rows held, by table (tests and the abuse benchmark count what is left). */
    async size() {
      const count = (table) => db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n;
      return { contacts: count('contacts'), due: count('due'), links: count('links'), intents: count('intents'), counters: count('counters') };
    },
    async eraseAll() {
      db.exec('DELETE FROM contacts; DELETE FROM due; DELETE FROM links; DELETE FROM intents; DELETE FROM counters; DELETE FROM outcomes; DELETE FROM message_index; DELETE FROM rollups; DELETE FROM logs;');
      eraseDone();
    },
    async close() {
      if (pending) flush(); // what was asked for before close is committed, not dropped
      db.close();
    },
  };
}
