// Public JS API of the `rekindle` package. The same declarations serve every runtime entry
// (node, browser, workerd, edge-light, deno, slim).

/** Anything the runtime's wasm loader accepts: a compiled module, bytes, a Response or a URL. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | Promise<Response> | URL | string;

/**
 * Load the engine. Idempotent and safe to call concurrently: every caller awaits the same
 * instantiation. `source` overrides where the wasm comes from (required with `rekindle/slim`).
 */
export function init(source?: WasmSource): Promise<void>;

/** Stable error codes. Engine contract errors, plus the loader's own. */
export type ErrorCode =
  | 'MALFORMED_JSON'
  | 'INVALID_FIELD'
  | 'UNKNOWN_EVENT_TYPE'
  | 'INVALID_POLICY'
  | 'UNSUPPORTED_SCHEMA_VERSION'
  | 'INVALID_TIME_ZONE'
  | 'INVALID_TIMESTAMP'
  | 'TOO_LARGE'
  | 'INVALID_EMAIL'
  | 'INVALID_PHONE'
  | 'NOT_INITIALIZED'
  | 'ENGINE_TRAPPED'
  | 'NO_WASM_SOURCE';

export interface Problem {
  code: ErrorCode;
  /** JSONPath-style location of the offending field, e.g. `$.steps[2].delayMinutes`. */
  path: string;
  message: string;
}

/** A broken contract (invalid policy, malformed event). Skips and deferrals are never errors. */
export class RekindleError extends Error {
  readonly name: 'RekindleError';
  readonly code: ErrorCode;
  readonly path?: string;
  /** Every problem found; policy validation reports all of them at once. */
  readonly problems: Problem[];
}

export type Channel = 'email' | 'sms';
export type Stage = 'browse' | 'cart' | 'checkout';
export type Angle =
  | 'reminder' | 'value' | 'freeShipping' | 'guestCheckout' | 'trust'
  | 'returnPolicy' | 'deliveryEstimate' | 'urgency' | 'byReason';
export type Reason =
  | 'extraCost' | 'accountRequired' | 'trust' | 'deliverySpeed' | 'checkoutFriction'
  | 'siteError' | 'paymentError' | 'returnsPolicy' | 'couponHunting' | 'justBrowsing';
export type ConsentStatus = 'unknown' | 'pending' | 'granted' | 'revoked';
export type ConsentSource =
  | 'storefront' | 'checkout' | 'platformWebhook' | 'smsKeyword' | 'doubleOptInReply'
  | 'import' | 'unsubscribe' | 'suppression' | 'preferenceCentre' | 'carrierBlock';

export interface Money { minor: number; currency: string }
export type Known = { state: 'unknown' } | { state: 'known'; minor: number };

export interface LineItem {
  title: string;
  variant?: string;
  quantity: number;
  /** Minor units (cents). */
  unitPrice: number;
  category?: string;
  productId?: string;
  /** The merchant's cost per unit (minor units), for the incentive margin guard. */
  unitCost?: number;
  /** The product image (https), shown beside the item in emails. */
  imageUrl?: string;
}

export interface Cart {
  token: string;
  stage: Stage;
  currency: string;
  items: LineItem[];
  shipping?: Known;
  tax?: Known;
  recoveryUrl: string;
  /** As the platform phrased it, e.g. "Arrives Dec 2–4". */
  deliveryEstimate?: string;
}

export interface ContactDetails {
  email?: string;
  phone?: string;
  firstName?: string;
  timeZone?: string;
  region?: string;
  locale?: string;
  returning?: boolean;
  mobile?: boolean;
}

export interface ReasonSignal { reason: Reason; confidence: number }

/** Every event has an id (repeats change nothing) and the source's own timestamp. */
export type RekindleEvent = { id: string; at: string } & (
  | { type: 'abandoned'; origin: 'storefront' | 'platform' | 'provider' | 'merchant' | 'scheduler'; cart: Cart; contact?: ContactDetails; reasons?: ReasonSignal[] }
  | { type: 'checkoutUpdated'; cart: Cart; contact?: ContactDetails; acceptsSms?: boolean; acceptsEmail?: boolean }
  | { type: 'orderPlaced'; orderId: string; cartToken?: string; total: Money }
  | { type: 'orderCancelled'; orderId: string }
  | { type: 'orderRefunded'; orderId: string }
  | { type: 'orderEdited'; orderId: string }
  /**
   * The merchant's help desk, or the console's support exception: while one is open nothing is
   * sent to the contact; one with `until` ends by itself then.
   */
  | { type: 'supportTicket'; ticketId: string; status: 'open' | 'closed'; kind?: 'ticket' | 'refund' | 'changedOrder'; reason?: string; until?: string }
  /** An operator's pause of the contact, or of one journey (until resumed, or until `until`). */
  | { type: 'operatorPaused'; journeyId?: string; until?: string }
  | { type: 'operatorResumed'; journeyId?: string }
  | { type: 'due' | 'delivered' | 'opened' | 'clicked' | 'complained'; actionId: string }
  | { type: 'bounced'; actionId: string; permanent: boolean }
  | { type: 'sendFailed'; actionId: string; permanent: boolean; code: string }
  | { type: 'smsReceived'; body: string; providerKeyword?: 'optOut' | 'optIn' | 'help' }
  | { type: 'consentChanged'; channel: Channel; status: ConsentStatus; source: ConsentSource; textVersion?: string; evidence?: string }
  | { type: 'unsubscribed'; channel?: Channel }
  | { type: 'erase' }
);

export interface Message {
  template: string;
  variant: string;
  angle: Angle;
  data: {
    firstName: string;
    items: { title: string; quantity: number; price: string; variant?: string; imageUrl?: string }[];
    subtotal: string;
    shipping?: string;
    tax?: string;
    deliveryEstimate?: string;
    /** The journey's one offer, and its code (the platform creates exactly that code on `requestCoupon`). */
    incentive?: Offer;
    code?: string;
    recoveryUrl: string;
    unsubscribeUrl: string;
    preferencesUrl: string;
    /** SMS only: `<base>/s/<actionId>`, which the server shim turns into a 16-character signed token. */
    shortUrl?: string;
  };
  sms?: { text: string; encoding: 'gsm7' | 'ucs2'; count: number };
  headers?: { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': string };
  /** Rekindle's rendered email (absent for SMS, and when the content audit withheld it). */
  email?: { key: string; locale: string; subject: string; preheader: string; html: string; text: string };
  /** The pack key and language the copy came from, e.g. "offer.percentOff/fr". */
  copy?: string;
}

export type IncentiveKind = 'freeShipping' | 'percentOff' | 'expeditedShipping' | 'gift' | 'loyalty';
export interface Offer { kind: IncentiveKind; percent?: number; couponRequestId: string; /** When the journey that made it expires: the code ends then. */ expiresAt?: string }

/** What the host must do. The shim performs actions; it never decides them. */
export type Action =
  | { type: 'schedule'; id: string; journeyId: string; step: string; channel: Channel; at: string }
  | { type: 'defer'; id: string; at: string; reason: string }
  | { type: 'send'; id: string; journeyId: string; channel: Channel; to: string; message: Message }
  | { type: 'cancel'; id: string; reason: string }
  | { type: 'skip'; id: string; reason: string }
  | { type: 'reply'; id: string; to: string; body: string; segments: number; limits?: { key: string; perAddress?: boolean; max: number; windowHours: number }[] }
  | { type: 'forget'; contactId: string }
  /** Idle past retention: the store drops the contact's keys, due entries and queued sends; no provider suppression. */
  | { type: 'purge'; contactId: string }
  | { type: 'requestCoupon'; id: string; journeyId: string; offer: Offer; code: string }
  /** Tell the platform a consent change the shopper made through Rekindle (never one the platform reported). */
  | { type: 'reportConsent'; id: string; channel: Channel; status: ConsentStatus; source: ConsentSource; address: string; at: string }
  | { type: 'erase'; contactId: string; journeyIds: string[]; providerSuppressions: { channel: Channel; address: string }[] };

export interface Explanation {
  reasons: { code: string; detail: string }[];
  /** One human sentence; never contains personal data. */
  summary: string;
}

export interface Decision {
  /** The contact's new state: store it as-is (opaque JSON with a schemaVersion). */
  state: string;
  actions: Action[];
  explanation: Explanation;
  /** Lines for the outcome log (no personal data): append them with the state (src/model/outcome.rs). */
  outcomes: Outcome[];
}

/** One line of the outcome log. Journey facts ride on `abandoned`, send facts on send-level lines. */
export interface Outcome {
  at: number;
  journey: string;
  kind: 'abandoned' | 'sent' | 'delivered' | 'opened' | 'clicked' | 'unsubscribed' | 'complained' | 'ordered' | 'expired' | 'superseded' | 'stopped';
  playbook?: string;
  policyVersion?: string;
  holdout?: boolean;
  pilot?: boolean;
  arms?: { step: string; variant: string; weight: number }[];
  send?: string;
  step?: string;
  channel?: 'email' | 'sms';
  angle?: string;
  variant?: string;
  segments?: number;
  amountMinor?: number;
}

export interface Step {
  key: string;
  channel: Channel;
  delayMinutes: number;
  angle: Angle;
  fallbackAngle?: Angle;
  template: string;
  priority: number;
  offerIncentive?: boolean;
  conditions?: { unlessOpened?: boolean; ifClicked?: boolean; minCartMinor?: number };
}

/** Who a playbook is for; every condition given must hold. */
export interface Segment {
  minCartMinor?: number;
  maxCartMinor?: number;
  categories?: string[];
  returning?: boolean;
  minOrders?: number;
  mobile?: boolean;
  responsiveness?: 'new' | 'engaged' | 'unengaged';
}

export interface Playbook { name: string; segment?: Segment; steps: Step[] }

export interface Incentives {
  ladder?: { kind: IncentiveKind; percent?: number; minCartMinor?: number; returningOnly?: boolean; costMinor?: number }[];
  maxDiscountPercent?: number;
  minMarginPercent?: number;
  defaultMarginPercent?: number;
  cooldownDays?: number;
  maxAbandonsAfterIncentive?: number;
}

export interface Experiment {
  key: string;
  step: string;
  variants: { key: string; weight: number; template?: string; angle?: Angle; delayMinutes?: number; channel?: Channel; offerIncentive?: boolean }[];
}

export interface Policy {
  version: string;
  name: string;
  /** The first whose segment matches wins; exactly one has no segment. */
  playbooks: Playbook[];
  incentives?: Incentives;
  experiments?: Experiment[];
  caps?: { channel: Channel; max: number; windowHours: number }[];
  jurisdictions?: string[];
  holdoutPercent?: number;
  pilotPercent?: number;
  attributionWindowHours: number;
  journeyExpiryHours: number;
  storeTimeZone: string;
  /** Where links point. The server handler replaces it with its `publicUrl` + `basePath`; omitted, links go to https://rekindle.invalid. */
  publicBaseUrl?: string;
  smsSegmentLimit?: number;
  /** The store's name as shoppers know it: every SMS and keyword reply starts with it (CTIA). */
  storeName?: string;
  /** How messages look and speak. Without `postalAddress` Rekindle's own emails are withheld (CAN-SPAM); without `storeName` no SMS is sent (CTIA). */
  brand?: { logoUrl?: string; color?: string; senderName?: string; voice?: 'friendly' | 'formal'; postalAddress?: string; supportEmail?: string; defaultLocale?: string };
  /** What the store promises: the only claims messages make beyond the cart. */
  facts?: { returnWindowDays?: number; freeShippingThresholdMinor?: number; deliveryDays?: { min: number; max: number }; cartHeldHours?: number; guestCheckout?: boolean; gift?: { title: string; url?: string }; confirmedCategories?: ('sex' | 'hate' | 'alcohol' | 'firearms' | 'tobacco' | 'cannabis')[] };
  /** The merchant's wording: `templates[key][locale][part]`, part one of subject, preheader, headline, body, cta, sms, html, text. */
  templates?: Record<string, Record<string, Record<string, string>>>;
  /** Who confirms STOP, START and HELP: the SMS provider (default; Twilio does) or Rekindle. */
  smsKeywordReplies?: 'provider' | 'rekindle';
  /** Against abuse (docs/security.md); all four together, or none for the defaults (30, 200, 6, 120). */
  limits?: { smsConfirmationDaysPerNumber: number; smsConfirmationsPerDay: number; anonymousTtlHours: number; clockSkewSeconds: number };
}

/** A playbook validated once, kept inside the engine. */
export class Engine {
  /** Throws RekindleError (code INVALID_POLICY, with every problem) on a bad playbook. */
  constructor(policy?: Policy | string);
  readonly policyVersion: string;
  /** How long after abandonment a journey's figures are final (its outcome lines may be rolled up). */
  readonly settledAfterMs: number;
  /** How long a sent message's record is kept for "why this message": the policy's longest retention. */
  readonly messagesKeptForMs: number;
  /**
   * Apply one event to one contact's state. Pure: `now` is an input.
   * The engine keeps the latest state of its 4,096 most recent contacts parsed: a `state`
   * equal to the one it last returned for `contactId` is not parsed again (same decision,
   * less work); any other state is read from its JSON.
   * @param state the stored state string, or null for a new contact
   */
  decide(contactId: string, state: string | null | undefined, event: RekindleEvent | string, now: Date | number): Decision;
}

/** Validate a playbook; resolves to it with defaults filled in, or rejects with RekindleError. In the report module (see initReport): decisions validate their own playbook in `new Engine`. */
export function validatePolicy(policy: Policy | string): Promise<Policy>;
export interface Funnel {
  abandoned: number;
  holdout: number;
  holdoutRecovered: number;
  messaged: number;
  clicked: number;
  recovered: number;
  recoveryRate: number;
  revenueRecoveredMinor: number;
}
/** The recovery funnel over contacts' stored state strings (what a store holds). In the report module (see initReport). */
export function funnel(states: string[]): Promise<Funnel>;
/** The ids of the actions a stored state's journeys sent (an SMS's short link names one of them). */
export function sentActionIds(state: string): string[];
/** The discount code a tracked link for `actionId` applies: its journey's offer, once made; else null. */
export function discountCode(state: string, actionId: string): string | null;

/** The outcome log as a store keeps it: lines not yet rolled up, and daily roll-ups with the messages kept for "why this message" (or, as stored before, the bare array of days). */
export interface OutcomeLog { outcomes: Outcome[]; rollups: { days: object[]; messages?: Outcome[] } | object[] }
/** Money in one currency: amounts in different currencies are never added. */
export interface Revenue { currency: string | null; abandoned: number; recovered: number; revenueMinor: number; averageOrderMinor: number; revenuePerMessageMinor: number }
/** A group's figures: counts across currencies, money per currency. */
export type Metrics = Record<string, number> & { revenue: Revenue[] };
export interface ReportOptions { level?: number; smsSegmentPriceMinor?: number; mixtureSd?: number; power?: number; sampleRatioAlpha?: number }
export interface Interval { estimate: number; low: number; high: number }
/** What recovery caused (docs/measurement.md defines every figure). */
export interface Report {
  from: string | null;
  to: string | null;
  treated: Metrics;
  holdout: Metrics;
  lift: null | Lift;
  /** A partial pilot (`pilotPercent` < 100) against the shoppers it left alone. */
  pilot?: { pilot: Metrics; leftAlone: Metrics; lift: Lift | null };
  experiments: {
    step: string;
    arms: { variant: string; weight: number; journeys: number; recovered: number; recoveryRate: number; revenuePerAbandonment: { currency: string | null; minor: number }[] }[];
    sampleRatio: { chiSquare: number; pValue: number; mismatch: boolean };
    comparisons: { variant: string; against: string; fixed: Interval; alwaysValid: Interval; alwaysValidP: number; conclusive: boolean }[];
  }[];
}
export interface Lift {
  treated: number; heldOut: number; treatedRate: number; holdoutRate: number;
  difference: Interval; relative: Interval | null; pValue: number;
  /** One per currency both arms have journeys in. */
  revenuePerAbandonment: { currency: string | null; treatedMinor: number; holdoutMinor: number; difference: Interval; pValue: number; degreesOfFreedom: number; incrementalMinor: Interval }[];
  incrementalOrders: Interval;
  conclusive: boolean; minimumDetectableEffect: number; moreAbandonmentsNeeded: number | null; moreDaysNeeded: number | null; verdict: string;
}
export type Dimension = 'playbook' | 'version' | 'pilot' | 'day' | 'week' | 'step' | 'channel' | 'angle' | 'variant';
/**
 * The report's functions, and what else only operators run (`validatePolicy`, `shopperView`,
 * `funnel`), run in the report module's own wasm (server packages), loaded on the first call:
 * they return promises. A decision never loads it. `initReport(source)` loads it ahead of
 * time, or from a source you bring: `rekindle/slim`, and Vercel Edge, whose build leaves it out
 * (it throws `REPORT_NOT_IN_EDGE_BUILD`; serve the report from a Node.js function).
 */
export function initReport(source?: WasmSource): Promise<void>;
export function report(log: OutcomeLog | string, options?: ReportOptions): Promise<Report>;
export function rollup(log: OutcomeLog | string, dimension: Dimension, options?: ReportOptions): Promise<{ dimension: Dimension; key: string; metrics: Metrics; lift?: Lift }[]>;
/** Every dimension's roll-up as CSV (RFC 4180, formulas defused). */
export function reportCsv(log: OutcomeLog | string, options?: ReportOptions): Promise<string>;
/** Fold journeys abandoned before `before` into daily roll-ups, keeping their messages' records from `keepMessagesFrom` on: the roll-ups to keep, the journeys whose lines may go, and how many records past retention were dropped. */
export function compactOutcomes(log: OutcomeLog | string, before: Date | number, keepMessagesFrom?: Date | number): Promise<{ rollups: { days: object[]; messages?: Outcome[] }; journeys: string[]; forgotten: number }>;
/** "Why this message": the record of one send (policy version, step, angle, offer, the engine's explanation), or null. */
export interface MessageRecord {
  actionId: string; journey: string; sentAt: number; playbook: string | null; policyVersion: string | null; step: string | null;
  channel: 'email' | 'sms' | null; angle: string | null; variant: string | null; incentive: { kind: string; percent?: number } | null;
  segments: number; why: string | null; since: string[];
}
export function messageRecord(log: OutcomeLog | string, actionId: string): Promise<MessageRecord | null>;
/** The console's view of a stored state (the report module, see initReport): addresses masked, carts named by products, sends, consent history with sources, pauses and support exceptions. */
export function shopperView(state: string): Promise<object>;
/** The salted index key a console search resolves: `by` is email, phone (E.164, or national with `region`), order or checkout. */
export function lookupKey(by: 'email' | 'phone' | 'order' | 'checkout', value: string, salt: string, region?: string): string;
/** What one provider or platform request asks of the runtime, as the engine normalised it (`src/ingest`). */
export interface Ingested {
  /** Events for one contact: the first `lookup` key that resolves, else `contactId`; neither is unmatched. */
  routed: { lookup: string[]; contactId?: string; links: string[]; events: RekindleEvent[] }[];
  dataRequest?: { requestId: string; lookup: string[] };
  eraseShop?: true;
  /**
   * Events without Rekindle's own ids wait for these provider message ids to be found in the
   * ledger (`RekindleStore.providerMessage`); the same ingest is then called again with `sent`.
   */
  wanted?: { provider: 'twilio' | 'sendgrid' | 'postmark'; id: string }[];
}
/** What the ledger found for `wanted`, by provider message id; an id left out is a message we did not send. */
export type SentMessages = Record<string, { contactId: string; actionId: string }>;
/** Provider payloads → routed engine events (server build; the raw body, so 64-bit ids stay exact: Shopify's and the beacon's as the bytes received, or text). Throws RekindleError. */
export const ingest: {
  shopify(topic: string, webhookId: string, body: string | Uint8Array, salt: string, now: Date | number): Ingested;
  twilio(kind: 'inbound' | 'status', params: Record<string, string> | string, query: Record<string, string> | string, salt: string, now: Date | number, sent?: SentMessages): Ingested;
  sendgrid(body: string, sent?: SentMessages): Ingested;
  postmark(body: string, now: Date | number, sent?: SentMessages): Ingested;
  beacon(body: string | Uint8Array, salt: string): Ingested;
};
/** The shipped default playbook (the mission's cadence). */
export function defaultPolicy(): Policy;
export function version(): string;
/** 'server' (whole engine) or 'storefront' (signals only). */
export function build(): 'server' | 'storefront';

export interface Observations {
  stage?: Stage;
  hasItems?: boolean;
  idleSeconds?: number;
  leftPage?: boolean;
  shippingCostRevealed?: boolean;
  couponFieldFocusedWithoutCode?: number;
  formErrors?: number;
  paymentError?: boolean;
  deliveryEstimateShown?: boolean;
  accountWallShown?: boolean;
  wentBack?: boolean;
  pageLoadMs?: number;
  completed?: boolean;
}
export interface SignalSummary { abandoned: boolean; stage: Stage | null; reasons: ReasonSignal[] }
/** Reduce storefront friction signals to an abandonment summary (runs on the device; `rekindle/storefront` only). */
export function summariseSignals(observations: Observations | string, thresholds?: { idleSeconds: number; slowPageMs: number } | string): SignalSummary;

/**
 * Storefront (`rekindle/storefront` only): fold page observations (`[[atMs, { kind: fields }], ...]`) into the session
 * (`state` from the last step, or null) and say what to send now. `beacon` is the request
 * body, when there is something to tell.
 */
export function captureStep(
  state: string | null | undefined,
  settings: object | string,
  observations: unknown[] | string,
  now: number,
  anonymousId: string,
): {
  state: string;
  summary: SignalSummary;
  consent: { analytics: boolean; personalData: boolean };
  beacon?: string;
  recheckInMs?: number;
  rejected: Problem[];
};

/** Panics inside the engine on purpose, to prove trap recovery; the next call works. */
export function debugTrap(): void;
