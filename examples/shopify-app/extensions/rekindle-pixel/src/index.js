// Rekindle's Web Pixel extension. Shopify runs this in its strict sandbox (a Web Worker) and
// hands `register` the Standard API; `rekindle/web-pixel` subscribes to the standard events
// (checkout_started, checkout_contact_info_submitted, checkout_address_info_submitted,
// checkout_shipping_info_submitted, payment_info_submitted, checkout_completed, alert_displayed,
// …), reads them with the storefront engine and sends a beacon when the checkout is left.
import { register } from '@shopify/web-pixels-extension';
import { subscribe } from 'rekindle/web-pixel';

register((api) => {
  subscribe(api, api.settings);
});
