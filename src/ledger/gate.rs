//! What the caller does with the ledger's answer, and reports back after the Hireflix call.

use super::budget::{park_seconds, Budget};
use super::protocol::Answer;
use crate::hireflix::{InviteOutcome, Transient};
use strum_macros::IntoStaticStr;

/// Why the ledger decided, for the application's log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Note {
    /// Another spelling of this mailbox already has this position's interview.
    SameMailbox,
    Budget(Budget),
    QuotaExhausted,
    LedgerUnavailable,
    /// Overloaded: the application waits a while, not retried at once.
    LedgerOverloaded,
    /// The same address's invite was at Hireflix: this one waits for its outcome.
    InFlight,
    Erased,
}

impl Note {
    pub fn as_str(self) -> &'static str {
        match self {
            Note::Budget(Budget::EmailDay) => "budget_email_day",
            Note::Budget(Budget::AccountDay) => "budget_account_day",
            Note::Budget(Budget::AccountMonth) => "budget_account_month",
            Note::Budget(Budget::AccountMinute) => "budget_account_minute",
            other => other.into(),
        }
    }
}

/// Leave to call Hireflix for one application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ticket {
    /// The counted invite, released if the call does not make it; `None` for a resubmission.
    pub reservation: Option<u64>,
    /// This call finds out whether a spent quota is back.
    pub probing: bool,
    /// The reservation is one an earlier call left unsettled: this call settles it.
    pub settles: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Invite(Ticket),
    /// Another spelling of the mailbox was invited to this position: no call.
    AlreadyInvited,
    /// Queued this long without calling Hireflix, no try used.
    Park {
        delay_seconds: u32,
        note: Note,
    },
    /// The ledger did not answer: no invite without a check.
    Unchecked,
    /// The candidate was erased after making this application: dropped, no call.
    Erased,
}

impl Gate {
    pub fn from_answer(answer: &Answer, now_ms: u64) -> Gate {
        let (until_ms, note) = match answer {
            &Answer::Granted {
                reservation,
                probing,
                settles,
                ..
            } => {
                let reservation = Some(reservation);
                return Gate::Invite(Ticket {
                    reservation,
                    probing,
                    settles,
                });
            }
            Answer::Resubmission => return Gate::Invite(Ticket::default()),
            Answer::OtherSpelling => return Gate::AlreadyInvited,
            Answer::Erased => return Gate::Erased,
            Answer::InFlight { until_ms } => (until_ms, Note::InFlight),
            Answer::QuotaHeld { until_ms, .. } => (until_ms, Note::QuotaExhausted),
            // Named after the budget that reopens last: the one the application waits for.
            Answer::Parked { until_ms, reached } => {
                match reached.iter().max_by_key(|r| r.reopens_ms) {
                    Some(last) => (until_ms, Note::Budget(last.budget)),
                    None => return Gate::Unchecked,
                }
            }
        };
        let delay_seconds = park_seconds(*until_ms, now_ms);
        Gate::Park {
            delay_seconds,
            note,
        }
    }
}

/// What the Hireflix calls made of their tickets, for one settle call to the ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlement {
    pub release: Vec<u64>,
    pub unsettle: Vec<u64>,
    pub confirm: Vec<u64>,
    pub quota_exhausted: bool,
    pub quota_back: bool,
}

impl Settlement {
    /// An invite Hireflix may have made stays counted: a reservation is released only on an
    /// answer that proves none was made. A timeout, a 5xx or an unreadable answer leaves it
    /// unsettled (no other spelling of the mailbox invited meanwhile) for the retry to settle.
    pub fn record(&mut self, ticket: Ticket, outcome: &InviteOutcome) {
        if outcome.made() {
            self.quota_back |= ticket.probing && *outcome != InviteOutcome::AlreadyExists;
            if ticket.settles {
                self.confirm.extend(ticket.reservation);
            }
        } else if proves_no_invite(outcome) {
            self.release.extend(ticket.reservation);
            self.quota_exhausted |= *outcome == InviteOutcome::Transient(Transient::QuotaExceeded);
        } else {
            // Again, for a retry that was to settle it: the call is over, so its retry does not
            // wait out the whole flight (a queued call's includes a minute for a pace slot).
            self.unsettle.extend(ticket.reservation);
        }
    }

    /// Nothing to tell the ledger: no second call.
    pub fn is_empty(&self) -> bool {
        *self == Settlement::default()
    }
}

/// Refused before making it (the position, the data, the quota, the key) or never sent.
fn proves_no_invite(outcome: &InviteOutcome) -> bool {
    matches!(
        outcome,
        InviteOutcome::Permanent(_)
            | InviteOutcome::Transient(
                Transient::QuotaExceeded | Transient::Auth | Transient::Paced
            )
    )
}

#[cfg(test)]
mod tests {
    use super::super::protocol::Reached;
    use super::*;

    #[test]
    fn notes_keep_their_names() {
        let notes = [
            Note::SameMailbox,
            Note::Budget(Budget::EmailDay),
            Note::Budget(Budget::AccountDay),
            Note::Budget(Budget::AccountMonth),
            Note::Budget(Budget::AccountMinute),
            Note::QuotaExhausted,
            Note::LedgerUnavailable,
            Note::LedgerOverloaded,
            Note::InFlight,
            Note::Erased,
        ];
        let names = "same_mailbox budget_email_day budget_account_day budget_account_month \
            budget_account_minute quota_exhausted ledger_unavailable ledger_overloaded in_flight erased";
        assert_eq!(notes.map(Note::as_str).join(" "), names);
    }
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
                    probing: true,
                    settles: false,
                    at_ms: NOW,
                },
                NOW
            ),
            Gate::Invite(Ticket {
                reservation: Some(7),
                probing: true,
                settles: false,
            })
        );
        assert_eq!(
            Gate::from_answer(
                &Answer::InFlight {
                    until_ms: NOW + 2_500
                },
                NOW
            ),
            Gate::Park {
                delay_seconds: 3,
                note: Note::InFlight
            }
        );
        assert_eq!(
            Gate::from_answer(&Answer::OtherSpelling, NOW),
            Gate::AlreadyInvited
        );
        let parked = Answer::Parked {
            until_ms: NOW + 3_600_000,
            reached: vec![
                reached(Budget::AccountDay, NOW + 60_000),
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
        assert_eq!(Gate::from_answer(&Answer::Erased, NOW), Gate::Erased);
        let empty = Answer::Parked {
            until_ms: NOW,
            reached: vec![],
        };
        assert_eq!(Gate::from_answer(&empty, NOW), Gate::Unchecked);
    }

    fn ticket(reservation: u64, settles: bool) -> Ticket {
        Ticket {
            reservation: Some(reservation),
            probing: false,
            settles,
        }
    }

    #[test]
    fn only_answers_that_prove_no_invite_release_a_reservation() {
        let url = InterviewUrl::parse(
            "https://app.hireflix.com/abc",
            &TrustedHosts::hireflix_only(),
        )
        .unwrap();
        let mut settlement = Settlement::default();
        settlement.record(ticket(3, false), &InviteOutcome::Invited(url));
        settlement.record(ticket(3, false), &InviteOutcome::AlreadyExists);
        settlement.record(
            ticket(3, false),
            &InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink),
        );
        assert!(
            settlement.is_empty(),
            "no second call to the ledger after a plain invite"
        );

        let proof = [
            InviteOutcome::Permanent(Permanent::PositionNotFound),
            InviteOutcome::Permanent(Permanent::PositionNotReady),
            InviteOutcome::Permanent(Permanent::Invalid(vec![])),
            InviteOutcome::Transient(Transient::QuotaExceeded),
            InviteOutcome::Transient(Transient::Auth),
            InviteOutcome::Transient(Transient::Paced),
        ];
        for (n, outcome) in (10..).zip(&proof) {
            settlement.record(ticket(n, false), outcome);
        }
        assert_eq!(settlement.release, (10..16).collect::<Vec<_>>());

        let ambiguous = [
            Transient::Timeout,
            Transient::Network,
            Transient::ServerError,
            Transient::RateLimited,
            Transient::Malformed,
            Transient::Upstream,
            Transient::AliasError,
        ];
        for (n, reason) in (20..).zip(ambiguous) {
            settlement.record(ticket(n, false), &InviteOutcome::Transient(reason));
        }
        assert_eq!(
            settlement.release.len(),
            6,
            "an ambiguous answer releases nothing"
        );
        assert_eq!(settlement.unsettle, (20..27).collect::<Vec<_>>());
    }

    #[test]
    fn the_retry_of_an_unsettled_reservation_confirms_or_releases_it() {
        let mut settlement = Settlement::default();
        settlement.record(ticket(5, true), &InviteOutcome::AlreadyExists);
        settlement.record(
            ticket(6, true),
            &InviteOutcome::Permanent(Permanent::PositionNotReady),
        );
        // Ambiguous again: it stays unsettled, and is no longer in flight.
        settlement.record(
            ticket(7, true),
            &InviteOutcome::Transient(Transient::Timeout),
        );
        assert_eq!(settlement.confirm, vec![5]);
        assert_eq!(settlement.release, vec![6]);
        assert_eq!(settlement.unsettle, vec![7]);
    }

    #[test]
    fn the_quota_is_recorded_spent_and_cleared_by_a_probe_that_invites() {
        let mut settlement = Settlement::default();
        let resubmission = Ticket {
            reservation: None,
            probing: false,
            settles: false,
        };
        settlement.record(
            resubmission,
            &InviteOutcome::Transient(Transient::QuotaExceeded),
        );
        assert!(settlement.quota_exhausted && settlement.release.is_empty());

        let mut settlement = Settlement::default();
        let probe = Ticket {
            reservation: Some(1),
            probing: true,
            settles: false,
        };
        settlement.record(
            probe,
            &InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink),
        );
        assert!(settlement.quota_back && settlement.release.is_empty());
    }
}
