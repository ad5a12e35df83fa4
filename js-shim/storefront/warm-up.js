// A made-up checkout, stepped through a throwaway engine in the compile worker (engine.js) so
// that V8 compiles the wasm functions a page's steps call before the page calls them. V8
// compiles each wasm function lazily, on its first call, on the calling thread: on the page's
// main thread that was 9.5 ms of the first step and 15 ms of the step when the shopper leaves
// (BENCHMARKS.md). The code it compiles lives in the module the worker hands to the page.
// Nothing here is stored or sent; the observations are shaped as page.js and privacy.js make them.

const AT = 1_764_000_000_000; // any fixed time: the engine takes time as an input
const item = { title: 'Socks', quantity: 2, price: '$18.00', variant: 'M', productId: 'p1', category: 'apparel' };

/** What a page reports as it opens: the first step's batch. */
const opening = [
  { environment: { timeZone: 'America/Chicago', locale: 'en-US', gpc: false, device: { uaMobile: false, coarsePointer: false, screenWidth: 1280 } } },
  { page: { path: '/checkouts/c1', url: 'https://shop.invalid/checkouts/c1' } },
  { stage: { stage: 'checkout' } },
  { cart: { token: 'c1', currency: 'USD', items: [item] } },
  { shopifyPrivacy: { privacy: { analyticsProcessingAllowed: true, marketingAllowed: true, saleOfDataAllowed: true } } },
  { platformConsent: { purposes: { analytics: true, marketing: true } } },
  { pageLoad: { ms: 900 } },
];

/** What follows until the shopper leaves: the step that builds a beacon. */
const leaving = [
  { interaction: {} },
  { identify: { email: 'shopper@shop.invalid' } },
  { channelConsent: { channel: 'email', choice: { granted: true, textVersion: 'v1', evidence: 'Email me a reminder' } } },
  { fieldLeft: { name: 'discount_code', id: 'discount', filled: false } },
  { formError: {} },
  { shippingCost: { amount: '5.99' } },
  { deliveryEstimate: { shown: true } },
  { hidden: {} },
  { pageHide: {} },
];

/**
 * Two steps, as a page takes them: the opening batch from no state, then the way out from the
 * state the first returned. Returns both results (a test checks the engine took every
 * observation and built a beacon, so the warm-up keeps covering what pages call).
 */
export function warmUp(captureStep) {
  const settings = { thresholds: {}, consentRequired: false };
  const batch = (observations, at) => observations.map((observation, i) => [at + i, observation]);
  const first = captureStep(null, settings, batch(opening, AT), AT + 50, 'warm-up-0000000000');
  const last = captureStep(first.state, settings, batch(leaving, AT + 1000), AT + 1050, 'warm-up-0000000000');
  return [first, last];
}
