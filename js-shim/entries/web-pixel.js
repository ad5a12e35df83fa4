// `rekindle/web-pixel`: capture inside a Shopify Web Pixel (strict sandbox: no DOM, async
// storage). In the pixel extension:
//   import { register } from '@shopify/web-pixels-extension';
//   import { subscribe } from 'rekindle/web-pixel';
//   register((api) => subscribe(api, { endpoint: api.settings.endpoint, wasmUrl: api.settings.wasmUrl }));
// Standard events go to the engine as they are; src/storefront/web_pixel.rs maps them to the same
// observations the DOM capture makes.
import { createCapture } from '../storefront/capture.js';
import { createOutbox } from '../storefront/outbox.js';
import { loadEngine } from '../storefront/loader.js';

const asyncStorage = (area) => ({ get: (key) => area.getItem(key), set: (key, value) => void area.setItem(key, value) });
const number = (value) => (value === undefined || value === '' ? undefined : Number(value));

export function subscribe({ analytics, browser, init = {}, customerPrivacy }, settings) {
  const local = asyncStorage(browser.localStorage);
  const outbox = createOutbox({ endpoint: settings.endpoint, storage: local, sendBeacon: (url, body) => browser.sendBeacon(url, body) });
  const capture = createCapture({
    settings: {
      thresholds: { idleSeconds: number(settings.idleSeconds), slowPageMs: number(settings.slowPageMs) },
      consentRequired: settings.consentRequired === true || settings.consentRequired === 'true',
      textVersion: settings.textVersion,
      recoveryUrl: settings.recoveryUrl,
    },
    session: asyncStorage(browser.sessionStorage),
    local,
    outbox,
    // The pixel's own build (pixel_bg.wasm beside this file): the page's wasm does not read pixel events.
    loadEngine: () => loadEngine(settings.wasmUrl ?? new URL('./pixel_bg.wasm', import.meta.url)),
  });
  const { navigator: nav = {}, window: win = {} } = init.context ?? {};
  capture.observe({
    kind: 'environment',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    locale: nav.language,
    device: { userAgent: nav.userAgent, screenWidth: win.screen?.width },
  });
  const privacy = (reported) =>
    reported && capture.observe({ kind: 'shopifyPrivacy', privacy: {
      analyticsProcessingAllowed: reported.analyticsProcessingAllowed,
      marketingAllowed: reported.marketingAllowed,
      saleOfDataAllowed: reported.saleOfDataAllowed,
    } });
  privacy(init.customerPrivacy);
  customerPrivacy?.subscribe?.('visitorConsentCollected', (event) => privacy(event.customerPrivacy));
  const forward = (event) => capture.observe({ kind: 'shopify', event }, Date.parse(event.timestamp) || Date.now());
  analytics.subscribe('all_standard_events', forward);
  analytics.subscribe('input_blurred', forward);
  outbox.flush();
  return capture.start();
}
