// AWS Lambda around the fetch-shape handler, for the three ways Lambda receives HTTP:
// - payload format 2.0: API Gateway HTTP APIs and function URLs (`version: '2.0'`, `rawPath`);
// - payload format 1.0: API Gateway REST APIs (and HTTP APIs set to 1.0): `httpMethod`, `path`,
//   `multiValueHeaders`, `multiValueQueryStringParameters`, `requestContext.identity.sourceIp`;
// - Application Load Balancer targets, which send the 1.0 shape with `requestContext.elb`.
// Lambda freezes the process once the handler returns, so background work handed to
// `waitUntil` (keyword replies sent after the Twilio webhook) is awaited first.
// The same function is Rekindle's scheduler: an EventBridge rule's "Scheduled Event", or an
// EventBridge Scheduler schedule whose input is `{"rekindle":"tick"}`, runs one tick (due
// sends, then dispatch) and returns its counts.
//
// Event and response shapes: AWS API Gateway developer guide, "Lambda proxy integrations"
// (input and output format for REST APIs) and "Create AWS Lambda proxy integrations for HTTP
// APIs" (payload format differences); ELB user guide, "Lambda functions as targets".

const TEXT = /^(text\/|application\/(json|xml|x-www-form-urlencoded|problem\+json|javascript))/;

/** @returns {(event: object, context?: object) => Promise<object>} the response in the event's own format */
export function toLambdaHandler(handler, { env = {} } = {}) {
  return async (event) => {
    if (isSchedule(event)) return (await handler.runtime(env)).tick();
    const v1 = isPayload1(event);
    const { method, url, headers, clientAddress } = v1 ? fromPayload1(event) : fromPayload2(event);
    const body = event.body === undefined || event.body === null || method === 'GET' || method === 'HEAD'
      ? undefined
      : event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
    const pending = [];
    const request = parseRequest(url, method, headers, body);
    const response = request
      ? await handler(request, env, { waitUntil: (p) => pending.push(p), clientAddress })
      // RFC 9110 7.2: an invalid Host is the client's fault (400), not a failed invocation (502).
      : Response.json({ error: { code: 'INVALID_HOST', message: 'the Host header is not a host', path: '$.headers.host' } }, { status: 400 });
    const bytes = Buffer.from(await response.arrayBuffer());
    await Promise.allSettled(pending);
    const out = {};
    for (const [name, value] of response.headers) if (name !== 'set-cookie') out[name] = value;
    const cookies = response.headers.getSetCookie?.() ?? [];
    const text = TEXT.test(response.headers.get('content-type') ?? 'text/plain');
    const encoded = { body: text ? bytes.toString('utf8') : bytes.toString('base64'), isBase64Encoded: !text };
    if (v1) return toPayload1(event, response.status, out, cookies, encoded);
    return { statusCode: response.status, headers: out, ...(cookies.length ? { cookies } : {}), ...encoded };
  };
}

/**
 * EventBridge: a rule's `{"source":"aws.events","detail-type":"Scheduled Event", …}`, or an
 * EventBridge Scheduler schedule given the input `{"rekindle":"tick"}` (its default input is
 * not documented as a fixed shape, so it is not guessed at).
 */
function isSchedule(event) {
  return (event?.source === 'aws.events' && event['detail-type'] === 'Scheduled Event') || event?.rekindle === 'tick';
}

/** 1.0 says so, or (REST APIs and ALB send no `version`) has 1.0's `httpMethod`. */
function isPayload1(event) {
  return event.version === '1.0' || (event.version === undefined && typeof event.httpMethod === 'string');
}

function fromPayload2(event) {
  const http = event.requestContext?.http ?? {};
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value);
  // Payload 2.0 moves cookies out of the headers.
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  // API Gateway sets sourceIp from the connection; a client-sent forwarding header is not trusted.
  trustOnly(headers, http.sourceIp);
  const host = headers.get('host') ?? event.requestContext?.domainName ?? 'localhost';
  const url = `https://${host}${event.rawPath ?? '/'}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  return { method: http.method ?? 'GET', url, headers, clientAddress: http.sourceIp };
}

function fromPayload1(event) {
  const alb = Boolean(event.requestContext?.elb);
  const headers = new Headers();
  // Both maps come from API Gateway; multiValueHeaders is the whole of it (headers keeps only
  // the last value of a repeated header). An ALB sends one or the other, per its target group.
  if (event.multiValueHeaders) {
    for (const [name, values] of Object.entries(event.multiValueHeaders)) for (const value of values ?? []) headers.append(name, value);
  } else {
    for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined && value !== null) headers.set(name, value);
  }
  // API Gateway: sourceIp is the connection's. An ALB gives no sourceIp; it appends the address
  // it saw to X-Forwarded-For, so only the last entry is its own, the rest are the client's.
  const ip = alb ? headers.get('x-forwarded-for')?.split(',').at(-1).trim() : event.requestContext?.identity?.sourceIp;
  trustOnly(headers, ip);
  const host = headers.get('host') ?? event.requestContext?.domainName ?? 'localhost';
  const query = alb ? albQuery(event) : restQuery(event);
  const url = `https://${host}${event.path ?? '/'}${query ? `?${query}` : ''}`;
  return { method: event.httpMethod, url, headers, clientAddress: ip };
}

/**
 * API Gateway (1.0) hands over the query already decoded, as a map: the bytes the client sent
 * are gone, so the string is rebuilt, each value of a repeated key kept, in the map's order,
 * with URLSearchParams's form encoding (space as `+`, everything but `*-._` and alphanumerics
 * percent-encoded). What that means for signatures: Twilio signs the exact URL it called.
 * The StatusCallback Rekindle sets (`?c=<contact>&a=<action>`, runtime.js) is written by
 * URLSearchParams from ids made of unreserved characters, so the rebuilt string is the same
 * bytes and the signature holds. A URL whose query was encoded some other way (`%20` for a
 * space, `%7e` for `~`), or whose keys API Gateway hands over in another order (AWS does not
 * promise to keep the order of request parameters), rebuilds differently and its Twilio
 * signature fails (401): give Twilio query-free URLs, or use payload 2.0, whose rawQueryString
 * is the bytes as sent. Shopify, SendGrid and Postmark sign bodies or headers, not the URL.
 */
function restQuery(event) {
  const query = new URLSearchParams();
  if (event.multiValueQueryStringParameters) {
    for (const [key, values] of Object.entries(event.multiValueQueryStringParameters)) for (const value of values ?? []) query.append(key, value);
  } else {
    for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== null && value !== undefined) query.append(key, value);
  }
  return query.toString();
}

/** An ALB does not decode the query: keys and values arrive as the client encoded them, so they are joined as they are. */
function albQuery(event) {
  const pairs = [];
  if (event.multiValueQueryStringParameters) {
    for (const [key, values] of Object.entries(event.multiValueQueryStringParameters)) for (const value of values ?? []) pairs.push(`${key}=${value}`);
  } else {
    for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== null && value !== undefined) pairs.push(`${key}=${value}`);
  }
  return pairs.join('&');
}

/** The Request, or null when its URL does not parse (the Host header is the only part a client wrote freely). */
function parseRequest(url, method, headers, body) {
  if (!URL.canParse(url)) return null;
  return new Request(url, { method, headers, body });
}

/** The handler gets the platform's address as `ctx.clientAddress`; the headers say the same, for code that reads them. */
function trustOnly(headers, ip) {
  headers.delete('cf-connecting-ip');
  headers.delete('x-real-ip');
  headers.set('x-forwarded-for', ip || 'unknown');
}

/**
 * The 1.0 response: single-valued `headers`, and `multiValueHeaders` for what repeats (each
 * Set-Cookie is its own header; a comma-joined one would be read as one cookie). API Gateway
 * merges the two maps, multiValueHeaders winning a clash, so both carry every header. An ALB
 * reads only the map its target group is set for: multiValueHeaders when the event had them,
 * else headers, where only one Set-Cookie fits (the handler itself sets none).
 */
function toPayload1(event, statusCode, headers, cookies, encoded) {
  const singleOnly = Boolean(event.requestContext?.elb) && !event.multiValueHeaders;
  if (singleOnly) return { statusCode, headers: cookies.length ? { ...headers, 'set-cookie': cookies[0] } : headers, ...encoded };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  if (cookies.length) multiValueHeaders['set-cookie'] = cookies;
  return { statusCode, headers, multiValueHeaders, ...encoded };
}
