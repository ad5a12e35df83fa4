// The store behind the edge function: a Node.js function (it can open TCP connections, the edge
// cannot) serving Rekindle's Redis store over HTTP to lib/store-over-http.js.
import { redisStore } from 'rekindle/server/node';
import { storeEndpoint } from '../../../lib/store-over-http.js';

export const runtime = 'nodejs';

// One connection per function instance, opened on its first request.
const serve = storeEndpoint(() => redisStore(process.env.REDIS_URL), process.env.REKINDLE_STORE_SECRET);

export function POST(request) {
  return serve(request);
}
