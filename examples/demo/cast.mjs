// The cast: eight shoppers, each abandoning (or not) for a different reason, what each one
// does on the storefront and with the messages they get, and what must have happened by the
// end. Tokens are fixed so every run is the same: the holdout shopper's token is one whose
// journey id lands in the default policy's 10% holdout (the engine hashes the journey id),
// and everyone else's lands outside it.

export const T0 = Date.parse('2026-11-27T15:00:00Z'); // Friday 10:00 in New York
export const END = T0 + 72 * 3_600_000;
const M = 60_000;
const H = 60 * M;

export const CAST = [
  {
    key: 'ada', name: 'Ada buys right away', firstName: 'Ada', email: 'ada@example.com', phone: '+15125550101',
    province: 'TX', timeZone: 'America/Chicago', smsConsent: true, token: 'chk_ada_2', lines: [{ id: 'socks', quantity: 2 }],
    script: [[35 * M, 'checkout'], [36 * M, 'shipping'], [37 * M, 'pay']],
  },
  {
    key: 'ben', name: 'Ben leaves when shipping costs appear', firstName: 'Ben', email: 'ben@example.com', phone: '+15125550102',
    province: 'TX', timeZone: 'America/Chicago', smsConsent: true, token: 'chk_ben_0', lines: [{ id: 'cap', quantity: 1 }, { id: 'bottle', quantity: 1 }],
    script: [[5 * M, 'checkout'], [8 * M, 'abandon', { sawShipping: true }]],
  },
  {
    key: 'cleo', name: 'Cleo clicks the first email', firstName: 'Cleo', email: 'cleo@example.com', phone: '+12125550103',
    province: 'NY', timeZone: 'America/New_York', smsConsent: true, token: 'chk_cleo_1', lines: [{ id: 'bottle', quantity: 2 }],
    script: [[10 * M, 'checkout'], [12 * M, 'abandon']],
    on: [
      { when: (m) => m.channel === 'email', after: 15 * M, do: 'click' },
      { when: (m, s) => m.channel === 'sms' && s.clickedAt && m.at > s.clickedAt, after: 20 * M, do: 'pay' },
    ],
  },
  {
    key: 'dan', name: 'Dan, in Toronto, replies STOP', firstName: 'Dan', email: 'dan@example.com', phone: '+14165550104',
    // Canada: no one-SMS-per-abandonment rule, so a second SMS is pending when he says STOP.
    country: 'CA', province: 'ON', timeZone: 'America/Toronto', smsConsent: true, token: 'chk_dan_0', lines: [{ id: 'socks', quantity: 1 }, { id: 'cap', quantity: 1 }],
    script: [[15 * M, 'checkout'], [17 * M, 'abandon']],
    on: [{ when: (m) => m.channel === 'sms' && m.kind === 'send', after: 3 * M, do: 'stop' }],
  },
  {
    key: 'eve', name: 'Eve shops at 11 p.m. in California', firstName: 'Eve', email: 'eve@example.com', phone: '+13105550105',
    province: 'CA', timeZone: 'America/Los_Angeles', smsConsent: true, token: 'chk_eve_0', lines: [{ id: 'bottle', quantity: 1 }, { id: 'socks', quantity: 1 }],
    script: [[16 * H, 'checkout'], [16 * H + 2 * M, 'abandon']], // 07:00Z is 23:00 in Los Angeles
  },
  {
    key: 'finn', name: 'Finn, a returning customer, leaves a $438 cart', firstName: 'Finn', email: 'finn@example.com', phone: '+15125550106',
    province: 'TX', timeZone: 'America/Chicago', smsConsent: true, customerId: '7100000000000001', token: 'chk_finn_0',
    lines: [{ id: 'jacket', quantity: 1 }, { id: 'bag', quantity: 1 }],
    // Last week's order (a small one, bought at once) makes him a returning customer.
    history: { token: 'chk_finn_prev1', lines: [{ id: 'socks', quantity: 1 }] },
    script: [[20 * M, 'checkout', { previous: true }], [21 * M, 'pay', { previous: true }], [60 * M, 'checkout'], [62 * M, 'abandon']],
  },
  {
    key: 'gus', name: 'Gus buys on his laptop after the first email', firstName: 'Gus', email: 'gus@example.com', phone: '+15125550107',
    province: 'TX', timeZone: 'America/Chicago', smsConsent: true, token: 'chk_gus_0', lines: [{ id: 'bag', quantity: 1 }],
    script: [[30 * M, 'checkout'], [32 * M, 'abandon']],
    on: [{ when: (m) => m.channel === 'email', after: 6 * M, do: 'buyElsewhere' }],
  },
  {
    key: 'hana', name: 'Hana is in the holdout', firstName: 'Hana', email: 'hana@example.com', phone: '+15125550108',
    province: 'TX', timeZone: 'America/Chicago', smsConsent: true, token: 'chk_hana_3', lines: [{ id: 'cap', quantity: 2 }],
    script: [[25 * M, 'checkout'], [27 * M, 'abandon']],
  },
];
