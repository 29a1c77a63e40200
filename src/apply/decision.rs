//! The rules that turn what KV remembers and what Hireflix answered into what the candidate is
//! told and what the log says. Pure functions, tested natively; `super::Pipeline` does the I/O.

use crate::domain::{Field, FieldError, FieldErrors};
use crate::hireflix::{InterviewUrl, InviteOutcome, Permanent, Transient, TrustedHosts};
use crate::log::{Outcome, Reason};
use crate::store::Record;

/// What the candidate is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Their interview: go there now.
    Interview(InterviewUrl),
    /// Hireflix already has their interview but would not tell us its link; Hireflix emailed it.
    InvitedByEmail,
    /// Accepted and queued; Hireflix emails the invite when it goes through.
    Queued,
    /// Hireflix refused the candidate's data: back to the form, with Hireflix's own words where
    /// it gave any that name no field.
    Rejected {
        errors: FieldErrors,
        hireflix_says: Option<String>,
    },
    /// The position does not exist (any more).
    PositionNotFound,
    /// The position exists but takes no invites now.
    PositionClosed,
    /// Nothing could be promised: Hireflix failed and the queue could not take the application.
    Unavailable,
    /// The interview exists, but Hireflix gave no link we may send the candidate to (missing,
    /// or on a foreign host); Hireflix has emailed it. An upstream error, never a redirect.
    LinkUnusable,
}

/// A decision with the log line that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
}

impl Verdict {
    fn new(decision: Decision, outcome: Outcome, reason: Option<Reason>) -> Self {
        Verdict {
            decision,
            outcome,
            reason,
        }
    }
}

/// What a KV record decides before Hireflix is asked; `None`: ask Hireflix.
/// `names` is the submission's [`crate::domain::names_tag`].
pub fn from_record(record: Option<Record>, names: &str, trusted: &TrustedHosts) -> Option<Verdict> {
    match record? {
        Record::Invited { url, who, .. } => {
            // A stored link we would no longer redirect to is as good as no record.
            let url = InterviewUrl::parse(&url, trusted)?;
            Some(if who == names {
                Verdict::new(Decision::Interview(url), Outcome::KvHit, None)
            } else {
                // Someone who knows the email but not the names gets no link.
                Verdict::new(
                    Decision::InvitedByEmail,
                    Outcome::KvHit,
                    Some(Reason::OtherNames),
                )
            })
        }
        Record::Queued { .. } => Some(Verdict::new(Decision::Queued, Outcome::AlreadyQueued, None)),
    }
}

/// What to do with Hireflix's answer to a fresh invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Answer(Verdict),
    /// Worth retrying later: queue the application.
    Enqueue(Transient),
}

pub fn from_outcome(outcome: InviteOutcome) -> Next {
    let answer = |decision, outcome, reason| Next::Answer(Verdict::new(decision, outcome, reason));
    match outcome {
        InviteOutcome::Invited(url) => answer(Decision::Interview(url), Outcome::Invited, None),
        InviteOutcome::AlreadyExists => answer(
            Decision::InvitedByEmail,
            Outcome::AlreadyInvited,
            Some(Reason::NoMatchingInterview),
        ),
        InviteOutcome::InvitedWithoutLink(problem) => answer(
            Decision::LinkUnusable,
            Outcome::InvitedWithoutLink,
            Some(Reason::Link(problem)),
        ),
        InviteOutcome::Transient(reason) => Next::Enqueue(reason),
        InviteOutcome::Permanent(permanent) => {
            let reason = Some(Reason::from(&permanent));
            let decision = match permanent {
                Permanent::PositionNotFound => Decision::PositionNotFound,
                Permanent::PositionNotReady => Decision::PositionClosed,
                Permanent::Invalid(messages) => rejected(messages),
            };
            answer(decision, Outcome::Permanent, reason)
        }
    }
}

/// After trying to queue an application that Hireflix could not take now.
pub fn after_enqueue(queued: bool, reason: Transient) -> Verdict {
    if queued {
        Verdict::new(
            Decision::Queued,
            Outcome::Queued,
            Some(Reason::Transient(reason)),
        )
    } else {
        Verdict::new(
            Decision::Unavailable,
            Outcome::LostQueueUnavailable,
            Some(Reason::Transient(reason)),
        )
    }
}

/// Hireflix's validation messages land on the form's fields where they name one.
fn rejected(messages: Vec<(Option<Field>, String)>) -> Decision {
    let mut errors = FieldErrors::default();
    let mut general = Vec::new();
    for (field, message) in messages {
        match field {
            Some(field) if errors.get(field).is_none() => {
                errors = errors.with(field, FieldError::RefusedByHireflix(message));
            }
            _ => general.push(message),
        }
    }
    let text = general.join(" ");
    let hireflix_says = (!text.trim().is_empty()).then_some(text);
    Decision::Rejected {
        errors,
        hireflix_says,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hireflix::LinkProblem;
    use proptest::prelude::*;

    fn url(path: &str) -> InterviewUrl {
        InterviewUrl::parse(
            &format!("https://app.hireflix.com/{path}"),
            &TrustedHosts::hireflix_only(),
        )
        .unwrap()
    }

    fn invited(who: &str) -> Option<Record> {
        Some(Record::invited(&url("abc"), who.into()))
    }

    #[test]
    fn a_record_for_the_same_names_is_the_interview() {
        let verdict = from_record(invited("n1"), "n1", &TrustedHosts::hireflix_only()).unwrap();
        assert_eq!(verdict.decision, Decision::Interview(url("abc")));
        assert_eq!(verdict.outcome, Outcome::KvHit);
    }

    #[test]
    fn a_record_for_other_names_never_gives_the_link() {
        let verdict = from_record(invited("n1"), "n2", &TrustedHosts::hireflix_only()).unwrap();
        assert_eq!(verdict.decision, Decision::InvitedByEmail);
        assert_eq!(verdict.reason, Some(Reason::OtherNames));
    }

    #[test]
    fn no_record_or_an_unusable_one_asks_hireflix() {
        let trusted = TrustedHosts::hireflix_only();
        assert_eq!(from_record(None, "n1", &trusted), None);
        let foreign = Record::Invited {
            url: "https://evil.example/x".into(),
            who: "n1".into(),
            consent_at: None,
            consent_notice: None,
        };
        assert_eq!(from_record(Some(foreign), "n1", &trusted), None);
    }

    #[test]
    fn a_queued_record_is_answered_queued_without_queueing_again() {
        let verdict = from_record(Some(Record::queued()), "n1", &TrustedHosts::hireflix_only());
        assert_eq!(verdict.unwrap().decision, Decision::Queued);
    }

    #[test]
    fn transient_failures_are_queued_and_permanent_ones_answered() {
        assert_eq!(
            from_outcome(InviteOutcome::Transient(Transient::Timeout)),
            Next::Enqueue(Transient::Timeout)
        );
        let Next::Answer(closed) =
            from_outcome(InviteOutcome::Permanent(Permanent::PositionNotReady))
        else {
            panic!()
        };
        assert_eq!(closed.decision, Decision::PositionClosed);
        assert_eq!(closed.reason, Some(Reason::PositionNotReady));
        let Next::Answer(no_link) =
            from_outcome(InviteOutcome::InvitedWithoutLink(LinkProblem::UntrustedUrl))
        else {
            panic!()
        };
        assert_eq!(no_link.decision, Decision::LinkUnusable);
    }

    #[test]
    fn a_queue_that_refuses_is_never_called_queued() {
        assert_eq!(
            after_enqueue(true, Transient::Auth).decision,
            Decision::Queued
        );
        let lost = after_enqueue(false, Transient::Auth);
        assert_eq!(lost.decision, Decision::Unavailable);
        assert_eq!(lost.outcome, Outcome::LostQueueUnavailable);
    }

    #[test]
    fn hireflix_field_errors_land_on_form_fields() {
        let decision = rejected(vec![
            (Some(Field::PhoneNumber), "Invalid phone".into()),
            (Some(Field::PhoneNumber), "Second".into()),
            (None, "Something else".into()),
        ]);
        let Decision::Rejected {
            errors,
            hireflix_says,
        } = decision
        else {
            panic!()
        };
        assert_eq!(
            errors.get(Field::PhoneNumber),
            Some(&FieldError::RefusedByHireflix("Invalid phone".into()))
        );
        assert_eq!(hireflix_says.as_deref(), Some("Second Something else"));
    }

    proptest! {
        #[test]
        fn only_a_fresh_interview_or_a_matching_record_redirects(
            who in "[a-f0-9]{2}", names in "[a-f0-9]{2}", transient in 0usize..8
        ) {
            let trusted = TrustedHosts::hireflix_only();
            let verdict = from_record(invited(&who), &names, &trusted).unwrap();
            prop_assert_eq!(matches!(verdict.decision, Decision::Interview(_)), who == names);
            let all = [Transient::Timeout, Transient::Network, Transient::ServerError,
                Transient::RateLimited, Transient::Malformed, Transient::QuotaExceeded,
                Transient::Auth, Transient::Upstream];
            let reason = all[transient];
            prop_assert_eq!(from_outcome(InviteOutcome::Transient(reason)), Next::Enqueue(reason));
        }
    }
}
