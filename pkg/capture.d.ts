// `rekindle/capture`: storefront capture as an ES module (the `<script>` embed, `rekindle/embed`,
// takes the same options as data attributes: data-endpoint, data-idle-seconds, ...).

export interface CaptureConfig {
  /** Where beacons are POSTed (see BEACON.md in the repository: js-shim/storefront/BEACON.md). */
  endpoint: string;
  /** Idle this long with items in the cart counts as abandonment (engine default: 300). */
  idleSeconds?: number;
  /** A page load slower than this counts as friction (engine default: 4000). */
  slowPageMs?: number;
  /** Opt-in regions: nothing leaves the page before analytics consent. */
  consentRequired?: boolean;
  /** The version of your consent wording, recorded with each consent change. */
  textVersion?: string;
  /** Where recovery links should land when the page does not say (default: the page). */
  recoveryUrl?: string;
  /** Selector of your "email me about my cart" checkbox. */
  emailConsent?: string;
  /** Selector of your "text me about my cart" checkbox (SMS consent from a page stays pending). */
  smsConsent?: string;
  /** Selector of an element to render Rekindle's preference widget into. */
  widget?: string;
  /** Where the storefront wasm lives, if not beside the engine chunk. */
  wasmUrl?: string;
}

/** Observation kinds `track` accepts, with their fields (decided on by the engine). */
export type Observation =
  | { kind: 'cart'; token?: string; currency: string; items: ShownItem[]; recoveryUrl?: string }
  | { kind: 'itemAdded'; currency: string; item: ShownItem }
  | { kind: 'stage'; stage: 'browse' | 'cart' | 'checkout' }
  | { kind: 'shippingCost'; amount?: number | string }
  | { kind: 'deliveryEstimate'; shown: boolean }
  | { kind: 'formError' | 'paymentError' | 'accountWall' | 'completed' | 'interaction' | 'back' }
  | { kind: 'region'; countryCode: string; provinceCode?: string };

export interface ShownItem {
  title: string;
  quantity?: number;
  /** As displayed ("$18.00", "1.299,50 €") or a number in major units. */
  price: number | string;
  variant?: string;
  productId?: string;
  category?: string;
}

export interface Capture {
  /** `track('cart', { currency: 'USD', items: [...] })`, `track('paymentError')`. */
  track<K extends Observation['kind']>(kind: K, fields?: Omit<Extract<Observation, { kind: K }>, 'kind'>): void;
  /** Contact hints. They leave the page only with marketing consent. */
  identify(fields: { email?: string; phone?: string; firstName?: string }): void;
  /**
   * The consent-management hook: purposes as your CMP reports them, and the shopper's own
   * channel choices. (A CMP can also dispatch `new CustomEvent('rekindle:consent', { detail })`.)
   */
  consent(choice: { analytics?: boolean; marketing?: boolean; email?: boolean; sms?: boolean }): void;
}

/** Start capturing; idempotent. The engine and its wasm load after the page's load event. */
export function init(config: CaptureConfig): Capture;
export function track(...args: Parameters<Capture['track']>): void;
export function identify(fields: Parameters<Capture['identify']>[0]): void;
export function consent(choice: Parameters<Capture['consent']>[0]): void;
