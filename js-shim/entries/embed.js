// The one-line embed, configured by its data attributes:
//   <script async src="https://cdn.example/rekindle/embed.js" data-endpoint="https://recover.example.com/beacon"
//           data-email-consent="#accepts-email" data-widget="#rekindle-consent"></script>
// The engine (engine.js and its wasm) is fetched from beside this file, after page load.
import { start } from '../storefront/start.js';

const script = document.currentScript;
const options = script.dataset;
const number = (text) => (text === undefined ? undefined : Number(text));

window.Rekindle = start(
  {
    endpoint: options.endpoint,
    idleSeconds: number(options.idleSeconds),
    slowPageMs: number(options.slowPageMs),
    consentRequired: options.consentRequired !== undefined && options.consentRequired !== 'false',
    textVersion: options.textVersion,
    recoveryUrl: options.recoveryUrl,
    emailConsent: options.emailConsent,
    smsConsent: options.smsConsent,
    widget: options.widget,
  },
  () => import(new URL('engine.js', script.src)).then((engine) => engine.loadEngine(options.wasm, { offThread: true })),
);
