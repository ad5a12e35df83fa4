// Starts capture on a storefront page: storage, delivery, DOM listeners, consent sources, the
// widget, and the engine loaded after the page's own load, when the main thread is idle.

import { createCapture } from './capture.js';
import { createOutbox } from './outbox.js';
import { watchPage } from './page.js';
import { shareWithShopify, watchConsentEvents, watchShopifyPrivacy } from './privacy.js';
import { renderWidget } from './widget.js';

/** Storage that never throws (blocked cookies and private modes make it throw). */
function storage(pick) {
  let area;
  try {
    area = pick();
  } catch {
    // unavailable: reads find nothing, writes go nowhere
  }
  return {
    get: (key) => {
      try {
        return area?.getItem(key);
      } catch {
        return null;
      }
    },
    set: (key, value) => {
      try {
        area?.setItem(key, value);
      } catch {
        // full or blocked
      }
    },
  };
}

/**
 * @param {import('../../pkg/capture').CaptureConfig} config
 * @param {() => Promise<Function>} loadEngine resolves to the engine's `captureStep`
 */
export function start(config, loadEngine) {
  const local = storage(() => localStorage);
  const outbox = createOutbox({
    endpoint: config.endpoint,
    storage: local,
    sendBeacon: navigator.sendBeacon && ((url, body) => navigator.sendBeacon(url, body)),
    online: () => navigator.onLine !== false,
  });
  addEventListener('online', () => outbox.flush());

  let showConsent;
  const settings = {
    thresholds: { idleSeconds: config.idleSeconds, slowPageMs: config.slowPageMs },
    consentRequired: config.consentRequired,
    textVersion: config.textVersion,
    recoveryUrl: config.recoveryUrl,
  };
  const capture = createCapture({
    settings, session: storage(() => sessionStorage), local, outbox, loadEngine, onConsent: (allowed) => showConsent?.(allowed),
  });
  const { observe } = capture;
  const choose = (channel, granted, evidence) =>
    observe({ kind: 'channelConsent', channel, choice: { granted, textVersion: config.textVersion, evidence } });

  /** The hook for consent-management platforms: purposes, and the shopper's channel choices. */
  const consent = ({ analytics, marketing, email, sms } = {}) => {
    if (analytics !== undefined || marketing !== undefined) observe({ kind: 'platformConsent', purposes: { analytics, marketing } });
    if (email !== undefined) choose('email', email);
    if (sms !== undefined) choose('sms', sms);
  };

  watchPage(capture, config);
  watchShopifyPrivacy(observe);
  watchConsentEvents(consent);
  const container = config.widget && document.querySelector(config.widget);
  if (container) {
    showConsent = renderWidget(container, (name, granted, label) => {
      if (name === 'analytics') {
        observe({ kind: 'analyticsChoice', granted });
        shareWithShopify({ analytics: granted });
      } else {
        choose(name, granted, label);
        if (granted) shareWithShopify({ marketing: true });
      }
    });
  }

  const idle = () => (window.requestIdleCallback ? requestIdleCallback(capture.start, { timeout: 3000 }) : setTimeout(capture.start, 1));
  document.readyState === 'complete' ? idle() : addEventListener('load', idle, { once: true });
  outbox.flush(); // anything an earlier visit could not deliver

  return {
    /** Report anything the page knows: `track('cart', { token, currency, items })`, `track('paymentError')`. */
    track: (kind, fields) => observe({ ...fields, kind }),
    /** Contact hints; they leave the page only with marketing consent. */
    identify: (fields) => observe({ ...fields, kind: 'identify' }),
    consent,
  };
}
