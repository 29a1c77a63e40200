//! What the caller does with the ledger's answer, and what it reports back after the Hireflix
//! call. Pure: the form's pipeline and the queue consumer share these rules.

use super::budget::{park_seconds, Budget};
use super::protocol::Answer;
use crate::hireflix::{InviteOutcome, Transient};

/// Why the ledger decided, for the application's log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Another spelling of this mailbox already has this position's interview.
    SameMailbox,
    Budget(Budget),
    QuotaExhausted,
    /// The ledger could not be asked; the application waits in the queue to be checked later.
    LedgerUnavailable,
}

impl Note {
    pub fn as_str(self) -> &'static str {
        match self {
            Note::SameMailbox => "same_mailbox",
            Note::Budget(Budget::EmailDay) => "budget_email_day",
            Note::Budget(Budget::PositionHour) => "budget_position_hour",
            Note::Budget(Budget::AccountDay) => "budget_account_day",
            Note::Budget(Budget::AccountMonth) => "budget_account_month",
            Note::Budget(Budget::AccountMinute) => "budget_account_minute",
            Note::QuotaExhausted => "quota_exhausted",
            Note::LedgerUnavailable => "ledger_unavailable",
        }
    }
}

/// Leave to call Hireflix for one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The counted invite, to release if the call does not make it. `None` for a resubmission
    /// of the same address, which Hireflix will not turn into a second interview.
    pub reservation: Option<u64>,
    /// This call finds out whether a spent quota is back.
    pub probing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Invite(Ticket),
    /// Another spelling of the mailbox was invited to this position: the ordinary "already
    /// invited, check your email" answer, and no call.
    AlreadyInvited,
    /// Queue it for this long without calling Hireflix; its attempts are not used up.
    Park {
        delay_seconds: u32,
        note: Note,
    },
    /// The ledger did not answer: no invite without a check, so the application is queued as
    /// an ordinary retry and checked again then.
    Unchecked,
}

impl Gate {
    pub fn from_answer(answer: &Answer, now_ms: u64) -> Gate {
        match answer {
            Answer::Granted {
                reservation,
                probing,
            } => Gate::Invite(Ticket {
                reservation: Some(*reservation),
                probing: *probing,
            }),
            Answer::Resubmission => Gate::Invite(Ticket {
                reservation: None,
                probing: false,
            }),
            Answer::OtherSpelling => Gate::AlreadyInvited,
            // Named after the budget that reopens last: the one the application waits for.
            Answer::Parked { until_ms, reached } => {
                match reached.iter().max_by_key(|r| r.reopens_ms) {
                    Some(last) => Gate::Park {
                        delay_seconds: park_seconds(*until_ms, now_ms),
                        note: Note::Budget(last.budget),
                    },
                    None => Gate::Unchecked,
                }
            }
            Answer::QuotaHeld { until_ms, .. } => Gate::Park {
                delay_seconds: park_seconds(*until_ms, now_ms),
                note: Note::QuotaExhausted,
            },
        }
    }
}

/// What the Hireflix calls made of their tickets, for one settle call to the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aftermath {
    pub release: Vec<u64>,
    pub quota_exhausted: bool,
    pub quota_back: bool,
}

impl Aftermath {
    /// Counts are of invites made: a reservation whose call made none is released. An
    /// "already exists" answer keeps it: the mailbox does have this position's interview.
    pub fn record(&mut self, ticket: Ticket, outcome: &InviteOutcome) {
        match outcome {
            InviteOutcome::Invited(_) | InviteOutcome::InvitedWithoutLink(_) => {
                self.quota_back |= ticket.probing;
            }
            InviteOutcome::AlreadyExists => {}
            InviteOutcome::Transient(reason) => {
                self.release.extend(ticket.reservation);
                self.quota_exhausted |= *reason == Transient::QuotaExceeded;
            }
            InviteOutcome::Permanent(_) => self.release.extend(ticket.reservation),
        }
    }

    /// Nothing to tell the ledger: the common case costs no second call.
    pub fn is_empty(&self) -> bool {
        self.release.is_empty() && !self.quota_exhausted && !self.quota_back
    }
}

#[cfg(test)]
mod tests {
    use super::super::protocol::Reached;
    use super::*;
    use crate::hireflix::{InterviewUrl, LinkProblem, Permanent, TrustedHosts};

    const NOW: u64 = 1_000_000;

    fn reached(budget: Budget, reopens_ms: u64) -> Reached {
        Reached {
            budget,
            limit: 1,
            reopens_ms,
            warn: false,
        }
    }

    #[test]
    fn answers_become_gates() {
        assert_eq!(
            Gate::from_answer(
                &Answer::Granted {
                    reservation: 7,
                    probing: true
                },
                NOW
            ),
            Gate::Invite(Ticket {
                reservation: Some(7),
                probing: true
            })
        );
        assert_eq!(
            Gate::from_answer(&Answer::OtherSpelling, NOW),
            Gate::AlreadyInvited
        );
        let parked = Answer::Parked {
            until_ms: NOW + 3_600_000,
            reached: vec![
                reached(Budget::PositionHour, NOW + 60_000),
                reached(Budget::EmailDay, NOW + 3_600_000),
            ],
        };
        assert_eq!(
            Gate::from_answer(&parked, NOW),
            Gate::Park {
                delay_seconds: 3_600,
                note: Note::Budget(Budget::EmailDay)
            }
        );
        let held = Answer::QuotaHeld {
            until_ms: NOW + 10_800_000,
            warn: true,
        };
        assert_eq!(
            Gate::from_answer(&held, NOW),
            Gate::Park {
                delay_seconds: 10_800,
                note: Note::QuotaExhausted
            }
        );
        let empty = Answer::Parked {
            until_ms: NOW,
            reached: vec![],
        };
        assert_eq!(Gate::from_answer(&empty, NOW), Gate::Unchecked);
    }

    #[test]
    fn only_invites_made_stay_counted() {
        let ticket = Ticket {
            reservation: Some(3),
            probing: false,
        };
        let url = InterviewUrl::parse(
            "https://app.hireflix.com/abc",
            &TrustedHosts::hireflix_only(),
        )
        .unwrap();
        let mut after = Aftermath::default();
        after.record(ticket, &InviteOutcome::Invited(url));
        after.record(ticket, &InviteOutcome::AlreadyExists);
        after.record(
            ticket,
            &InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink),
        );
        assert!(
            after.is_empty(),
            "no second call to the ledger after a plain invite"
        );

        after.record(ticket, &InviteOutcome::Transient(Transient::Timeout));
        after.record(
            Ticket {
                reservation: Some(4),
                probing: false,
            },
            &InviteOutcome::Permanent(Permanent::PositionNotFound),
        );
        assert_eq!(after.release, vec![3, 4]);
        assert!(!after.quota_exhausted);
    }

    #[test]
    fn the_quota_is_recorded_spent_and_cleared_by_a_probe_that_invites() {
        let mut after = Aftermath::default();
        let resubmission = Ticket {
            reservation: None,
            probing: false,
        };
        after.record(
            resubmission,
            &InviteOutcome::Transient(Transient::QuotaExceeded),
        );
        assert!(after.quota_exhausted && after.release.is_empty());

        let mut after = Aftermath::default();
        let probe = Ticket {
            reservation: Some(1),
            probing: true,
        };
        after.record(
            probe,
            &InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink),
        );
        assert!(after.quota_back && after.release.is_empty());
    }
}
