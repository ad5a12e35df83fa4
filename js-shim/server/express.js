// Express-style middleware (`(req, res, next)`, also Connect, Polka and similar) around the
// fetch-shape handler. It must be mounted at the app's root (`app.use(middleware)`), not under
// a mount path (`app.use('/x', …)` strips it from req.url): Twilio signs the full public URL and
// message links are built from `publicUrl` + `basePath`, so the paths the handler sees must be
// the public ones. To live under a prefix, give the handler `basePath`. Requests for paths
// Rekindle does not own (outside `basePath`, or not a route) go to `next`.
//
// Signatures are computed over raw bytes, so mount it before any body parser, or give it the
// raw body (`express.raw({ type: '*/*' })` leaves a Buffer in req.body). A body another parser
// already turned into an object cannot be verified: that is a setup error, passed to `next`.

import { toNodeListener } from './node.js';

export function toExpressMiddleware(handler, options = {}) {
  const listener = toNodeListener(handler, options);
  let ready; // the handler's options, checked once (a function of env is only known here)
  return async (req, res, next) => {
    try {
      await (ready ??= handler.runtime(options.env));
    } catch (error) {
      ready = undefined;
      return next(error); // a start-up refusal (RekindleConfigError) is the app's error
    }
    const pathname = new URL(req.url, 'http://localhost').pathname;
    if (!handler.owns(pathname)) return next();
    const parsed = req._body && !(Buffer.isBuffer(req.body) || typeof req.body === 'string');
    if (parsed) return next(new Error('rekindle: a body parser consumed the request; mount Rekindle before it or use express.raw()'));
    const body = req._body ? Buffer.from(req.body) : undefined;
    return listener(req, res, body);
  };
}
