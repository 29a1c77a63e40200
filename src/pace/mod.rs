//! Hireflix at a steady pace: one rate for every call, the quota hold probed by one call, and
//! the positions list refreshed by one caller at a time, all through one Durable Object for the
//! account (`HireflixPace`). An isolate leases a quarter second's worth of slots at once, so
//! the object is asked a few times a second at most. A live post waits at most
//! [`LIVE_WAIT_MS`], then is queued; the queue consumer only claims slots a short way ahead,
//! so live candidates go first.

mod backoff;
mod object;
mod rules;

pub use backoff::{dice, retry_after_ms, seconds_ceil, spread, MAX_QUEUE_DELAY_SECONDS};
pub use object::HireflixPace;
pub use rules::hold_to_value;

use crate::clock::now_ms;
use crate::config::{names, Config};
use crate::objects;
use rules::{Call, Grant, SlotRequest, State};
use std::cell::RefCell;
use std::collections::VecDeque;
use worker::{Env, ObjectNamespace};

const LIVE_WAIT_MS: u64 = 1_500;
/// The queue consumer claims slots at most this far ahead, waits at most `QUEUE_WAIT_MS` (then
/// its batch goes back on the queue untried), and asks at most `QUEUE_ASKS` times for one
/// call's slot (each ask is a subrequest; the Free plan allows 50 per invocation).
const QUEUE_LEAD_MS: u64 = 500;
pub(crate) const QUEUE_WAIT_MS: u64 = 60_000;
const QUEUE_ASKS: u32 = 4;

/// A slot may still be used this long after its time; later it is dropped. Over any second,
/// at most `rate × (1 + SLOT_SLACK_MS / 1000) + 1` calls.
const SLOT_SLACK_MS: u64 = 200;

/// Slower than this, the caller goes on unpaced.
const OBJECT_TIMEOUT_MS: u32 = 2_000;

/// One object for the account, named as the surge work's account object will be.
const OBJECT_NAME: &str = "account";

fn interval_ms(per_second: u32) -> u64 {
    1_000 / u64::from(per_second.max(1))
}

fn lease_size(per_second: u32) -> u32 {
    per_second.div_ceil(4).clamp(1, 25)
}

thread_local! {
    /// Slots this isolate leased and has not used yet, earliest first.
    static LEASED: RefCell<VecDeque<u64>> = const { RefCell::new(VecDeque::new()) };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Live,
    Queue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// `probe`: the one call that finds out whether a spent quota is back.
    Go { probe: bool },
    /// No slot in time, or the quota is held.
    Wait { until_ms: u64 },
}

pub struct Pacer {
    namespace: ObjectNamespace,
    per_second: u32,
    caller: Caller,
    quota_base_seconds: u32,
}

impl Pacer {
    /// `None` without the binding: calls then go unpaced.
    pub fn connect(env: &Env, config: &Config, caller: Caller) -> Option<Pacer> {
        Some(Pacer {
            namespace: env.durable_object(names::HIREFLIX_PACE).ok()?,
            per_second: config.max_calls_per_second,
            caller,
            quota_base_seconds: config.budgets.quota_retry_seconds,
        })
    }

    pub async fn take(&self, invite: bool) -> Permit {
        let (lead_ms, lease, patience_ms) = match self.caller {
            Caller::Live => (LIVE_WAIT_MS, lease_size(self.per_second), 0),
            // A batch is one call, and consumers are few: no lease to waste.
            Caller::Queue => (QUEUE_LEAD_MS, 1, QUEUE_WAIT_MS),
        };
        let give_up = now_ms().saturating_add(patience_ms);
        for ask in 1..=QUEUE_ASKS {
            let now = now_ms();
            if let Some(slot) = leased(now, now.saturating_add(lead_ms)) {
                if sleep_until(slot).await {
                    return Permit::Go { probe: false };
                }
                continue;
            }
            let want = SlotRequest {
                count: lease,
                wait_ms: lead_ms,
                invite,
                interval_ms: interval_ms(self.per_second),
            };
            let Some(grant) = self.call(Call::Take { want }).await else {
                // Unpaced rather than stuck: Hireflix's own 429 still slows us down.
                crate::log::Event::PaceUnreachable.emit();
                return Permit::Go { probe: false };
            };
            match grant {
                Grant::Slots {
                    first_ms,
                    interval_ms,
                    count,
                    probe,
                } => {
                    LEASED.with(|leased| {
                        if let Ok(mut leased) = leased.try_borrow_mut() {
                            leased
                                .extend((1..u64::from(count)).map(|i| first_ms + i * interval_ms));
                        }
                    });
                    // Woke too late (a busy isolate): ask again rather than bunch up with the
                    // next slot's call; the probe goes anyway.
                    if sleep_until(first_ms).await || probe {
                        return Permit::Go { probe };
                    }
                }
                Grant::Held { until_ms } => return Permit::Wait { until_ms },
                Grant::Later { at_ms } if at_ms <= give_up && ask < QUEUE_ASKS => {
                    // Each consumer wakes at its own moment, not all at the first free one
                    // (`as` saturates; the product is below `lead_ms`).
                    let jitter_ms = (dice() * lead_ms as f64) as u64;
                    sleep_until(at_ms.saturating_add(jitter_ms)).await;
                }
                Grant::Later { at_ms } => {
                    return Permit::Wait {
                        until_ms: at_ms.saturating_add(lead_ms),
                    }
                }
            }
        }
        // Late for every slot it was given: the isolate is too busy to keep the pace.
        Permit::Wait {
            until_ms: now_ms().saturating_add(lead_ms),
        }
    }

    pub async fn slow_until(&self, until_ms: u64) {
        crate::log::Event::HireflixThrottled { until_ms }.emit();
        self.call::<State>(Call::Slow { until_ms }).await;
    }

    /// Hireflix refused an invite for quota: when the hold ends, if the object said.
    pub async fn refused(&self, probe: bool) -> Option<u64> {
        let call = Call::Refused {
            probe,
            base_seconds: self.quota_base_seconds,
        };
        let hold = self.call::<State>(call).await?.hold?;
        let (until_ms, refusals) = (hold.until_ms, hold.refusals);
        crate::log::Event::QuotaHold { until_ms, refusals }.emit();
        Some(hold.until_ms)
    }

    pub async fn probe_succeeded(&self) {
        crate::log::Event::QuotaBack.emit();
        self.call::<State>(Call::ProbedOk).await;
    }

    /// For `/admin`.
    pub async fn hold(&self, lift: bool) -> Option<State> {
        let call = if lift { Call::Lift } else { Call::State };
        self.call(call).await
    }

    /// True for one caller per `lease_ms` (everyone, without the object).
    pub async fn may_refresh(&self, lease_ms: u64) -> bool {
        self.call(Call::Refresh { lease_ms }).await.unwrap_or(true)
    }

    async fn call<T: serde::de::DeserializeOwned>(&self, call: Call) -> Option<T> {
        let asked = objects::ask_as(&self.namespace, OBJECT_NAME, &call, OBJECT_TIMEOUT_MS);
        asked.await.ok()
    }
}

/// The earliest leased slot not yet stale, if it is no later than `by_ms`.
fn leased(now: u64, by_ms: u64) -> Option<u64> {
    LEASED.with(|leased| {
        let mut leased = leased.try_borrow_mut().ok()?;
        let stale = |slot: &u64| slot.saturating_add(SLOT_SLACK_MS) < now;
        while leased.front().is_some_and(stale) {
            leased.pop_front();
        }
        leased.front().filter(|&&slot| slot <= by_ms)?;
        leased.pop_front()
    })
}

/// Sleeps until the slot; true if it woke in time to use it (within `SLOT_SLACK_MS`).
async fn sleep_until(at_ms: u64) -> bool {
    let wait = at_ms.saturating_sub(now_ms());
    if wait > 0 {
        worker::Delay::from(std::time::Duration::from_millis(wait)).await;
    }
    now_ms() <= at_ms.saturating_add(SLOT_SLACK_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_are_a_quarter_second_of_calls() {
        assert_eq!((interval_ms(5), lease_size(5)), (200, 2));
        assert_eq!((interval_ms(1), lease_size(1)), (1_000, 1));
        assert_eq!((interval_ms(40), lease_size(40)), (25, 10));
        assert_eq!((interval_ms(0), lease_size(1_000)), (1_000, 25));
    }
}
