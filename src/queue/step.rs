//! The queue consumer's decision table: for each retried invite, what happens to its message.
//! Pure; `super::invites` carries the steps out.

pub use crate::apply::Tally;
use crate::hireflix::{InviteOutcome, Transient};
use crate::ledger::{Gate, Note};
use crate::line::rules::Admission;
use crate::log::{Outcome, Reason};

/// Retries never wait longer than this, so a recovered Hireflix is used within the hour.
const MAX_DELAY_SECONDS: u32 = 3_600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Done: the interview exists (and Hireflix has emailed it).
    Ack,
    /// Done, and the candidate's "queued" record goes, so a resubmission is decided afresh.
    AckAndForget,
    /// Try again later, as a fresh message counted as `tally` says.
    Requeue { delay_seconds: u32, tally: Tally },
    /// No retry can help: set aside for an operator, with why, and "queued" forgotten.
    DeadLetter { why: String },
}

/// One application's counted tries (this one included), how many it gets, the first delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub counted: u32,
    pub max: u32,
    pub base_delay_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
}

fn step(action: Action, outcome: Outcome, reason: impl Into<Option<Reason>>) -> Step {
    let reason = reason.into();
    Step {
        action,
        outcome,
        reason,
    }
}

fn requeue(delay_seconds: u32, tally: Tally) -> Action {
    Action::Requeue {
        delay_seconds,
        tally,
    }
}

/// What follows Hireflix's answer. A spent quota waits `quota_delay_seconds` (the ledger's
/// probe time) and never uses the application up; a call our pace held back used no try.
pub fn next_step(outcome: &InviteOutcome, attempts: Attempts, quota_delay_seconds: u32) -> Step {
    match outcome {
        InviteOutcome::Invited(_) => step(Action::Ack, Outcome::Invited, None),
        InviteOutcome::AlreadyExists => step(
            Action::Ack,
            Outcome::AlreadyInvited,
            Reason::NoMatchingInterview,
        ),
        // Made, and emailed by Hireflix; only the link is unusable.
        InviteOutcome::InvitedWithoutLink(problem) => step(
            Action::AckAndForget,
            Outcome::InvitedWithoutLink,
            Reason::Link(*problem),
        ),
        InviteOutcome::Transient(Transient::QuotaExceeded) => step(
            requeue(quota_delay_seconds, Tally::Spared),
            Outcome::Requeued,
            Reason::Transient(Transient::QuotaExceeded),
        ),
        InviteOutcome::Transient(Transient::Paced) => step(
            requeue(0, Tally::Untried),
            Outcome::Parked,
            Reason::Transient(Transient::Paced),
        ),
        InviteOutcome::Transient(reason) => retry_or_give_up(attempts, Reason::Transient(*reason)),
        InviteOutcome::Permanent(permanent) => {
            let reason = Reason::from(permanent);
            let why = reason.as_str().to_string();
            step(Action::DeadLetter { why }, Outcome::DeadLetter, reason)
        }
    }
}

/// How long a message the dead-letter store or queue refused waits: as long as it has waited,
/// 1 minute to 1 hour. Delays so about double without the platform's attempt count (worker
/// 0.8 hides it), and a store that is down is not hammered while `max_retries` run out.
pub fn redeliver_delay_seconds(age_seconds: u64) -> u32 {
    u32::try_from(age_seconds.clamp(60, u64::from(MAX_DELAY_SECONDS))).unwrap_or(MAX_DELAY_SECONDS)
}

impl Step {
    /// Not before `seconds`: our pace's hold or Hireflix's `Retry-After`.
    pub fn not_before(mut self, seconds: u32) -> Step {
        if let Action::Requeue { delay_seconds, .. } = &mut self.action {
            *delay_seconds = (*delay_seconds).max(seconds);
        }
        self
    }
}

/// The ledger made no call. Parked: no try used. Another spelling of the mailbox has the
/// interview: done, "queued" forgotten. Not asked: a try used, so a ledger that never answers
/// ends in the dead-letter queue, not in a loop.
pub fn held(gate: Gate, attempts: Attempts) -> Step {
    match gate {
        Gate::Park {
            delay_seconds,
            note,
        } => step(
            requeue(delay_seconds, Tally::Untried),
            Outcome::Parked,
            Reason::Ledger(note),
        ),
        Gate::AlreadyInvited => step(
            Action::AckAndForget,
            Outcome::AlreadyInvited,
            Reason::Ledger(Note::SameMailbox),
        ),
        Gate::Unchecked | Gate::Invite(_) => {
            retry_or_give_up(attempts, Reason::Ledger(Note::LedgerUnavailable))
        }
        // Erased since: dropped, no dead letter; a "queued" record now is a later application's.
        Gate::Erased => step(Action::Ack, Outcome::Erased, Reason::Ledger(Note::Erased)),
    }
}

/// Queued before its line answered. In line now: done here (the line sends it in its turn),
/// "queued" forgotten. Paused: tried again when the line says, a try used, so a line that
/// stays full ends in the dead-letter queue.
pub fn lined(admission: Admission, attempts: Attempts) -> Step {
    let retry_after_s = match admission {
        Admission::Wait { .. } => {
            return step(Action::AckAndForget, Outcome::Parked, Reason::InLine)
        }
        Admission::Paused { retry_after_s } => retry_after_s,
        Admission::Go => 0,
    };
    retry_or_give_up(attempts, Reason::PositionPaused)
        .not_before(retry_after_s.min(MAX_DELAY_SECONDS))
}

pub fn retry_or_give_up(attempts: Attempts, reason: Reason) -> Step {
    if attempts.counted >= attempts.max {
        let (counted, why) = (attempts.counted, reason.as_str());
        let why = format!("gave_up_after_{counted}_attempts: {why}");
        step(Action::DeadLetter { why }, Outcome::DeadLetter, reason)
    } else {
        let delay = backoff_seconds(attempts.base_delay_seconds, attempts.counted);
        step(requeue(delay, Tally::Counted), Outcome::Requeued, reason)
    }
}

pub fn backoff_seconds(base: u32, attempts_made: u32) -> u32 {
    let factor = 1u32
        .checked_shl(attempts_made.saturating_sub(1).min(16))
        .unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(MAX_DELAY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hireflix::{LinkProblem, Permanent};
    use proptest::prelude::*;

    fn tries(counted: u32, max: u32) -> Attempts {
        let base_delay_seconds = 30;
        Attempts {
            counted,
            max,
            base_delay_seconds,
        }
    }

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
            next_step(&timeout, tries(2, 30), 10_800).action,
            Action::Requeue {
                delay_seconds: 60,
                tally: Tally::Counted
            }
        );
        assert_eq!(
            next_step(&timeout, tries(30, 30), 10_800).action,
            Action::DeadLetter {
                why: "gave_up_after_30_attempts: timeout".into()
            }
        );
    }

    #[test]
    fn permanent_failures_are_dead_lettered_at_once_with_their_reason() {
        let closed = next_step(
            &InviteOutcome::Permanent(Permanent::PositionNotReady),
            tries(2, 30),
            10_800,
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
            tries(2, 30),
            10_800,
        );
        assert_eq!(step.action, Action::AckAndForget);
        assert_eq!(
            next_step(&InviteOutcome::AlreadyExists, tries(2, 30), 10_800).action,
            Action::Ack
        );
    }

    #[test]
    fn a_spent_quota_waits_for_the_probe_and_never_uses_the_application_up() {
        let quota = InviteOutcome::Transient(Transient::QuotaExceeded);
        let step = next_step(&quota, tries(30, 30), 10_800);
        assert_eq!(
            step.action,
            Action::Requeue {
                delay_seconds: 10_800,
                tally: Tally::Spared
            }
        );
        assert_eq!(step.reason.map(Reason::as_str), Some("quota_exceeded"));
    }

    #[test]
    fn the_ledger_parks_without_a_try_and_an_absent_ledger_ends_in_the_dlq() {
        let park = Gate::Park {
            delay_seconds: 7,
            note: Note::QuotaExhausted,
        };
        let park = held(park, tries(1, 3));
        assert_eq!(
            park.action,
            Action::Requeue {
                delay_seconds: 7,
                tally: Tally::Untried
            }
        );
        assert_eq!(park.outcome, Outcome::Parked);
        let invited = held(Gate::AlreadyInvited, tries(1, 3));
        assert_eq!(invited.action, Action::AckAndForget);
        let erased = held(Gate::Erased, tries(3, 3));
        assert_eq!(
            (
                erased.action,
                erased.outcome,
                erased.reason.map(Reason::as_str)
            ),
            (Action::Ack, Outcome::Erased, Some("erased")),
            "dropped, even on the last try: never a dead letter, never a record forgotten"
        );
        assert_eq!(
            held(Gate::Unchecked, tries(3, 3)).action,
            Action::DeadLetter {
                why: "gave_up_after_3_attempts: ledger_unavailable".into()
            }
        );
        assert!(matches!(
            held(Gate::Unchecked, tries(1, 3)).action,
            Action::Requeue {
                tally: Tally::Counted,
                ..
            }
        ));
    }

    #[test]
    fn a_paced_call_is_no_try_and_a_retry_after_is_honoured() {
        assert_eq!(
            next_step(&InviteOutcome::Transient(Transient::Paced), tries(1, 30), 0)
                .not_before(40)
                .action,
            Action::Requeue {
                delay_seconds: 40,
                tally: Tally::Untried
            }
        );
        let throttled = InviteOutcome::Transient(Transient::RateLimited);
        let step = next_step(&throttled, tries(1, 30), 10_800).not_before(120);
        assert_eq!(
            step.action,
            Action::Requeue {
                delay_seconds: 120,
                tally: Tally::Counted
            }
        );
        let done = next_step(&InviteOutcome::AlreadyExists, tries(1, 30), 0).not_before(120);
        assert_eq!(done.action, Action::Ack);
    }

    proptest! {
        #[test]
        fn transient_failures_never_drop_and_never_loop_forever(
            counted in 0u32..200, max in 1u32..100, base in 0u32..4000,
            which in 0usize..8, quota_delay in 1u32..43_200,
        ) {
            let all = [Transient::Timeout, Transient::Network, Transient::ServerError,
                Transient::RateLimited, Transient::Malformed, Transient::QuotaExceeded,
                Transient::Auth, Transient::Upstream];
            let attempts = Attempts { counted, max, base_delay_seconds: base };
            let step = next_step(&InviteOutcome::Transient(all[which]), attempts, quota_delay);
            match step.action {
                Action::Requeue { delay_seconds, tally: Tally::Spared } => {
                    prop_assert_eq!(all[which], Transient::QuotaExceeded);
                    prop_assert_eq!(delay_seconds, quota_delay);
                }
                Action::Requeue { delay_seconds, tally } => {
                    prop_assert_eq!(tally, Tally::Counted);
                    prop_assert!(counted < max);
                    prop_assert!(delay_seconds <= MAX_DELAY_SECONDS);
                }
                Action::DeadLetter { .. } => prop_assert!(counted >= max),
                other => prop_assert!(false, "transient failure acked: {:?}", other),
            }
        }
    }
}
