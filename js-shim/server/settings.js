// The deployment's settings, checked once at start-up: where Rekindle is reached from outside
// (`publicUrl`, `basePath`), whether this is a development setup, and the health margin. Every
// link in a message (/r/, /u/, /p/, List-Unsubscribe, Twilio's StatusCallback) is built from
// `publicUrl` + `basePath` and nothing else: the policy's own `publicBaseUrl` is replaced by it,
// so a handler can never send shoppers to a URL it does not answer on.

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const DEFAULT_MAX_OVERDUE_MS = 5 * 60_000;
const DEFAULT_WEBHOOK_MAX_AGE_MS = 5 * 60_000;
const DEFAULT_TICK_BATCH = 100;

/** A start-up refusal: `code` is stable, `path` names the option (as in the engine's errors). */
export class RekindleConfigError extends Error {
  constructor(code, path, message) {
    super(`${path}: ${message}`);
    this.name = 'RekindleConfigError';
    this.code = code;
    this.path = path;
  }
}

/**
 * The settings the handler and the runtime share, or a thrown RekindleConfigError.
 * @returns {{ publicUrl: string, basePath: string, linkBase: string, development: boolean, maxOverdueMs: number, webhookMaxAgeMs: number, tickBatch: number, beaconEnabled: boolean }}
 */
export function deploymentSettings(o) {
  const development = o.development === true;
  const publicUrl = checkPublicUrl(o.publicUrl, development);
  const basePath = checkBasePath(o.basePath);
  const maxOverdueMs = o.health?.maxOverdueMs ?? DEFAULT_MAX_OVERDUE_MS;
  if (!(Number.isFinite(maxOverdueMs) && maxOverdueMs > 0)) {
    throw new RekindleConfigError('INVALID_OPTION', 'health.maxOverdueMs', 'must be a positive number of milliseconds');
  }
  // SendGrid's event webhook signs its timestamp: older (or later) than this is a replay.
  const webhookMaxAgeMs = o.webhooks?.maxAgeMs ?? DEFAULT_WEBHOOK_MAX_AGE_MS;
  if (!(Number.isFinite(webhookMaxAgeMs) && webhookMaxAgeMs > 0)) {
    throw new RekindleConfigError('INVALID_OPTION', 'webhooks.maxAgeMs', 'must be a positive number of milliseconds');
  }
  // How many due entries one tick decides: a bounded run, whatever the backlog.
  const tickBatch = o.tickBatch ?? DEFAULT_TICK_BATCH;
  if (!(Number.isSafeInteger(tickBatch) && tickBatch >= 1)) {
    throw new RekindleConfigError('INVALID_OPTION', 'tickBatch', 'must be a whole number of due entries, at least 1');
  }
  return { publicUrl, basePath, linkBase: publicUrl + basePath, development, maxOverdueMs, webhookMaxAgeMs, tickBatch, beaconEnabled: o.beacon !== false };
}

/**
 * The origin (scheme, host, port) links are built on. RFC 8058 one-click unsubscribe needs
 * https, and a loopback host in a message reaches nobody: both are refused unless
 * `development: true`. The path goes in `basePath`, never here: one place says where routes live.
 */
function checkPublicUrl(value, development) {
  if (value === undefined || value === null || value === '') {
    throw new RekindleConfigError('MISSING_PUBLIC_URL', 'publicUrl', 'required: every link in a message is built on it (e.g. https://recover.example.com)');
  }
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new RekindleConfigError('INVALID_PUBLIC_URL', 'publicUrl', `not a URL: ${JSON.stringify(String(value))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RekindleConfigError('INVALID_PUBLIC_URL', 'publicUrl', 'must be an https URL');
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new RekindleConfigError('INVALID_PUBLIC_URL', 'publicUrl', 'must be an origin only (scheme, host, port); put a path prefix in basePath');
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (!development && loopback) {
    throw new RekindleConfigError('UNSAFE_PUBLIC_URL', 'publicUrl', `${url.origin} is a loopback address: links in messages would reach nobody (set development: true for a local setup)`);
  }
  if (!development && url.protocol !== 'https:') {
    throw new RekindleConfigError('UNSAFE_PUBLIC_URL', 'publicUrl', `${url.origin} is not https: one-click unsubscribe (RFC 8058) needs https (set development: true for a local setup)`);
  }
  // The engine's own rule, said here first and more plainly: plain http only on loopback.
  if (url.protocol === 'http:' && !loopback) {
    throw new RekindleConfigError('UNSAFE_PUBLIC_URL', 'publicUrl', `${url.origin}: plain http is allowed only on a loopback host, even in development`);
  }
  return url.origin;
}

/** '' or '/a/b': leading slash, no trailing one, plain path segments. */
function checkBasePath(value) {
  if (value === undefined || value === null || value === '' || value === '/') return '';
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(value)) {
    throw new RekindleConfigError('INVALID_BASE_PATH', 'basePath', `must look like /api/rekindle (a leading slash, no trailing slash, no query): ${JSON.stringify(String(value))}`);
  }
  return value;
}

/** The route path under `basePath`, or null when the request is not Rekindle's. */
export function routePath(basePath, pathname) {
  if (!basePath) return pathname;
  if (pathname === basePath) return '/';
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : null;
}

/**
 * The policy the runtime's Engine gets: the merchant's (or the default), with `publicBaseUrl`
 * set to the deployment's link base. A policy's own value is replaced; when it named another
 * URL, `log` says so once (a policy written for another deployment).
 */
export function policyForDeployment(rekindle, policy, linkBase, log = () => {}) {
  let parsed;
  if (policy === undefined || policy === null) parsed = rekindle.defaultPolicy();
  else if (typeof policy === 'string') {
    try {
      parsed = JSON.parse(policy);
    } catch {
      return policy; // not JSON: the Engine refuses it with its own INVALID_POLICY error and path
    }
  } else parsed = policy;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return policy;
  const own = parsed.publicBaseUrl;
  if (own !== undefined && own !== linkBase) {
    log('warn', 'policy.publicBaseUrl is ignored: links are built on the handler\'s publicUrl and basePath', { policyPublicBaseUrl: own, linkBase });
  }
  return { ...parsed, publicBaseUrl: linkBase };
}
