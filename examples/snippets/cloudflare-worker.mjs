import { contactObject, createHandler, durableObjectStore, sendgridTransport } from 'rekindle/server/cloudflare';

const options = (env) => ({
  store: durableObjectStore(env.REKINDLE),
  policy: env.POLICY,
  secrets: { salt: env.REKINDLE_SALT, shopify: env.SHOPIFY_SECRET },
  transports: { email: sendgridTransport({ apiKey: env.SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: { 'cart.email.confirm': 'd-…' } }) },
  publicUrl: env.PUBLIC_URL, // https://recover.example.com
  beacon: { allowedOrigins: [env.SHOP_ORIGIN] },
});

export const RekindleContact = contactObject(options); // the name is the binding's class_name
export default { fetch: createHandler(options) };
