//! The rules that turn what KV remembers and what Hireflix answered into what the candidate is
//! told and what the log says. Pure functions, tested natively; `super::Pipeline` does the I/O.

use crate::domain::hmac::same_secret;
use crate::domain::{Field, FieldError, FieldErrors};
use crate::hireflix::{InterviewUrl, InviteOutcome, Permanent, Transient, TrustedHosts};
use crate::ledger::Note;
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

/// An interview link lets whoever holds it take the interview, and a candidate's email and
/// names are often public. So an interview that exists already is linked to only when the
/// submission shows more than those: this browser's link pass for exactly this interview (set
/// when it was shown the link), or, for a double tap or a closed tab, the same names within
/// `LINK_GRACE_MINUTES` of the interview being made. Everyone else hears the one "the link is
/// in your email" answer, whatever the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub url: InterviewUrl,
    /// The submission's names are the ones the interview was made for.
    pub same_names: bool,
    /// When the interview was made (ms since the epoch), when known.
    pub created_ms: Option<u64>,
}

/// A clock that runs ahead of Hireflix's by more than this does not count a just-made
/// interview as made in the future; anything further ahead is not a time we can trust.
const CLOCK_SKEW_MS: u64 = 60_000;

/// Who asks for an existing interview's link, and with what.
pub struct Asker<'a> {
    /// The link pass this browser presented for the position, if any.
    pub pass: Option<&'a str>,
    /// The pass a browser holds for an interview link: an HMAC under `APP_SECRET` of the
    /// position, the candidate key and the link.
    pub pass_for: &'a dyn Fn(&InterviewUrl) -> String,
    pub now_ms: u64,
    /// `LINK_GRACE_MINUTES` in milliseconds; 0: only a pass gives the link.
    pub grace_ms: u64,
}

impl Asker<'_> {
    fn holds_pass_for(&self, url: &InterviewUrl) -> bool {
        self.pass
            .is_some_and(|pass| same_secret(pass, &(self.pass_for)(url)))
    }
}

/// Whether this submission may be sent to an existing interview; `Err` says why not.
pub fn may_have_link(existing: &Existing, asker: &Asker) -> Result<(), Reason> {
    if asker.holds_pass_for(&existing.url) {
        return Ok(());
    }
    if !existing.same_names {
        return Err(Reason::OtherNames);
    }
    let recent = existing.created_ms.is_some_and(|made| {
        made <= asker.now_ms.saturating_add(CLOCK_SKEW_MS)
            && asker.now_ms.saturating_sub(made) < asker.grace_ms
    });
    if recent {
        Ok(())
    } else {
        Err(Reason::GraceOver)
    }
}

/// The answer about an interview the candidate already has; `Err`: none we could link to.
pub fn for_existing(
    existing: Result<Existing, Reason>,
    asker: &Asker,
    outcome: Outcome,
) -> Verdict {
    match existing.and_then(|e| may_have_link(&e, asker).map(|()| e.url)) {
        Ok(url) => Verdict::new(Decision::Interview(url), outcome, None),
        // The same answer whatever the reason; only the log line tells them apart.
        Err(reason) => Verdict::new(Decision::InvitedByEmail, outcome, Some(reason)),
    }
}

/// What a KV record decides before Hireflix is asked; `None`: ask Hireflix.
/// `names` is the submission's [`crate::domain::names_tag`].
pub fn from_record(
    record: Option<Record>,
    names: &str,
    trusted: &TrustedHosts,
    asker: &Asker,
) -> Option<Verdict> {
    match record? {
        Record::Invited { url, who, at, .. } => {
            // A stored link we would no longer redirect to is as good as no record.
            let existing = Existing {
                url: InterviewUrl::parse(&url, trusted)?,
                same_names: who == names,
                created_ms: at,
            };
            Some(for_existing(Ok(existing), asker, Outcome::KvHit))
        }
        Record::Queued { .. } => Some(Verdict::new(Decision::Queued, Outcome::AlreadyQueued, None)),
    }
}

/// Hireflix's answer to this request's invite, with the interview looked up when Hireflix said
/// the candidate already had one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Hireflix's answer as it stands: a new interview, a failure or a refusal.
    Hireflix(InviteOutcome),
    /// The candidate already had an interview: what the look-up found, or why nothing usable.
    Existing(Result<Existing, Reason>),
}

pub fn from_answer(answer: Answered, asker: &Asker) -> Next {
    match answer {
        Answered::Hireflix(outcome) => from_outcome(outcome),
        Answered::Existing(existing) => {
            Next::Answer(for_existing(existing, asker, Outcome::AlreadyInvited))
        }
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

/// Another spelling of this mailbox has the position's interview: the ordinary "already
/// invited, check your email" answer; the link goes only to the address it was made for.
pub(super) fn same_mailbox() -> Verdict {
    Verdict {
        decision: Decision::InvitedByEmail,
        outcome: Outcome::AlreadyInvited,
        reason: Some(Reason::Ledger(Note::SameMailbox)),
    }
}

/// Parked: the candidate hears the ordinary "queued"; only the log says why.
pub(super) fn parked(queued: bool, note: Note) -> Verdict {
    Verdict {
        decision: if queued {
            Decision::Queued
        } else {
            Decision::Unavailable
        },
        outcome: if queued {
            Outcome::Parked
        } else {
            Outcome::LostQueueUnavailable
        },
        reason: Some(Reason::Ledger(note)),
    }
}

pub(super) fn unchecked(queued: bool) -> Verdict {
    Verdict {
        outcome: if queued {
            Outcome::Queued
        } else {
            Outcome::LostQueueUnavailable
        },
        ..parked(queued, Note::LedgerUnavailable)
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

    const NOW: u64 = 1_764_000_000_000;
    const GRACE: u64 = 15 * 60_000;

    /// The pass for a link is its path reversed: any function of the link serves the rules.
    fn pass_for(url: &InterviewUrl) -> String {
        url.as_str().chars().rev().collect()
    }

    fn asker(pass: Option<&str>) -> Asker<'_> {
        Asker {
            pass,
            pass_for: &pass_for,
            now_ms: NOW,
            grace_ms: GRACE,
        }
    }

    fn invited(who: &str, at: Option<u64>) -> Option<Record> {
        Some(Record::invited(&url("abc"), who.into(), at))
    }

    fn existing(same_names: bool, created_ms: Option<u64>) -> Existing {
        Existing {
            url: url("abc"),
            same_names,
            created_ms,
        }
    }

    #[test]
    fn a_fresh_record_for_the_same_names_is_the_interview() {
        let trusted = TrustedHosts::hireflix_only();
        let verdict = from_record(
            invited("n1", Some(NOW - 60_000)),
            "n1",
            &trusted,
            &asker(None),
        );
        let verdict = verdict.unwrap();
        assert_eq!(verdict.decision, Decision::Interview(url("abc")));
        assert_eq!(verdict.outcome, Outcome::KvHit);
    }

    #[test]
    fn a_record_for_other_names_never_gives_the_link_without_the_pass() {
        let trusted = TrustedHosts::hireflix_only();
        let fresh = invited("n1", Some(NOW));
        let verdict = from_record(fresh.clone(), "n2", &trusted, &asker(None)).unwrap();
        assert_eq!(verdict.decision, Decision::InvitedByEmail);
        assert_eq!(verdict.reason, Some(Reason::OtherNames));
        let wrong = from_record(fresh.clone(), "n2", &trusted, &asker(Some("nope"))).unwrap();
        assert_eq!(wrong.decision, Decision::InvitedByEmail);
        let pass = pass_for(&url("abc"));
        let with_pass = from_record(fresh, "n2", &trusted, &asker(Some(&pass))).unwrap();
        assert_eq!(with_pass.decision, Decision::Interview(url("abc")));
    }

    #[test]
    fn after_the_grace_period_only_the_pass_gives_the_link() {
        let late = existing(true, Some(NOW - GRACE));
        assert_eq!(may_have_link(&late, &asker(None)), Err(Reason::GraceOver));
        let pass = pass_for(&url("abc"));
        assert_eq!(may_have_link(&late, &asker(Some(&pass))), Ok(()));
        assert_eq!(
            may_have_link(&existing(true, Some(NOW - GRACE + 1)), &asker(None)),
            Ok(())
        );
        // An unknown time, or one too far ahead of our clock, is not within the grace period.
        assert_eq!(
            may_have_link(&existing(true, None), &asker(None)),
            Err(Reason::GraceOver)
        );
        let ahead = existing(true, Some(NOW + CLOCK_SKEW_MS + 1));
        assert_eq!(may_have_link(&ahead, &asker(None)), Err(Reason::GraceOver));
        assert_eq!(
            may_have_link(&existing(true, Some(NOW + 1_000)), &asker(None)),
            Ok(())
        );
        let no_grace = Asker {
            grace_ms: 0,
            ..asker(None)
        };
        assert_eq!(
            may_have_link(&existing(true, Some(NOW)), &no_grace),
            Err(Reason::GraceOver)
        );
    }

    #[test]
    fn every_refusal_is_the_same_answer() {
        for why in [
            for_existing(
                Ok(existing(false, Some(NOW))),
                &asker(None),
                Outcome::AlreadyInvited,
            ),
            for_existing(
                Ok(existing(true, None)),
                &asker(None),
                Outcome::AlreadyInvited,
            ),
            for_existing(
                Err(Reason::NoMatchingInterview),
                &asker(None),
                Outcome::AlreadyInvited,
            ),
            for_existing(
                Err(Reason::Link(crate::hireflix::LinkProblem::UntrustedUrl)),
                &asker(None),
                Outcome::AlreadyInvited,
            ),
        ] {
            assert_eq!(why.decision, Decision::InvitedByEmail);
            assert!(why.reason.is_some(), "the log still says why");
        }
    }

    #[test]
    fn an_interview_found_by_look_up_follows_the_same_rules() {
        let found = Answered::Existing(Ok(existing(true, Some(NOW - 1_000))));
        let Next::Answer(verdict) = from_answer(found, &asker(None)) else {
            panic!()
        };
        assert_eq!(verdict.decision, Decision::Interview(url("abc")));
        assert_eq!(verdict.outcome, Outcome::AlreadyInvited);
        let stale = Answered::Existing(Ok(existing(true, Some(NOW - 2 * GRACE))));
        let Next::Answer(verdict) = from_answer(stale, &asker(None)) else {
            panic!()
        };
        assert_eq!(verdict.decision, Decision::InvitedByEmail);
        let fresh = Answered::Hireflix(InviteOutcome::Invited(url("new")));
        let Next::Answer(verdict) = from_answer(fresh, &asker(None)) else {
            panic!()
        };
        assert_eq!(verdict.decision, Decision::Interview(url("new")));
        assert_eq!(verdict.outcome, Outcome::Invited);
    }

    #[test]
    fn no_record_or_an_unusable_one_asks_hireflix() {
        let trusted = TrustedHosts::hireflix_only();
        assert_eq!(from_record(None, "n1", &trusted, &asker(None)), None);
        let foreign = Record::Invited {
            url: "https://evil.example/x".into(),
            who: "n1".into(),
            at: Some(NOW),
            consent_at: None,
            consent_notice: None,
        };
        assert_eq!(
            from_record(Some(foreign), "n1", &trusted, &asker(None)),
            None
        );
    }

    #[test]
    fn a_queued_record_is_answered_queued_without_queueing_again() {
        let trusted = TrustedHosts::hireflix_only();
        let verdict = from_record(Some(Record::queued()), "n1", &trusted, &asker(None));
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
        fn only_the_pass_or_the_same_names_in_time_redirect(
            who in "[a-f0-9]{2}", names in "[a-f0-9]{2}", age in 0u64..(2 * GRACE),
            pass in proptest::option::of(proptest::bool::ANY), transient in 0usize..8
        ) {
            let trusted = TrustedHosts::hireflix_only();
            let good = pass_for(&url("abc"));
            let shown = pass.map(|valid| if valid { good.clone() } else { "forged".to_string() });
            let asking = asker(shown.as_deref());
            let verdict = from_record(invited(&who, Some(NOW - age)), &names, &trusted, &asking).unwrap();
            let expected = pass == Some(true) || (who == names && age < GRACE);
            prop_assert_eq!(matches!(verdict.decision, Decision::Interview(_)), expected);
            let all = [Transient::Timeout, Transient::Network, Transient::ServerError,
                Transient::RateLimited, Transient::Malformed, Transient::QuotaExceeded,
                Transient::Auth, Transient::Upstream];
            let reason = all[transient];
            prop_assert_eq!(from_outcome(InviteOutcome::Transient(reason)), Next::Enqueue(reason));
        }
    }
}
