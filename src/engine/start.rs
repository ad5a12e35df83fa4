//! A journey starts: stage precedence, supersession, pilot and holdout, playbook choice,
//! and the plan of sends.

use super::Run;
use crate::common::cart::Cart;
use crate::common::ids;
use crate::model::action::Action;
use crate::model::event::{Origin, ReasonSignal};
use crate::model::journey::{Journey, JourneyStatus, PlannedSend, SendStatus};
use crate::policy::{pilot_arm, PilotArm, Profile};
use chrono::{DateTime, Duration, Utc};

impl Run<'_> {
    pub(super) fn abandoned(&mut self, cart: &Cart, reasons: &[ReasonSignal], at: DateTime<Utc>, origin: Origin) {
        let from_browser = origin == Origin::Storefront;
        // Product images go into emails: one that is not https, too long or malformed is
        // dropped here, whoever sent it, and the explanation says which and why.
        let mut checked;
        let cart = if cart.items.iter().any(|i| i.image_url.is_some()) {
            checked = cart.clone();
            for (line, reason) in checked.drop_unfit_images() {
                self.why.because("imageDropped", format_args!("the image of line {} was dropped: {}", line + 1, reason.as_str()));
            }
            &checked
        } else {
            cart
        };
        // A journey's id is a hash of (contact, cart token): the token finds it without one.
        if let Some(journey) = self.state.journeys.iter_mut().find(|j| j.cart.token == cart.token) {
            let Journey { id, reasons: known_reasons, cart: known_cart, cart_updated_at, awaiting_platform, .. } = journey;
            // The same cart again: never restart. The storefront's reasons are kept whenever
            // they come (a beacon often races the checkout webhook); the cart snapshot only
            // if it is newer and, what the platform said outranks what a browser says, always.
            if !reasons.is_empty() {
                *known_reasons = reasons.to_vec();
                self.why.because("reasons", format_args!("journey {id} learned why the shopper left"));
            }
            let id = id.clone();
            if from_browser && !*awaiting_platform {
                self.why.because("platformOutranks", format_args!("journey {id} keeps the platform's cart: a browser cannot replace it"));
                // But the Web Pixel sees the product images the platform's webhooks lack.
                if known_cart.adopt_images(cart) > 0 {
                    self.why.because("imagesAdded", format_args!("journey {id} took product images from the storefront's snapshot"));
                }
            } else if (at > *cart_updated_at && cart.stage >= known_cart.stage) || (!from_browser && *awaiting_platform) {
                let mut fresh = cart.clone();
                // The images an earlier snapshot had (a beacon racing the webhook) stay with their lines.
                fresh.adopt_images(known_cart);
                *known_cart = fresh;
                *cart_updated_at = at;
                self.why.because("cartUpdated", format_args!("journey {id} cart refreshed"));
            } else {
                self.why.because("stale", format_args!("journey {id} already has a newer snapshot"));
                if known_cart.adopt_images(cart) > 0 {
                    self.why.because("imagesAdded", format_args!("journey {id} took product images from an older snapshot"));
                }
            }
            if !from_browser {
                self.confirm_from_platform(&id, at);
            }
            return;
        }
        // An abandonment reported after its journey would have expired is history, not a
        // reason to message (a replayed or very late webhook).
        if self.now - at > Duration::hours(self.policy.journey_expiry_hours as i64) {
            self.why.because("tooLate", format_args!("abandonment reported {} h late: past the journey's life, nothing planned", (self.now - at).num_hours()));
            return;
        }
        let journey_id = ids::journey_id(&self.state.contact.id, &cart.token);
        let playbook = self.policy.choose(&self.profile(cart)).name.clone();
        let journey = Journey {
            id: journey_id.clone(),
            status: JourneyStatus::Active,
            policy_version: self.policy.version.clone(),
            playbook,
            abandoned_at: at,
            cart: cart.clone(),
            reasons: reasons.to_vec(),
            holdout: false,
            left_alone: false,
            sends: Vec::new(),
            incentive: None,
            order_id: None,
            recovered_minor: None,
            order_outcome: None,
            cart_updated_at: at,
            awaiting_platform: true,
            email: None,
            phone: None,
            paused: None,
        };
        if from_browser {
            // Tracked for its reasons, never planned, never closing another journey: a browser
            // cannot say whom to message, nor outrank what the platform reported.
            self.why.because("tracked", format_args!("journey {journey_id} tracked from the storefront: planned once the platform reports this cart"));
            self.state.journeys.push(journey);
            self.drop_surplus_browser_journeys();
            return;
        }
        self.state.journeys.push(journey);
        self.confirm_from_platform(&journey_id, at);
    }

    /// A browser-reported journey waits for the platform, so a page that reports many carts
    /// only keeps the few newest.
    fn drop_surplus_browser_journeys(&mut self) {
        const KEPT: usize = 3;
        let waiting = self.state.journeys.iter().filter(|j| j.awaiting_platform && j.status == JourneyStatus::Active).count();
        let mut surplus = waiting.saturating_sub(KEPT);
        self.state.journeys.retain(|j| {
            let drop = surplus > 0 && j.awaiting_platform && j.status == JourneyStatus::Active;
            surplus -= drop as usize;
            !drop
        });
    }

    /// The platform reported this cart: the journey takes the addresses given with it and, if it
    /// was waiting, is planned now (stage precedence, supersession, pilot, holdout, steps).
    fn confirm_from_platform(&mut self, journey_id: &str, at: DateTime<Utc>) {
        let (email, phone) = self.given.clone();
        let Some(journey) = self.state.journeys.iter_mut().find(|j| j.id == journey_id) else { return };
        if email.is_some() || phone.is_some() {
            journey.email = email;
            journey.phone = phone;
        }
        if !journey.awaiting_platform || journey.status != JourneyStatus::Active {
            return;
        }
        journey.awaiting_platform = false;
        journey.abandoned_at = at;
        let cart = journey.cart.clone();
        // Stage precedence: a deeper stage outranks a shallower one whatever the order events
        // arrive in; at the same stage the newer cart wins. Journeys a browser reported are not
        // rivals: they were never planned.
        let mut superseded = Vec::new();
        for other in self.state.journeys.iter().filter(|j| j.status == JourneyStatus::Active && j.id != journey_id) {
            let outranks = !other.awaiting_platform
                && (other.cart.stage > cart.stage || (other.cart.stage == cart.stage && other.abandoned_at > at));
            if outranks {
                self.why.because(
                    "outranked",
                    format_args!("journey {} is newer or at a deeper stage: this {:?} is tracked, not messaged", other.id, cart.stage),
                );
                self.state.journeys.retain(|j| j.id != journey_id);
                return;
            }
            superseded.push(other.id.clone());
        }
        for id in superseded {
            self.close_journey(&id, JourneyStatus::Superseded, "superseded by a newer cart");
        }
        let Some(index) = self.state.journeys.iter().position(|j| j.id == journey_id) else { return };
        let mut journey = self.state.journeys.remove(index);
        let journey_id = journey_id.to_string();
        let playbook = self.policy.choose(&self.profile(&cart));
        journey.playbook = playbook.name.clone();
        // Outside a partial pilot: tracked like a held-out journey, never messaged, so the
        // report can compare the pilot with the shoppers it left alone.
        if pilot_arm(&self.policy.name, self.policy.pilot_percent, &self.state.contact.id) == PilotArm::LeftAlone {
            journey.left_alone = true;
            self.why.because(
                "outsidePilot",
                format_args!("contact is outside the {}% pilot: journey {journey_id} is tracked, left alone", self.policy.pilot_percent),
            );
            self.state.journeys.push(journey);
            return;
        }
        // Buckets lie in 0..100: an empty holdout needs no hash.
        let share = self.policy.holdout_percent;
        let holdout = share > 0 && ids::bucket(&["holdout:", &self.policy.name], &journey_id) < share;
        self.note_abandon_after_incentive(at);
        journey.holdout = holdout;
        journey.sends.reserve(playbook.steps.len());
        if holdout {
            self.why.because(
                "holdout",
                format_args!("journey {journey_id} is in the {}% holdout: tracked, never messaged", self.policy.holdout_percent),
            );
        } else {
            self.actions.reserve(playbook.steps.len());
            for step in &playbook.steps {
                // Experiments assign by contact, so every runtime puts a shopper in one arm.
                let variant = self.policy.variant_for(&step.key, &self.state.contact.id).map(|(_, v)| v.key.clone());
                let Some(step) = self.policy.resolve_step(&playbook.name, &step.key, variant.as_deref()) else { continue };
                let id = ids::send_id(&journey_id, &step.key, step.channel, 0);
                let due_at = (at + Duration::minutes(step.delay_minutes as i64)).max(self.now);
                journey.sends.push(PlannedSend {
                    id: id.clone(),
                    step: step.key.clone(),
                    channel: step.channel,
                    due_at,
                    status: SendStatus::Scheduled,
                    attempt: 0,
                    // Chosen when it comes due: the storefront's reasons may arrive later.
                    angle: None,
                    variant,
                    delivered: false,
                    opened: false,
                    clicked: false,
                    held_from: None,
                });
                self.actions.push(Action::Schedule {
                    id,
                    journey_id: journey_id.clone(),
                    step: step.key.clone(),
                    channel: step.channel,
                    at: due_at,
                });
            }
            self.why.because(
                "journeyStarted",
                format_args!(
                    "journey {journey_id} started under {} playbook {}: {} sends planned, each re-checked when due",
                    self.policy.version,
                    playbook.name,
                    journey.sends.len()
                ),
            );
        }
        self.state.journeys.push(journey);
    }

    /// What segments look at: the cart and the contact's history.
    fn profile<'c>(&self, cart: &'c Cart) -> Profile<'c> {
        let contact = &self.state.contact;
        Profile {
            cart_minor: cart.shop_subtotal_minor(),
            categories: cart.items.iter().filter_map(|i| i.category.as_deref()).collect(),
            returning: contact.returning || contact.stats.orders > 0,
            orders: contact.stats.orders,
            mobile: contact.mobile,
            responsiveness: contact.stats.responsiveness(),
        }
    }

    /// Anti-gaming: a new abandonment soon after an unused incentive counts against the
    /// contact; enough of them and incentives stop.
    fn note_abandon_after_incentive(&mut self, at: DateTime<Utc>) {
        let cooldown = Duration::days(self.policy.incentives.cooldown_days as i64);
        let stats = &mut self.state.contact.stats;
        let recent_offer = stats.last_incentive_at.is_some_and(|offered| at >= offered && at - offered < cooldown);
        let unused = self.state.journeys.iter().any(|j| j.incentive.is_some() && j.order_id.is_none());
        if recent_offer && unused {
            stats.abandons_after_incentive += 1;
        }
    }
}
