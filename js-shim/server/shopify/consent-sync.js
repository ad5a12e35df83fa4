// The default `onConsentChange` for Shopify: what a shopper told Rekindle (STOP, START or a YES
// to the double opt-in, an email unsubscribe link, the preference centre, a carrier block) is
// written to the customer's marketing consent in Shopify, so Shopify Email, Shopify Messaging
// and every other app reading the customer stop too. The engine emits `reportConsent` only for
// changes it learned itself, never for ones Shopify reported (checkout boxes, its consent
// webhooks), so nothing echoes back and forth.
//
// Mutations (Admin GraphQL, schema in tests/shopify/admin-schema/):
// `customerEmailMarketingConsentUpdate` and `customerSmsMarketingConsentUpdate`, with the
// consent's own time as `consentUpdatedAt`. Granted becomes SUBSCRIBED (CONFIRMED_OPT_IN when the
// shopper confirmed by replying YES, else SINGLE_OPT_IN), revoked becomes UNSUBSCRIBED.
// The customer is found by the address the change concerns; a shopper the shop has no customer
// for (a guest checkout) has nothing to update in Shopify.

import { ShopifyAdminError, customerIdByAddress } from './admin.js';

/**
 * @param {object} o
 * @param {{ request(query: string, variables?: object): Promise<any> }} o.admin the shop's Admin GraphQL client
 * @returns {(action: { channel: 'email' | 'sms', status: string, source: string, address: string, at: string }) =>
 *   Promise<{ synced: boolean, reason?: string, customerId?: string }>}
 */
export function shopifyConsentSync({ admin }) {
  if (!admin?.request) throw new TypeError('shopifyConsentSync: admin (an Admin GraphQL client) is required');
  return async function onConsentChange(action) {
    const marketingState = { granted: 'SUBSCRIBED', revoked: 'UNSUBSCRIBED' }[action.status];
    // Pending (a storefront ask awaiting YES) is not a change Shopify should hear of yet.
    if (!marketingState) return { synced: false, reason: `status ${action.status} is not written back` };
    const customerId = await customerIdByAddress(admin, action.address);
    if (!customerId) return { synced: false, reason: 'no Shopify customer has this address' };
    const consent = {
      marketingState,
      ...(marketingState === 'SUBSCRIBED' ? { marketingOptInLevel: action.source === 'doubleOptInReply' ? 'CONFIRMED_OPT_IN' : 'SINGLE_OPT_IN' } : {}),
      consentUpdatedAt: action.at,
    };
    const [mutation, field, input] = action.channel === 'sms'
      ? [SMS_CONSENT, 'customerSmsMarketingConsentUpdate', { customerId, smsMarketingConsent: consent }]
      : [EMAIL_CONSENT, 'customerEmailMarketingConsentUpdate', { customerId, emailMarketingConsent: consent }];
    const payload = (await admin.request(mutation, { input }))[field];
    const errors = payload?.userErrors ?? [];
    if (errors.length > 0) {
      throw new ShopifyAdminError('USER_ERRORS', `Shopify refused the consent update: ${errors.map((e) => e.code ?? e.message).join(', ')}`, {
        permanent: true,
        userErrors: errors.map(({ code, field: at }) => ({ code, field: at })),
      });
    }
    return { synced: true, customerId };
  };
}

const EMAIL_CONSENT = `mutation RekindleEmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field code message }
  }
}`;

const SMS_CONSENT = `mutation RekindleSmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field code message }
  }
}`;
