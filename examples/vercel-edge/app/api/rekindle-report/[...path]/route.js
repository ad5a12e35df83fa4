// The merchant's report (GET /report, GET /report/messages/<id>) and the hourly roll-up of the
// outcome log, as a Node.js function of the same project. The report's wasm module stays out of
// the Edge Function: Vercel counts every .wasm an edge function imports against its size limit
// (1 MB gzipped on Hobby), and no webhook, link or tick needs the report. A Node.js function can
// open TCP connections, so this one reads the same Redis directly.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createHandler } from 'rekindle/server';
import { redisStore } from 'rekindle/server/node';

export const runtime = 'nodejs';

const handler = createHandler(async () => ({
  store: await redisStore(process.env.REDIS_URL),
  policy: process.env.REKINDLE_POLICY, // the same playbook as the Edge Function's
  secrets: {
    salt: process.env.REKINDLE_SALT,
    reports: process.env.REKINDLE_REPORTS_SECRET, // GET /report's bearer secret
  },
  publicUrl: process.env.PUBLIC_URL,
  beacon: false,
  log: (level, message, fields) => console[level === 'error' ? 'error' : 'log'](`rekindle ${level}: ${message}`, JSON.stringify(fields)),
  basePath: '/api/rekindle-report',
}));

/** Vercel Cron's bearer secret, compared in constant time (as digests: equal lengths). */
function fromCron(request) {
  const digest = (text) => createHash('sha256').update(text).digest();
  const given = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
  return Boolean(process.env.CRON_SECRET) && timingSafeEqual(digest(given), digest(process.env.CRON_SECRET));
}

// Vercel Cron calls /api/rekindle-report/rollup hourly (vercel.json): settled journeys' lines are
// folded into daily roll-ups here, since the Edge Function's ticks leave that to this function
// (`rollUp: false` there).
export async function GET(request) {
  if (new URL(request.url).pathname !== '/api/rekindle-report/rollup') return handler(request);
  if (!fromCron(request)) return Response.json({ error: 'unauthorized' }, { status: 401 });
  return Response.json(await (await handler.runtime()).rollUpOutcomes());
}
