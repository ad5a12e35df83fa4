// Consent from the platform and from consent-management platforms, read as reported. The
// Customer Privacy API's shape differs across Shopify versions, so this asks whichever methods
// exist and lets the engine (src/storefront/page_consent.rs) pick. GPC is read with the environment.

const methods = ['analyticsProcessingAllowed', 'marketingAllowed', 'saleOfDataAllowed', 'currentVisitorConsent'];
const fields = ['analyticsProcessingAllowed', 'marketingAllowed', 'saleOfDataAllowed', 'visitorConsent'];

/** Report Shopify's consent now, once its API loads, and whenever the visitor answers a banner. */
export function watchShopifyPrivacy(observe) {
  const read = () => {
    const api = window.Shopify?.customerPrivacy;
    if (!api) return;
    const privacy = {};
    methods.forEach((method, i) => {
      try {
        if (typeof api[method] === 'function') privacy[fields[i]] = api[method]();
      } catch {
        // a method that throws says nothing
      }
    });
    observe({ kind: 'shopifyPrivacy', privacy });
  };
  if (window.Shopify?.customerPrivacy) read();
  else window.Shopify?.loadFeatures?.([{ name: 'consent-tracking-api', version: '0.1' }], (error) => error || read());
  document.addEventListener('visitorConsentCollected', read);
}

/**
 * Tell Shopify what the shopper chose in Rekindle's widget, so its pixels agree. Newer
 * versions take an object of purposes; the oldest took one boolean.
 */
export function shareWithShopify(purposes) {
  const api = window.Shopify?.customerPrivacy;
  if (typeof api?.setTrackingConsent !== 'function') return;
  const done = () => {};
  try {
    if (typeof api.currentVisitorConsent === 'function') api.setTrackingConsent(purposes, done);
    else if (purposes.analytics !== undefined) api.setTrackingConsent(purposes.analytics, done);
  } catch {
    // the platform refused; Rekindle's own record of the choice stands
  }
}

/** Any CMP can report purposes with `document.dispatchEvent(new CustomEvent('rekindle:consent', { detail }))`. */
export function watchConsentEvents(report) {
  document.addEventListener('rekindle:consent', (event) => report(event.detail ?? {}));
}
