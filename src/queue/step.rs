//! The queue consumer's decision table: for each retried invite, what happens to its message.
//! Pure, tested natively; `super::invites` carries the steps out.

use crate::hireflix::InviteOutcome;
use crate::log::{Outcome, Reason};

/// Retries never wait longer than this, so a recovered Hireflix is used within the hour.
const MAX_DELAY_SECONDS: u32 = 3_600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Done: the interview exists (and Hireflix has emailed it).
    Ack,
    /// Done, but the candidate's "queued" record must go so a resubmission is decided afresh.
    AckAndForget,
    /// Try again later, as a fresh message with the next attempt count.
    Requeue { delay_seconds: u32 },
    /// No retry can help: set the application aside for an operator, with why, and forget
    /// "queued".
    DeadLetter { why: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
}

/// `attempts_made` counts Hireflix calls for this application including this one.
pub fn next_step(
    outcome: &InviteOutcome,
    attempts_made: u32,
    max_attempts: u32,
    base_delay_seconds: u32,
) -> Step {
    let step = |action, outcome, reason| Step {
        action,
        outcome,
        reason,
    };
    match outcome {
        InviteOutcome::Invited(_) => step(Action::Ack, Outcome::Invited, None),
        // Hireflix has their interview and has emailed it: nothing more to do.
        InviteOutcome::AlreadyExists => step(
            Action::Ack,
            Outcome::AlreadyInvited,
            Some(Reason::NoMatchingInterview),
        ),
        // Made, and emailed by Hireflix; only the link is unusable.
        InviteOutcome::InvitedWithoutLink(problem) => step(
            Action::AckAndForget,
            Outcome::InvitedWithoutLink,
            Some(Reason::Link(*problem)),
        ),
        InviteOutcome::Transient(reason) if attempts_made >= max_attempts => step(
            Action::DeadLetter {
                why: format!(
                    "gave_up_after_{attempts_made}_attempts: {}",
                    reason.as_str()
                ),
            },
            Outcome::DeadLetter,
            Some(Reason::Transient(*reason)),
        ),
        InviteOutcome::Transient(reason) => step(
            Action::Requeue {
                delay_seconds: backoff_seconds(base_delay_seconds, attempts_made),
            },
            Outcome::Requeued,
            Some(Reason::Transient(*reason)),
        ),
        InviteOutcome::Permanent(permanent) => {
            let reason = Reason::from(permanent);
            step(
                Action::DeadLetter {
                    why: reason.as_str().to_string(),
                },
                Outcome::DeadLetter,
                Some(reason),
            )
        }
    }
}

/// How long a message waits before it is delivered again when it could not be dealt with at
/// all (the dead-letter store refused it, the dead-letter queue could not be reached): as long
/// as it has already waited, at least a minute and at most an hour. Delays so grow by about
/// doubling without an attempt count (worker 0.8 does not expose the platform's), and a store
/// that is down is not hammered while the platform's `max_retries` run out.
pub fn redeliver_delay_seconds(age_seconds: u64) -> u32 {
    u32::try_from(age_seconds.clamp(60, u64::from(MAX_DELAY_SECONDS))).unwrap_or(MAX_DELAY_SECONDS)
}

/// Exponential backoff: base, 2×base, 4×base, ... capped at an hour.
pub fn backoff_seconds(base: u32, attempts_made: u32) -> u32 {
    let factor = 1u32
        .checked_shl(attempts_made.saturating_sub(1).min(16))
        .unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(MAX_DELAY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hireflix::{LinkProblem, Permanent, Transient};
    use proptest::prelude::*;

    #[test]
    fn delays_grow_and_are_capped() {
        let delays: Vec<u32> = (1..=9).map(|n| backoff_seconds(30, n)).collect();
        assert_eq!(delays, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff_seconds(30, 1000), 3600);
        assert_eq!(backoff_seconds(0, 5), 0);
    }

    #[test]
    fn redelivery_waits_as_long_again_as_the_message_has_waited() {
        let mut age = 0u64;
        let mut delays = Vec::new();
        for _ in 0..9 {
            let delay = redeliver_delay_seconds(age);
            delays.push(delay);
            age += u64::from(delay);
        }
        assert_eq!(delays, vec![60, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(redeliver_delay_seconds(u64::MAX), 3600);
    }

    #[test]
    fn a_transient_failure_is_retried_later_until_attempts_run_out() {
        let timeout = InviteOutcome::Transient(Transient::Timeout);
        assert_eq!(
            next_step(&timeout, 2, 30, 30).action,
            Action::Requeue { delay_seconds: 60 }
        );
        assert_eq!(
            next_step(&timeout, 30, 30, 30).action,
            Action::DeadLetter {
                why: "gave_up_after_30_attempts: timeout".into()
            }
        );
    }

    #[test]
    fn permanent_failures_are_dead_lettered_at_once_with_their_reason() {
        let closed = next_step(
            &InviteOutcome::Permanent(Permanent::PositionNotReady),
            2,
            30,
            30,
        );
        assert_eq!(
            closed.action,
            Action::DeadLetter {
                why: "position_not_ready".into()
            }
        );
        assert_eq!(closed.outcome, Outcome::DeadLetter);
    }

    #[test]
    fn an_unusable_link_is_done_and_forgets_queued() {
        let step = next_step(
            &InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink),
            2,
            30,
            30,
        );
        assert_eq!(step.action, Action::AckAndForget);
        assert_eq!(
            next_step(&InviteOutcome::AlreadyExists, 2, 30, 30).action,
            Action::Ack
        );
    }

    proptest! {
        #[test]
        fn transient_failures_never_drop_and_never_loop_forever(
            attempts in 0u32..200, max in 1u32..100, base in 0u32..4000, which in 0usize..8
        ) {
            let all = [Transient::Timeout, Transient::Network, Transient::ServerError,
                Transient::RateLimited, Transient::Malformed, Transient::QuotaExceeded,
                Transient::Auth, Transient::Upstream];
            let step = next_step(&InviteOutcome::Transient(all[which]), attempts, max, base);
            match step.action {
                Action::Requeue { delay_seconds } => {
                    prop_assert!(attempts < max);
                    prop_assert!(delay_seconds <= MAX_DELAY_SECONDS);
                }
                Action::DeadLetter { .. } => prop_assert!(attempts >= max),
                other => prop_assert!(false, "transient failure acked: {:?}", other),
            }
        }
    }
}
