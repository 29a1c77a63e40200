//! The invite queue's message, and the [`Enqueue`] seam in front of the platform's queue.

use super::Pipeline;
use crate::domain::{Application, ApplicationForm, CandidateKey, Consent, PositionId};
use crate::hireflix::Transient;
use crate::pace::MAX_QUEUE_DELAY_SECONDS;
use crate::store::{Memory, Record};
use serde::{Deserialize, Serialize};
use worker::{MessageBuilder, Queue};

/// An application waiting for Hireflix, with the candidate's data the invite needs (queues are
/// private to the account; the message leaves once the invite is made).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedInvite {
    pub position_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(default)]
    pub phone_number: String,
    /// Tries so far: Hireflix calls, and ledger checks that could not be made.
    pub attempt: u32,
    pub request_id: String,
    /// Of those, calls refused for quota: a spent quota never uses an application up.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub quota_refusals: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Counted by its position's line already: not asked again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub admitted: bool,
    /// When posted or replayed (ms): an erasure since drops it, its longest wait counts from
    /// it. 0 in older messages: older than any erasure, never too old.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub applied_ms: u64,
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// A try used up: a Hireflix call, or a ledger check that could not be made.
    Counted,
    /// A call Hireflix refused for quota: made, not held against the application.
    Spared,
    /// Nothing tried: parked, or held back by our pace.
    Untried,
}

impl Tally {
    pub fn after(reason: Transient) -> Tally {
        match reason {
            Transient::Paced => Tally::Untried,
            Transient::QuotaExceeded => Tally::Spared,
            _ => Tally::Counted,
        }
    }

    /// The message for the next try.
    pub fn next(self, invite: &QueuedInvite) -> QueuedInvite {
        let counted = u32::from(self != Tally::Untried);
        QueuedInvite {
            attempt: invite.attempt.saturating_add(counted),
            quota_refusals: (invite.quota_refusals)
                .saturating_add(u32::from(self == Tally::Spared)),
            ..invite.clone()
        }
    }
}

impl QueuedInvite {
    pub fn new(position: &PositionId, form: &ApplicationForm, request_id: &str) -> Self {
        QueuedInvite {
            position_id: position.as_str().to_string(),
            first_name: form.first_name.clone(),
            last_name: form.last_name.clone(),
            email: form.email.clone(),
            phone_number: form.phone_number.clone(),
            request_id: request_id.to_string(),
            ..QueuedInvite::default()
        }
    }

    /// The tries that count against `MAX_INVITE_ATTEMPTS`.
    pub fn counted_attempts(&self) -> u32 {
        self.attempt.saturating_sub(self.quota_refusals)
    }

    /// Parsed again; `None` when it no longer reads as an application.
    pub fn application(&self) -> Option<(PositionId, Application)> {
        let position = PositionId::parse(&self.position_id)?;
        Some((position, self.form().parse().ok()?))
    }

    pub fn form(&self) -> ApplicationForm {
        ApplicationForm {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone_number: self.phone_number.clone(),
        }
    }

    pub fn waited_too_long(&self, max_wait_ms: u64, now_ms: u64) -> bool {
        self.applied_ms != 0 && now_ms.saturating_sub(self.applied_ms) > max_wait_ms
    }

    /// Replayed by an operator, as if posted now: fresh tries and wait, or every letter older
    /// than the longest wait would be set aside again.
    pub fn replayed(self, now_ms: u64) -> QueuedInvite {
        QueuedInvite {
            attempt: 0,
            quota_refusals: 0,
            applied_ms: now_ms,
            ..self
        }
    }
}

/// Where a queued invite goes ([`Queue`]; fakes in tests).
#[allow(async_fn_in_trait)] // As `crate::hireflix::Inviter`.
pub trait Enqueue {
    /// `true` once the queue has taken it, to be delivered after `delay_seconds`.
    async fn send(&self, invite: &QueuedInvite, delay_seconds: u32) -> bool;
}

/// Without the binding nothing can be queued.
impl Enqueue for Option<Queue> {
    async fn send(&self, invite: &QueuedInvite, delay_seconds: u32) -> bool {
        let Some(queue) = self else { return false };
        // Without a delay, no copy of the invite.
        let sent = match platform_delay(delay_seconds) {
            None => queue.send(invite).await,
            Some(delay) => {
                let delayed = MessageBuilder::new(invite.clone()).delay_seconds(delay);
                queue.send(delayed.build()).await
            }
        };
        sent.is_ok()
    }
}

/// The delay the queue is asked for: no explicit 0 (it would override a queue's
/// `delivery_delay`), and none it would refuse (a live post during a day's quota hold).
fn platform_delay(delay_seconds: u32) -> Option<u32> {
    (delay_seconds > 0).then(|| delay_seconds.min(MAX_QUEUE_DELAY_SECONDS))
}

impl<I, L, M: Memory, Q: Enqueue, W> Pipeline<'_, I, L, M, Q, W> {
    /// The application as the queue (and its position's line) carries it, nothing tried.
    pub(super) fn message(&self, position: &PositionId, form: &ApplicationForm) -> QueuedInvite {
        QueuedInvite {
            consent: self.consent.cloned(),
            applied_ms: (self.invites.clock)(),
            ..QueuedInvite::new(position, form, self.request_id)
        }
    }

    /// "Queued" (in line: at this place, expected by then) with the candidate's consent.
    pub(super) async fn remember_queued(&self, key: &CandidateKey, place: Option<(u32, u64)>) {
        let record = Record::queued(place).with_consent(self.consent.cloned());
        self.invites.memory.remember(key, &record).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_is_asked_no_explicit_zero_and_never_past_its_longest_delay() {
        assert_eq!(platform_delay(0), None);
        assert_eq!(platform_delay(90), Some(90));
        assert_eq!(platform_delay(43_200), Some(43_200));
        // A live post while the pace holds the quota for a day.
        assert_eq!(platform_delay(86_400), Some(MAX_QUEUE_DELAY_SECONDS));
        assert_eq!(platform_delay(u32::MAX), Some(MAX_QUEUE_DELAY_SECONDS));
    }
}
