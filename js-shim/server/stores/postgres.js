// The PostgreSQL store: for a merchant who already runs Postgres, or has outgrown one machine
// (several handler processes on one database). It speaks through postgres.js (`postgres`, an
// optional peer dependency) rather than node-postgres (`pg`): postgres.js is one dependency-free
// package that runs unchanged on Node, Deno and Workers (its `workerd` build opens the socket
// with cloudflare:sockets), pipelines queries on a connection, and its tagged templates make
// every value a bound parameter; `pg` needs pg-cloudflare and the nodejs_compat flag on
// Workers and pulls in five packages of its own. docs/scaling.md has the comparison.
//
// Every table lives in one Postgres schema (`schema`, default "rekindle"), as the Redis store's
// keys live under its prefix: eraseAll empties that schema and nothing else.
//
// Each commit is one transaction under READ COMMITTED. The compare-and-set is the row's
// version in the UPDATE's WHERE: a concurrent writer waits on the row lock, then Postgres
// re-checks the WHERE against the committed row and updates nothing, so exactly one of two
// racing commits wins. A claim is one UPDATE of the intent row picked `FOR UPDATE SKIP LOCKED`:
// a dispatcher never waits behind another one's claim, it moves on to the next message. Due
// entries are claimed the same way, a batch at a time, so several tickers share the due index
// instead of all deciding the same first entries (benches/postgres.mjs measured that).

import { timelineLog } from './logs.js';

const DDL = (s) => [
  `CREATE SCHEMA IF NOT EXISTS ${s}`,
  `CREATE TABLE IF NOT EXISTS ${s}.contacts (id text PRIMARY KEY, state text NOT NULL, version integer NOT NULL)`,
  // owner, lease_until: the ticker that claimed the entry (claimDue) and until when.
  `CREATE TABLE IF NOT EXISTS ${s}.due (action_id text PRIMARY KEY, contact_id text NOT NULL, at bigint NOT NULL,
    owner text, lease_until bigint NOT NULL DEFAULT 0)`,
  `CREATE INDEX IF NOT EXISTS due_by_time ON ${s}.due (at)`,
  `CREATE INDEX IF NOT EXISTS due_by_contact ON ${s}.due (contact_id)`,
  `CREATE TABLE IF NOT EXISTS ${s}.links (key text PRIMARY KEY, contact_id text NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS links_by_contact ON ${s}.links (contact_id)`,
  // Dispatch intents; once finished, the ledger of dispatched action ids (payload dropped).
  `CREATE TABLE IF NOT EXISTS ${s}.intents (
    action_id text PRIMARY KEY, contact_id text NOT NULL, action text,
    status text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0,
    next_at bigint NOT NULL DEFAULT 0, owner text, lease_until bigint NOT NULL DEFAULT 0,
    provider_id text, detail text, provider text)`,
  // Only pending rows are ever scanned by time: the ledger of finished sends stays out of it.
  `CREATE INDEX IF NOT EXISTS intents_claimable ON ${s}.intents (next_at) WHERE status = 'pending'`,
  `CREATE INDEX IF NOT EXISTS intents_by_contact ON ${s}.intents (contact_id)`,
  // The scheduler's own records (the last tick's time): no personal data, kept through eraseAll.
  `CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value bigint NOT NULL)`,
  // Counters that span contacts (limits on sends to one address, a shop's budget): fixed windows.
  `CREATE TABLE IF NOT EXISTS ${s}.counters (key text PRIMARY KEY, count integer NOT NULL, reset_at bigint NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS counters_by_reset ON ${s}.counters (reset_at)`,
  // The outcome log (no personal data: kept through erasure) and its daily roll-ups.
  `CREATE TABLE IF NOT EXISTS ${s}.outcomes (seq bigserial PRIMARY KEY, journey text NOT NULL, line text NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS outcomes_by_journey ON ${s}.outcomes (journey)`,
  `CREATE TABLE IF NOT EXISTS ${s}.rollups (id integer PRIMARY KEY CHECK (id = 1), body text NOT NULL, version bigint NOT NULL)`,
  // The message index (stores/message-index.js): the lines naming each send, by its action id;
  // seq is the line's seq in outcomes, so a line still there is live, one gone was rolled up.
  `CREATE TABLE IF NOT EXISTS ${s}.message_index (seq bigint PRIMARY KEY, action_id text NOT NULL, journey text NOT NULL,
    sent boolean NOT NULL, at bigint NOT NULL, line text NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS message_index_by_action ON ${s}.message_index (action_id, seq)`,
  `CREATE INDEX IF NOT EXISTS message_index_by_journey ON ${s}.message_index (journey, seq)`,
  `CREATE INDEX IF NOT EXISTS message_index_sent_by_time ON ${s}.message_index (at) WHERE sent`,
  // Named append-only logs (stores/logs.js): the audit log, the playbook's publications, and
  // each contact's timeline ('timeline:' || contact id), which goes with the contact.
  `CREATE TABLE IF NOT EXISTS ${s}.logs (seq bigserial PRIMARY KEY, name text NOT NULL, line text NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS logs_by_name ON ${s}.logs (name, seq)`,
];

// A plain identifier only: quoted the same way by our DDL and by postgres.js's sql(name),
// which would split a name with a dot into two.
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The last value per id wins, as in the other stores' sequential writes. */
function lastById(entries) {
  return [...new Map(entries.map((e) => [e.id, e])).values()];
}

/**
 * `sql`: a postgres.js client (the caller owns its options and its pool); `schema`: the Postgres
 * schema holding Rekindle's tables, created on first use.
 */
export async function postgresStore(sql, { schema = 'rekindle' } = {}) {
  if (!PLAIN_IDENTIFIER.test(schema)) throw new TypeError(`postgresStore: schema must match ${PLAIN_IDENTIFIER} (got ${JSON.stringify(schema)})`);
  const s = sql(schema); // an escaped identifier, inlined into each statement's text
  // Several processes may start at once: CREATE ... IF NOT EXISTS is not safe against itself
  // (two creators can collide in the catalog), so the first one in creates, the others wait.
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`rekindle:${schema}`}))`;
    for (const statement of DDL(`"${schema}"`)) await tx.unsafe(statement);
    // A schema made before due entries were leased. Checked first: ALTER TABLE takes an
    // exclusive lock even when it has nothing to add, and would queue every running ticker.
    const [leased] = await tx`SELECT 1 FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = 'due' AND column_name = 'lease_until'`;
    if (!leased) await tx`ALTER TABLE ${s}.due ADD COLUMN owner text, ADD COLUMN lease_until bigint NOT NULL DEFAULT 0`;
    // A schema made before sends were found by their provider's id: the column, then its index.
    const [named] = await tx`SELECT 1 FROM information_schema.columns WHERE table_schema = ${schema} AND table_name = 'intents' AND column_name = 'provider'`;
    if (!named) await tx`ALTER TABLE ${s}.intents ADD COLUMN provider text`;
    await tx`CREATE INDEX IF NOT EXISTS intents_by_message ON ${s}.intents (provider, provider_id) WHERE provider_id IS NOT NULL`;
  });

  return {
    async load(contactId) {
      const [row] = await sql`SELECT state, version FROM ${s}.contacts WHERE id = ${contactId}`;
      return row ? { state: row.state, version: row.version } : null;
    },

    async commit(contactId, change) {
      return sql.begin(async (tx) => {
        const [written] = change.expected === 0
          ? await tx`INSERT INTO ${s}.contacts (id, state, version) VALUES (${contactId}, ${change.state}, 1) ON CONFLICT (id) DO NOTHING RETURNING version`
          : await tx`UPDATE ${s}.contacts SET state = ${change.state}, version = version + 1 WHERE id = ${contactId} AND version = ${change.expected} RETURNING version`;
        if (!written) return false;
        // The rest is pipelined on the transaction's connection, and runs in this order.
        const writes = [];
        const timeline = timelineLog(contactId);
        const eraseRows = () => [
          tx`DELETE FROM ${s}.logs WHERE name = ${timeline}`,
          tx`DELETE FROM ${s}.due WHERE contact_id = ${contactId}`,
          tx`DELETE FROM ${s}.links WHERE contact_id = ${contactId}`,
          // The provider's id leads to the message (and its address) at the provider: it goes too.
          tx`UPDATE ${s}.intents SET action = NULL, detail = NULL, provider = NULL, provider_id = NULL,
            status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END WHERE contact_id = ${contactId}`,
        ];
        if (change.purge) writes.push(...eraseRows()); // first: this change's own entries stay
        if (change.unschedule.length) writes.push(tx`DELETE FROM ${s}.due WHERE action_id = ANY(${change.unschedule}::text[])`);
        if (change.settle) writes.push(tx`DELETE FROM ${s}.due WHERE action_id = ${change.settle.id} AND at = ${change.settle.at}::bigint`);
        const schedule = lastById(change.schedule);
        if (schedule.length) {
          writes.push(tx`INSERT INTO ${s}.due (action_id, contact_id, at)
            SELECT id, ${contactId}, at FROM unnest(${schedule.map((e) => e.id)}::text[], ${schedule.map((e) => String(e.at))}::bigint[]) AS t (id, at)
            ON CONFLICT (action_id) DO UPDATE SET at = excluded.at, contact_id = excluded.contact_id,
              owner = CASE WHEN due.at = excluded.at THEN due.owner END,
              lease_until = CASE WHEN due.at = excluded.at THEN due.lease_until ELSE 0 END`); // a moved entry is free again
        }
        // Sorted: two commits claiming the same keys lock them in one order, never a deadlock.
        const links = [...new Set(change.links)].sort();
        if (links.length) {
          writes.push(tx`INSERT INTO ${s}.links (key, contact_id) SELECT key, ${contactId} FROM unnest(${links}::text[]) AS t (key) ON CONFLICT (key) DO NOTHING`);
        }
        const intents = lastById(change.intents);
        if (intents.length) {
          writes.push(tx`INSERT INTO ${s}.intents (action_id, contact_id, action)
            SELECT id, ${contactId}, action FROM unnest(${intents.map((i) => i.id)}::text[], ${intents.map((i) => JSON.stringify(i.action))}::text[]) AS t (id, action)
            ON CONFLICT (action_id) DO NOTHING`);
        }
        const outcomes = change.outcomes ?? [];
        if (outcomes.length) {
          // unnest WITH ORDINALITY: the lines take their sequence numbers in the decision's order.
          // The lines naming a send go into the message index in the same statement, with their seq.
          writes.push(tx`WITH logged AS (INSERT INTO ${s}.outcomes (journey, line)
              SELECT journey, line FROM unnest(${outcomes.map((o) => o.journey)}::text[], ${outcomes.map((o) => o.line)}::text[]) WITH ORDINALITY AS t (journey, line, n) ORDER BY n
              RETURNING seq, journey, line)
            INSERT INTO ${s}.message_index (seq, action_id, journey, sent, at, line)
              SELECT seq, o->>'send', journey, o->>'kind' = 'sent', (o->>'at')::bigint, line
              FROM (SELECT seq, journey, line, line::jsonb AS o FROM logged) l WHERE jsonb_typeof(o->'send') = 'string'`);
        }
        if (change.timeline?.length) {
          writes.push(tx`INSERT INTO ${s}.logs (name, line) SELECT ${timeline}, line FROM unnest(${change.timeline}::text[]) WITH ORDINALITY AS t (line, n) ORDER BY n`);
        }
        if (change.erase) writes.push(...eraseRows());
        if (change.forget) {
          // An anonymous visitor whose time ran out: nothing of it stays, not even a tombstone.
          writes.push(
            tx`DELETE FROM ${s}.logs WHERE name = ${timeline}`,
            tx`DELETE FROM ${s}.due WHERE contact_id = ${contactId}`,
            tx`DELETE FROM ${s}.links WHERE contact_id = ${contactId}`,
            tx`DELETE FROM ${s}.intents WHERE contact_id = ${contactId}`,
            tx`DELETE FROM ${s}.contacts WHERE id = ${contactId}`,
          );
        }
        await Promise.all(writes);
        return true;
      });
    },

    async resolve(keys) {
      if (keys.length === 0) return null;
      const rows = await sql`SELECT key, contact_id FROM ${s}.links WHERE key = ANY(${keys}::text[])`;
      const found = new Map(rows.map((r) => [r.key, r.contact_id]));
      for (const key of keys) if (found.has(key)) return found.get(key);
      return null;
    },

    async dueBefore(now, limit) {
      const rows = await sql`SELECT action_id, contact_id, at FROM ${s}.due WHERE at <= ${now}::bigint ORDER BY at LIMIT ${limit}`;
      return rows.map((r) => ({ id: r.action_id, contactId: r.contact_id, at: Number(r.at) }));
    },

    async claimDue(now, limit, owner, leaseMs) {
      // SKIP LOCKED: rows another ticker is claiming (or a commit is settling) are passed over,
      // not waited for; a row claimed and committed meanwhile fails the re-checked lease test.
      const rows = await sql`UPDATE ${s}.due SET owner = ${owner}, lease_until = ${now + leaseMs}::bigint
        WHERE action_id IN (SELECT action_id FROM ${s}.due
          WHERE at <= ${now}::bigint AND lease_until <= ${now}::bigint ORDER BY at LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING action_id, contact_id, at`;
      return rows.map((r) => ({ id: r.action_id, contactId: r.contact_id, at: Number(r.at) })).sort((a, b) => a.at - b.at);
    },

    async dueSummary(now) {
      // One statement: the backlog and the last tick as of one snapshot.
      const [row] = await sql`SELECT count(*)::int AS due, min(at) AS oldest,
        (SELECT value FROM ${s}.meta WHERE key = 'lastTickAt') AS last_tick
        FROM ${s}.due WHERE at <= ${now}::bigint`;
      const number = (v) => (v === null ? null : Number(v)); // bigint arrives as a string
      return { due: row.due, oldestDueAt: number(row.oldest), lastTickAt: number(row.last_tick) };
    },

    async recordTick(at) {
      // The latest tick wins, whichever process records last (clocks of several hosts may differ).
      await sql`INSERT INTO ${s}.meta (key, value) VALUES ('lastTickAt', ${at}::bigint)
        ON CONFLICT (key) DO UPDATE SET value = GREATEST(meta.value, excluded.value)`;
    },

    async claimable(now, limit) {
      const rows = await sql`SELECT action_id FROM ${s}.intents
        WHERE status = 'pending' AND next_at <= ${now}::bigint AND lease_until <= ${now}::bigint ORDER BY next_at LIMIT ${limit}`;
      return rows.map((r) => r.action_id);
    },

    async claim(id, owner, now, leaseMs) {
      const [row] = await sql`UPDATE ${s}.intents SET owner = ${owner}, lease_until = ${now + leaseMs}::bigint, attempts = attempts + 1
        WHERE action_id = (SELECT action_id FROM ${s}.intents
          WHERE action_id = ${id} AND status = 'pending' AND next_at <= ${now}::bigint AND lease_until <= ${now}::bigint
          FOR UPDATE SKIP LOCKED)
        RETURNING contact_id, action, attempts`;
      return row ? { id, contactId: row.contact_id, action: JSON.parse(row.action), attempts: row.attempts } : null;
    },

    async finish(id, owner, { status, provider = null, providerId = null, detail = null }) {
      // The ledger keeps the outcome, not the message: no address outlives the send.
      const { count } = await sql`UPDATE ${s}.intents SET status = ${status}, provider = ${provider}, provider_id = ${providerId}, detail = ${detail}, action = NULL, lease_until = 0
        WHERE action_id = ${id} AND owner = ${owner} AND status = 'pending'`;
      return count === 1;
    },

    async providerMessage(provider, providerId) {
      const [row] = await sql`SELECT contact_id, action_id FROM ${s}.intents WHERE provider = ${provider} AND provider_id = ${providerId} LIMIT 1`;
      return row ? { contactId: row.contact_id, actionId: row.action_id } : null;
    },

    async retryLater(id, owner, nextAt) {
      const { count } = await sql`UPDATE ${s}.intents SET next_at = ${nextAt}::bigint, lease_until = 0, owner = NULL
        WHERE action_id = ${id} AND owner = ${owner} AND status = 'pending'`;
      return count === 1;
    },

    async ledger(id) {
      const [row] = await sql`SELECT status, attempts, provider_id, detail FROM ${s}.intents WHERE action_id = ${id}`;
      return row ? { status: row.status, attempts: row.attempts, providerId: row.provider_id, detail: row.detail } : null;
    },

    async take(key, max, windowMs, now) {
      // One statement, atomic under concurrency: a window that ended restarts at 1, a running
      // one counts up to `max`; the WHERE leaves a full window's row untouched (no row back).
      const [row] = await sql`INSERT INTO ${s}.counters AS c (key, count, reset_at) VALUES (${key}, 1, ${now + windowMs}::bigint)
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN c.reset_at <= ${now}::bigint THEN 1 ELSE c.count + 1 END,
          reset_at = CASE WHEN c.reset_at <= ${now}::bigint THEN excluded.reset_at ELSE c.reset_at END
        WHERE c.reset_at <= ${now}::bigint OR c.count < ${max}
        RETURNING count`;
      // A few ended windows at a time, as SQLite does: they hold nothing worth keeping.
      await sql`DELETE FROM ${s}.counters WHERE key IN (SELECT key FROM ${s}.counters WHERE reset_at <= ${now}::bigint LIMIT 100)`;
      return Boolean(row) && row.count <= max;
    },

    /** Rows held, by table (tests and the abuse benchmark count what is left). */
    /**
     * The lines and the roll-ups as of one snapshot (REPEATABLE READ), so a roll-up committed
     * meanwhile is either wholly in the answer or not at all. A line of a concurrent commit may
     * take a lower sequence number than one already read: if its journey is rolled up with
     * `upTo` past it, the line goes unread, which changes no figure, since a rolled-up journey's
     * later lines count nowhere (src/measurement, `compact`).
     */
    async readOutcomes() {
      return sql.begin('isolation level repeatable read', async (tx) => {
        const rows = await tx`SELECT seq, line FROM ${s}.outcomes ORDER BY seq`;
        const [kept] = await tx`SELECT body, version FROM ${s}.rollups WHERE id = 1`;
        return { lines: rows.map((r) => r.line), rollups: kept?.body ?? null, upTo: rows.length ? Number(rows[rows.length - 1].seq) : 0, version: kept ? Number(kept.version) : 0 };
      });
    },

    async rollUpOutcomes({ upTo, version, journeys, rollups, forgetBefore = null }) {
      return sql.begin(async (tx) => {
        const [won] = version === 0
          ? await tx`INSERT INTO ${s}.rollups (id, body, version) VALUES (1, ${rollups}, 1) ON CONFLICT (id) DO NOTHING RETURNING version`
          : await tx`UPDATE ${s}.rollups SET body = ${rollups}, version = version + 1 WHERE id = 1 AND version = ${version}::bigint RETURNING version`;
        if (!won) return false;
        await tx`DELETE FROM ${s}.outcomes WHERE journey = ANY(${journeys}::text[]) AND seq <= ${upTo}::bigint`;
        // A rolled-up send keeps its `sent` line as its record, until the retention horizon.
        await tx`DELETE FROM ${s}.message_index WHERE journey = ANY(${journeys}::text[]) AND seq <= ${upTo}::bigint AND NOT sent`;
        if (forgetBefore !== null) {
          await tx`DELETE FROM ${s}.message_index m WHERE sent AND at < ${forgetBefore}::bigint AND NOT EXISTS (SELECT 1 FROM ${s}.outcomes o WHERE o.seq = m.seq)`;
        }
        return true;
      });
    },

    async readMessage(actionId) {
      const rows = await sql`SELECT line FROM ${s}.message_index WHERE action_id = ${actionId} ORDER BY seq`;
      return rows.map((r) => r.line);
    },

    /** Appends under a lock on the log's name, so the count a caller expects cannot change under it. */
    async appendLog(name, lines, expected = null) {
      return sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtext(${`rekindle:${schema}:log:${name}`}))`;
        if (expected !== null) {
          const [{ n }] = await tx`SELECT count(*)::int AS n FROM ${s}.logs WHERE name = ${name}`;
          if (n !== expected) return false;
        }
        if (lines.length) await tx`INSERT INTO ${s}.logs (name, line) SELECT ${name}, line FROM unnest(${lines}::text[]) WITH ORDINALITY AS t (line, n) ORDER BY n`;
        return true;
      });
    },

    async readLog(name, limit = Infinity) {
      return sql.begin('isolation level repeatable read', async (tx) => {
        const rows = Number.isFinite(limit)
          ? await tx`SELECT line FROM (SELECT seq, line FROM ${s}.logs WHERE name = ${name} ORDER BY seq DESC LIMIT ${limit}) t ORDER BY seq`
          : await tx`SELECT line FROM ${s}.logs WHERE name = ${name} ORDER BY seq`;
        const [{ n }] = await tx`SELECT count(*)::int AS n FROM ${s}.logs WHERE name = ${name}`;
        return { lines: rows.map((r) => r.line), count: n };
      });
    },

    async size() {
      const [row] = await sql`SELECT (SELECT count(*) FROM ${s}.contacts)::int AS contacts, (SELECT count(*) FROM ${s}.due)::int AS due,
        (SELECT count(*) FROM ${s}.links)::int AS links, (SELECT count(*) FROM ${s}.intents)::int AS intents, (SELECT count(*) FROM ${s}.counters)::int AS counters`;
      return { ...row };
    },

    async eraseAll() {
      // One statement, the tables in the order a commit locks them.
      await sql`TRUNCATE ${s}.contacts, ${s}.due, ${s}.links, ${s}.intents, ${s}.counters, ${s}.outcomes, ${s}.message_index, ${s}.rollups, ${s}.logs`;
    },

    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
