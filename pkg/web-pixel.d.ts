// `rekindle/web-pixel`: capture inside a Shopify Web Pixel extension.
//   register((api) => subscribe(api, { endpoint: api.settings.endpoint, wasmUrl: api.settings.wasmUrl }));

export interface PixelSettings {
  endpoint: string;
  /** The Web Pixel's engine (`rekindle/web-pixel.wasm`, the storefront build plus Shopify's events) as your app serves it. */
  wasmUrl?: string;
  /** Pixel settings arrive as strings; numbers are accepted too. */
  idleSeconds?: string | number;
  slowPageMs?: string | number;
  consentRequired?: string | boolean;
  textVersion?: string;
  recoveryUrl?: string;
}

/** The parts of the Web Pixels Standard API Rekindle uses. */
export interface PixelApi {
  analytics: { subscribe(event: string, handler: (event: any) => void): unknown };
  browser: {
    localStorage: { getItem(key: string): Promise<string | null>; setItem(key: string, value: string): Promise<void> };
    sessionStorage: { getItem(key: string): Promise<string | null>; setItem(key: string, value: string): Promise<void> };
    sendBeacon(url: string, body: string): Promise<boolean>;
  };
  init?: { context?: any; customerPrivacy?: { analyticsProcessingAllowed?: boolean; marketingAllowed?: boolean; saleOfDataAllowed?: boolean } };
  customerPrivacy?: { subscribe(event: 'visitorConsentCollected', handler: (event: { customerPrivacy: any }) => void): unknown };
}

/** Subscribe to the standard events; resolves once the engine is loaded (or could not be). */
export function subscribe(api: PixelApi, settings: PixelSettings): Promise<void>;
