// AWS Lambda behind API Gateway HTTP APIs or a function URL (payload format 2.0) around the
// fetch-shape handler. Lambda freezes the process once the handler returns, so background
// work handed to `waitUntil` (keyword replies sent after the Twilio webhook) is awaited first.

const TEXT = /^(text\/|application\/(json|xml|x-www-form-urlencoded|problem\+json|javascript))/;

/** @returns {(event: object, context?: object) => Promise<{statusCode, headers, cookies?, body, isBase64Encoded}>} */
export function toLambdaHandler(handler, { env = {} } = {}) {
  return async (event) => {
    const http = event.requestContext?.http ?? {};
    const headers = new Headers();
    for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value);
    // Payload 2.0 moves cookies out of the headers.
    if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
    // API Gateway sets sourceIp from the connection; a client-sent forwarding header is not trusted.
    headers.delete('cf-connecting-ip');
    headers.delete('x-real-ip');
    headers.set('x-forwarded-for', http.sourceIp ?? 'unknown');
    const host = headers.get('host') ?? event.requestContext?.domainName ?? 'localhost';
    const url = `https://${host}${event.rawPath ?? '/'}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    const method = http.method ?? 'GET';
    const body = event.body === undefined || event.body === null || method === 'GET' || method === 'HEAD'
      ? undefined
      : event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
    const pending = [];
    const response = await handler(new Request(url, { method, headers, body }), env, { waitUntil: (p) => pending.push(p) });
    const bytes = Buffer.from(await response.arrayBuffer());
    await Promise.allSettled(pending);
    const out = {};
    for (const [name, value] of response.headers) if (name !== 'set-cookie') out[name] = value;
    const cookies = response.headers.getSetCookie?.() ?? [];
    const text = TEXT.test(response.headers.get('content-type') ?? 'text/plain');
    return {
      statusCode: response.status,
      headers: out,
      ...(cookies.length ? { cookies } : {}),
      body: text ? bytes.toString('utf8') : bytes.toString('base64'),
      isBase64Encoded: !text,
    };
  };
}
