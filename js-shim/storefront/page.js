// DOM glue for any storefront: reads what the page shows and does, and reports it as raw
// observations. It recognises elements (data attributes, standard form fields); it never
// judges them: which field is a coupon field, what counts as an exit, whether a cost is a
// cost, is decided by the engine (src/storefront/session.rs).
//
// Declarative markup it reads:
//   data-rekindle-stage="cart|checkout"      on any element
//   data-rekindle-cart data-token data-currency [data-recovery-url]
//     data-rekindle-item data-title data-quantity data-price [data-variant data-product-id data-category]
//   data-rekindle-signal="shippingCost" [data-amount] | "deliveryEstimate" | "formError" |
//                        "paymentError" | "accountWall"      (reported when shown)

const INTERACTION_EVERY_MS = 1000;

/**
 * @param {{ observe(o: object): void, leave(o: object): void }} capture
 * @param {{ emailConsent?: string, smsConsent?: string, textVersion?: string }} options
 */
export function watchPage(capture, { emailConsent, smsConsent, textVersion }) {
  const { observe, leave } = capture;
  const doc = document;
  const on = (target, type, listener) => target.addEventListener(type, listener, { capture: true, passive: true });
  const here = () => ({ kind: 'page', path: location.pathname, url: location.origin + location.pathname });

  const environment = (timeZone) => observe({
    kind: 'environment',
    timeZone,
    locale: navigator.language,
    gpc: navigator.globalPrivacyControl === true,
    device: { uaMobile: navigator.userAgentData?.mobile, coarsePointer: matchMedia('(pointer: coarse)').matches, screenWidth: screen.width },
  });
  // The time zone from Temporal where the browser has it: it answers in under 0.1 ms, where
  // the first Intl.DateTimeFormat of a page costs 12–30 ms in desktop Chromium, more on a
  // loaded machine (BENCHMARKS.md). Without Temporal: Global Privacy Control and the device
  // now, the zone once the page is idle (whenIdle, below) or when the shopper leaves, whichever
  // is first.
  const zoneNow = globalThis.Temporal?.Now?.timeZoneId?.();
  let zoneRead = zoneNow !== undefined;
  environment(zoneNow);
  const readZone = () => {
    if (zoneRead) return;
    zoneRead = true;
    environment(Intl.DateTimeFormat().resolvedOptions().timeZone);
  };
  observe(here());
  const stage = doc.querySelector('[data-rekindle-stage]')?.dataset.rekindleStage;
  if (stage) observe({ kind: 'stage', stage });

  // ----- marked-up cart and signals, now and whenever the page changes them -----
  let cartShown;
  const shown = new WeakSet();
  const visible = (el) => el.isConnected && !el.closest('[hidden]');
  const scan = () => {
    const cart = doc.querySelector('[data-rekindle-cart]');
    if (cart) {
      const { token, currency, recoveryUrl } = cart.dataset;
      const items = [...cart.querySelectorAll('[data-rekindle-item]')].map(({ dataset: i }) => ({
        title: i.title, quantity: Number(i.quantity ?? 1), price: i.price, variant: i.variant, productId: i.productId, category: i.category,
      }));
      const observation = { kind: 'cart', token, currency, recoveryUrl, items };
      const text = JSON.stringify(observation);
      if (text !== cartShown) observe(observation);
      cartShown = text;
    }
    for (const el of doc.querySelectorAll('[data-rekindle-signal]')) {
      if (!visible(el)) {
        shown.delete(el); // shown again later counts again (a second form error)
        continue;
      }
      if (shown.has(el)) continue;
      shown.add(el);
      const kind = el.dataset.rekindleSignal;
      if (kind === 'shippingCost') {
        observe({ kind, amount: el.dataset.amount ?? el.textContent.trim() });
        const estimates = [...doc.querySelectorAll('[data-rekindle-signal=deliveryEstimate]')];
        observe({ kind: 'deliveryEstimate', shown: estimates.some(visible) });
      } else {
        observe(kind === 'deliveryEstimate' ? { kind, shown: true } : { kind });
      }
    }
  };
  let scanQueued = false;
  const queueScan = () => {
    if (!scanQueued) {
      scanQueued = true;
      setTimeout(() => {
        scanQueued = false;
        scan();
      }, 100);
    }
  };
  scan();
  new MutationObserver(queueScan).observe(doc.documentElement, {
    subtree: true, childList: true, attributes: true, characterData: true,
    attributeFilter: ['hidden', 'data-rekindle-signal', 'data-quantity', 'data-price', 'data-amount'],
  });

  // ----- forms: contact hints, consent boxes, coupon hunting, validation errors -----
  const consentBoxes = [['email', emailConsent], ['sms', smsConsent]].filter(([, selector]) => selector);
  on(doc, 'change', ({ target: el }) => {
    for (const [channel, selector] of consentBoxes) {
      if (el.matches?.(selector)) {
        const evidence = (el.labels?.[0] ?? el.closest('label'))?.textContent.trim();
        observe({ kind: 'channelConsent', channel, choice: { granted: el.checked, textVersion: el.dataset.textVersion ?? textVersion, evidence } });
        return;
      }
    }
    const purpose = (el.autocomplete || '').split(' ').pop();
    const key = el.type === 'email' || purpose === 'email' ? 'email' : el.type === 'tel' || purpose === 'tel' ? 'phone' : purpose === 'given-name' ? 'firstName' : null;
    if (key && el.value) observe({ kind: 'identify', [key]: el.value });
    const form = el.form;
    const country = form?.querySelector('[autocomplete$=country]')?.value;
    if (country && /country|address-level1/.test(purpose)) {
      observe({ kind: 'region', countryCode: country, provinceCode: form.querySelector('[autocomplete$=address-level1]')?.value });
    }
  });
  on(doc, 'focusout', ({ target: el }) => {
    if (el instanceof HTMLInputElement) observe({ kind: 'fieldLeft', name: el.name, id: el.id, filled: el.value.trim() !== '' });
  });
  let invalidReported = false; // one failed submit is one error, however many fields it flags
  on(doc, 'invalid', () => {
    if (invalidReported) return;
    invalidReported = true;
    observe({ kind: 'formError' });
    setTimeout(() => (invalidReported = false));
  });

  // ----- staying, navigating inside the shop, leaving -----
  let lastInteraction = 0;
  const interaction = () => {
    const now = Date.now();
    if (now - lastInteraction > INTERACTION_EVERY_MS) {
      lastInteraction = now;
      observe({ kind: 'interaction' });
    }
  };
  for (const type of ['pointerdown', 'keydown', 'scroll', 'input']) on(doc, type, interaction);
  on(doc, 'click', ({ target }) => {
    const link = target.closest?.('a[href]');
    if (link && link.origin === location.origin) observe({ kind: 'navigating' });
  });
  on(doc, 'submit', ({ target: form }) => {
    if (new URL(form.action, location.href).origin === location.origin) observe({ kind: 'navigating' });
  });
  // Leaving: first read what the page shows now (a cost revealed a moment ago still counts).
  const leaving = (kind) => {
    readZone();
    scan();
    leave({ kind });
  };
  // A page that goes away fires pagehide, then visibilitychange to hidden, in the same task.
  // The engine takes the two alike, so the second would be another synchronous step (and
  // storage write and flush) in the unloading page's task for nothing: it is skipped until the
  // page shows again. (Hidden first, then pagehide — a tab left, closed later — steps both:
  // the later step decides with the later time.)
  let gone = false;
  on(doc, 'visibilitychange', () => (doc.visibilityState === 'visible' ? observe({ kind: 'visible' }) : gone || leaving('hidden')));
  on(window, 'pagehide', () => {
    gone = true;
    leaving('pageHide');
  });
  on(window, 'pageshow', (event) => {
    gone = false;
    if (event.persisted) observe(here());
  });
  on(window, 'popstate', () => observe({ kind: 'back' }));

  /**
   * For the caller's idle callback after the page's load (one task for all of Rekindle's idle
   * work, not one each): the zone where it waited, and Navigation Timing (loadEventEnd is set
   * once the load handlers have returned).
   */
  return function whenIdle() {
    readZone();
    const [navigation] = performance.getEntriesByType('navigation');
    if (navigation?.loadEventEnd > 0) observe({ kind: 'pageLoad', ms: Math.round(navigation.loadEventEnd) });
    if (navigation?.type === 'back_forward') observe({ kind: 'back' });
  };
}
