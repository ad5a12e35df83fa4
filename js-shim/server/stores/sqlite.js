// The embedded default: one SQLite file, no server (better-sqlite3, Node only). Every
// commit is one IMMEDIATE transaction: the state's compare-and-set, its due-index changes,
// its dispatch intents and its index links land together or not at all, so a crash never
// leaves a decision half-applied. WAL mode lets several processes share the file.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS contacts (id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS due (action_id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS due_by_time ON due (at);
CREATE INDEX IF NOT EXISTS due_by_contact ON due (contact_id);
CREATE TABLE IF NOT EXISTS links (key TEXT PRIMARY KEY, contact_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_by_contact ON links (contact_id);
-- Dispatch intents; once finished, the ledger of dispatched action ids (payload dropped).
CREATE TABLE IF NOT EXISTS intents (
  action_id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, action TEXT,
  status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
  provider_id TEXT, detail TEXT);
CREATE INDEX IF NOT EXISTS intents_pending ON intents (status, next_at);
CREATE INDEX IF NOT EXISTS intents_by_contact ON intents (contact_id);
-- Counters that span contacts (limits on sends to one address, a shop's budget): fixed windows.
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS counters_by_reset ON counters (reset_at);
`;

/** `Database`: the better-sqlite3 constructor (a peer dependency, passed in). */
export function sqliteStore(Database, path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const q = {
    load: db.prepare('SELECT state, version FROM contacts WHERE id = ?'),
    insert: db.prepare('INSERT INTO contacts (id, state, version) VALUES (?, ?, 1) ON CONFLICT (id) DO NOTHING'),
    update: db.prepare('UPDATE contacts SET state = ?, version = version + 1 WHERE id = ? AND version = ?'),
    schedule: db.prepare('INSERT INTO due (action_id, contact_id, at) VALUES (?, ?, ?) ON CONFLICT (action_id) DO UPDATE SET at = excluded.at, contact_id = excluded.contact_id'),
    unschedule: db.prepare('DELETE FROM due WHERE action_id = ?'),
    settle: db.prepare('DELETE FROM due WHERE action_id = ? AND at = ?'),
    link: db.prepare('INSERT INTO links (key, contact_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    intend: db.prepare('INSERT INTO intents (action_id, contact_id, action) VALUES (?, ?, ?) ON CONFLICT (action_id) DO NOTHING'),
    resolve: db.prepare('SELECT contact_id FROM links WHERE key = ?'),
    due: db.prepare('SELECT action_id AS id, contact_id AS contactId, at FROM due WHERE at <= ? ORDER BY at LIMIT ?'),
    claimable: db.prepare("SELECT action_id AS id FROM intents WHERE status = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at LIMIT ?"),
    claim: db.prepare("UPDATE intents SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE action_id = ? AND status = 'pending' AND next_at <= ? AND lease_until <= ? RETURNING action_id AS id, contact_id AS contactId, action, attempts"),
    finish: db.prepare("UPDATE intents SET status = ?, provider_id = ?, detail = ?, action = NULL, lease_until = 0 WHERE action_id = ? AND owner = ? AND status = 'pending'"),
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
    eraseIntents: db.prepare("UPDATE intents SET action = NULL, status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END WHERE contact_id = ?"),
  };

  const commit = db.transaction((contactId, change) => {
    const written = change.expected === 0
      ? q.insert.run(contactId, change.state)
      : q.update.run(change.state, contactId, change.expected);
    if (written.changes !== 1) return false;
    for (const id of change.unschedule) q.unschedule.run(id);
    if (change.settle) q.settle.run(change.settle.id, change.settle.at);
    for (const { id, at } of change.schedule) q.schedule.run(id, contactId, at);
    for (const key of change.links) q.link.run(key, contactId);
    for (const { id, action } of change.intents) q.intend.run(id, contactId, JSON.stringify(action));
    if (change.erase) {
      q.eraseDue.run(contactId);
      q.eraseLinks.run(contactId);
      q.eraseIntents.run(contactId);
    }
    if (change.forget) {
      q.eraseDue.run(contactId);
      q.eraseLinks.run(contactId);
      q.forgetIntents.run(contactId);
      q.forgetContact.run(contactId);
    }
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

  return {
    async load(contactId) {
      return q.load.get(contactId) ?? null;
    },
    async commit(contactId, change) {
      return commit.immediate(contactId, change);
    },
    async resolve(keys) {
      for (const key of keys) {
        const row = q.resolve.get(key);
        if (row) return row.contact_id;
      }
      return null;
    },
    async dueBefore(now, limit) {
      return q.due.all(now, limit);
    },
    async claimable(now, limit) {
      return q.claimable.all(now, now, limit).map((r) => r.id);
    },
    async claim(id, owner, now, leaseMs) {
      const row = q.claim.get(owner, now + leaseMs, id, now, now);
      return row ? { ...row, action: JSON.parse(row.action) } : null;
    },
    async finish(id, owner, { status, providerId = null, detail = null }) {
      return q.finish.run(status, providerId, detail, id, owner).changes === 1;
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
    /** Rows held, by table (tests and the abuse benchmark count what is left). */
    async size() {
      const count = (table) => db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get().n;
      return { contacts: count('contacts'), due: count('due'), links: count('links'), intents: count('intents'), counters: count('counters') };
    },
    async eraseAll() {
      db.exec('DELETE FROM contacts; DELETE FROM due; DELETE FROM links; DELETE FROM intents; DELETE FROM counters;');
    },
    async close() {
      db.close();
    },
  };
}
