// A local test storefront and beacon collector on 127.0.0.1, for the capture tests and the
// storefront benchmark. The shop has a cart page and a checkout whose shipping step reveals
// a cost; it loads Rekindle from the built package (pkg/dist/storefront) with the one-line
// embed or the ES module. The collector records every beacon body it receives.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../pkg/dist/storefront/', import.meta.url));
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

/** The cart markup both pages carry (data attributes the capture reads). */
const cart = `
  <ul data-rekindle-cart data-token="c1" data-currency="USD">
    <li data-rekindle-item data-title="Merino wool socks" data-variant="M" data-quantity="2" data-price="$18.00"
        data-product-id="gid://shopify/Product/1">Merino wool socks (M) × 2 — $36.00</li>
  </ul>`;

/**
 * How the page loads Rekindle. `options`: { esm, idleSeconds, wasm (a URL override),
 * consentRequired, widget (bool), off (no Rekindle at all), cdn (the embed from another origin),
 * csp ('meta' or 'header': NO_WORKERS_CSP) }.
 */
function rekindleTag(origin, options) {
  if (options.off) return ''; // the same shop without Rekindle, for the benchmark's baseline
  const config = {
    endpoint: `${origin}/collect`,
    idleSeconds: options.idleSeconds ?? 2,
    emailConsent: '#accepts-email',
    textVersion: 'cart-email-v1',
    widget: options.widget ? '#rekindle-consent' : undefined,
    consentRequired: options.consentRequired,
  };
  if (options.esm) {
    return `<script type="module">
      import { init } from '/rekindle/capture.js';
      window.Rekindle = init(${JSON.stringify({ ...config, wasmUrl: options.wasm })});
    </script>`;
  }
  const attribute = (name, value) => (value === undefined ? '' : ` data-${name}="${value}"`);
  // `cdn`: the embed, its engine and wasm from another origin (the other loopback name), as a
  // theme's assets come from a CDN.
  const from = options.cdn ? otherOrigin(origin) : '';
  return `<script async src="${from}/rekindle/embed.js"${attribute('endpoint', config.endpoint)}${attribute('idle-seconds', config.idleSeconds)}` +
    `${attribute('email-consent', config.emailConsent)}${attribute('text-version', config.textVersion)}${attribute('widget', config.widget)}` +
    `${attribute('consent-required', config.consentRequired)}${attribute('wasm', options.wasm)}></script>`;
}

/**
 * A store policy that refuses workers (`?csp=header`: as a response header; `?csp=meta`: in a
 * `<meta>`) and allows everything else the page and the embed need.
 */
export const NO_WORKERS_CSP = "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'none'";

const otherOrigin = (origin) => (origin.includes('127.0.0.1') ? origin.replace('127.0.0.1', 'localhost') : origin.replace('localhost', '127.0.0.1'));

function page(title, body, origin, options) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>${title} — Test Shop</title>${options.csp === 'meta' ? `\n<meta http-equiv="Content-Security-Policy" content="${NO_WORKERS_CSP}">` : ''}
<style>body{font:16px system-ui,sans-serif;margin:2rem;max-width:40rem} button,a.button{font:inherit;padding:.5rem 1rem}
[hidden]{display:none!important} .note{color:#555}</style>
${rekindleTag(origin, options)}
</head><body>
<h1>${title}</h1>
${body}
<p><button id="counter" type="button">Clicked 0 times</button> <span class="note">(the shop's own script)</span></p>
<script>
  // The shop's own behaviour: it must keep working whatever happens to Rekindle.
  let clicks = 0;
  document.getElementById('counter').addEventListener('click', (e) => { e.target.textContent = 'Clicked ' + (++clicks) + ' times'; });
</script>
</body></html>`;
}

const cartPage = (origin, options, query) =>
  page('Your cart', `${cart}
<p><a class="button" id="to-checkout" href="/shop/checkouts/c1${query}">Check out</a></p>`, origin, options);

const checkoutPage = (origin, options) =>
  page('Checkout', `<div data-rekindle-stage="checkout"></div>${cart}
<form id="contact" onsubmit="return false">
  <p><label>Email <input id="email" type="email" autocomplete="email" name="email"></label></p>
  <p><label><input id="accepts-email" type="checkbox"> Email me a reminder about my cart</label></p>
  <p><label>Discount code <input id="discount" name="discount_code"></label></p>
</form>
<div id="rekindle-consent"></div>
<p><button id="to-shipping" type="button">Continue to shipping</button></p>
<section id="shipping" hidden>
  <p>Standard shipping: <strong data-rekindle-signal="shippingCost" data-amount="5.99">$5.99</strong></p>
  <p data-rekindle-signal="deliveryEstimate">Arrives in 3–5 business days</p>
</section>
<script>
  document.getElementById('to-shipping').addEventListener('click', () => { document.getElementById('shipping').hidden = false; });
</script>`, origin, options);

/** A blank page that loads the Web Pixel entry; the test feeds it standard events. */
const pixelPage = () => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>pixel</title></head>
<body><script type="module">
  import { subscribe } from '/rekindle/web-pixel.js';
  window.subscribeRekindle = subscribe;
  window.pixelReady = true;
</script></body></html>`;

function options(url) {
  const q = url.searchParams;
  return {
    esm: q.has('esm'),
    idleSeconds: q.has('idle') ? Number(q.get('idle')) : undefined,
    wasm: q.get('wasm') ?? undefined,
    consentRequired: q.has('consentRequired') ? 'true' : undefined,
    widget: q.has('widget'),
    off: q.has('off'),
    cdn: q.has('cdn'),
    csp: q.get('csp') ?? undefined,
  };
}

/**
 * Start the shop; `stop()` closes it. `beacons` holds every parsed body received, `served` the
 * name of every Rekindle file fetched. `dist`: the storefront build to serve under /rekindle/
 * (the benchmark compares two builds in one run).
 */
export async function startShop({ dist: build = dist } = {}) {
  const beacons = [];
  const served = []; // names of the /rekindle/ files fetched, in order
  const waiters = new Set();
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const origin = `http://${request.headers.host}`;
    const csp = url.searchParams.get('csp') === 'header' ? { 'content-security-policy': NO_WORKERS_CSP } : {};
    const html = (body) => response.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store', ...csp }).end(body);
    try {
      if (request.method === 'POST' && url.pathname === '/collect') {
        let body = '';
        for await (const chunk of request) body += chunk;
        beacons.push({ body: JSON.parse(body), contentType: request.headers['content-type'], at: Date.now() });
        for (const wake of waiters) wake();
        return response.writeHead(204, { 'access-control-allow-origin': '*' }).end();
      }
      if (url.pathname === '/shop/cart') return html(cartPage(origin, options(url), url.search));
      if (url.pathname.startsWith('/shop/checkouts/')) return html(checkoutPage(origin, options(url)));
      if (url.pathname === '/pixel') return html(pixelPage());
      if (url.pathname === '/elsewhere') return html('<!doctype html><title>elsewhere</title><p>another site');
      if (url.pathname.startsWith('/rekindle/')) {
        const name = url.pathname.slice('/rekindle/'.length);
        if (!/^[\w.-]+$/.test(name)) return response.writeHead(400).end();
        served.push(name);
        const body = await readFile(join(build, name));
        // CORS, as a CDN serving the embed to shops must send (module imports and the wasm's fetch).
        return response.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' }).end(body);
      }
      response.writeHead(404).end();
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    beacons,
    served,
    /** Resolves once `count` beacons have arrived; rejects after `timeoutMs`. */
    waitForBeacons(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (beacons.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(beacons.slice(0, count));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} beacon(s) within ${timeoutMs} ms, got ${beacons.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
  };
}
