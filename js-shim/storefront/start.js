// Starts capture on a storefront page: storage, delivery, DOM listeners, consent sources, the
// widget, and the engine loaded after the page's own load, when the main thread is idle.

import { createCapture } from './capture.js';
import { createOutbox } from './outbox.js';
import { watchPage } from './page.js';
import { shareWithShopify, watchConsentEvents, watchShopifyPrivacy } from './privacy.js';
import { renderWidget } from './widget.js';

/**
 * Storage that never throws (blocked cookies and private modes make it throw), opened on first
 * use: a page's first touch of an area waits on the browser process (1.3–7.9 ms of the embed's
 * evaluation, 25 ms on a loaded machine: BENCHMARKS.md), so it happens in idle time or as the
 * shopper leaves, not while the page loads.
 */
function storage(pick) {
  let area;
  let opened = false;
  const open = () => {
    if (!opened) {
      opened = true;
      try {
        area = pick();
      } catch {
        // unavailable: reads find nothing, writes go nowhere
      }
    }
    return area;
  };
  return {
    get: (key) => {
      try {
        return open()?.getItem(key);
      } catch {
        return null;
      }
    },
    set: (key, value) => {
      try {
        open()?.setItem(key, value);
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
  const session = storage(() => sessionStorage);
  const outbox = createOutbox({
    endpoint: config.endpoint,
    storage: local,
    tab: session,
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
    settings, session, local, outbox, loadEngine, onConsent: (allowed) => showConsent?.(allowed),
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

  const pageIdle = watchPage(capture, config);
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

  const whenIdle = () => {
    pageIdle();
    outbox.flush(); // anything an earlier visit could not deliver
    capture.start();
  };
  const idle = () => (window.requestIdleCallback ? requestIdleCallback(whenIdle, { timeout: 3000 }) : setTimeout(whenIdle, 1));
  document.readyState === 'complete' ? idle() : addEventListener('load', idle, { once: true });

  return {
    /** Report anything the page knows: `track('cart', { token, currency, items })`, `track('paymentError')`. */
    track: (kind, fields) => observe({ ...fields, kind }),
    /** Contact hints; they leave the page only with marketing consent. */
    identify: (fields) => observe({ ...fields, kind: 'identify' }),
    consent,
  };
}
