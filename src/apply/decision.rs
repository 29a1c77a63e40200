//! The rules that turn what KV remembers and what Hireflix answered into what the candidate is
//! told and what the log says. Pure; `super::Pipeline` does the I/O.

use crate::answer::Answer;
use crate::domain::hmac::same_secret;
use crate::domain::LINK_PASS_MAX_AGE_SECONDS;
use crate::domain::{Field, FieldError, FieldErrors};
use crate::hireflix::{InterviewUrl, InviteOutcome, Permanent, Transient, TrustedHosts};
use crate::ledger::Note;
use crate::log::{Outcome, Reason};
use crate::store::Record;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub answer: Answer,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
}

fn decided(answer: Answer, outcome: Outcome, reason: Option<Reason>) -> Decision {
    Decision {
        answer,
        outcome,
        reason,
    }
}

/// An interview the candidate already has. Its link lets whoever holds it take the interview,
/// and emails and names are often public: it goes only to this browser's link pass for it, or
/// (a double tap, a closed tab) the same names within `LINK_GRACE_MINUTES` of its making.
/// Everyone else hears "the link is in your email", whatever the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub url: InterviewUrl,
    /// The submission's names are the ones the interview was made for.
    pub same_names: bool,
    pub created_ms: Option<u64>,
}

/// How far ahead of ours Hireflix's clock may run: a time further ahead is not trusted.
const CLOCK_SKEW_MS: u64 = 60_000;

/// `at_ms` is less than `max_age_ms` before `now_ms`, and not after it beyond clock skew.
fn within(at_ms: u64, now_ms: u64, max_age_ms: u64) -> bool {
    at_ms <= now_ms.saturating_add(CLOCK_SKEW_MS) && now_ms.saturating_sub(at_ms) < max_age_ms
}

/// What a submission shows to be sent to an existing interview's link.
pub struct Claim<'a> {
    pub pass: Option<&'a str>,
    /// `CandidateKey::link_pass`: the pass for a link, issued at a time (Unix s) with an id.
    pub pass_for: &'a dyn Fn(&InterviewUrl, u64, &str) -> String,
    pub now_ms: u64,
    /// `LINK_GRACE_MINUTES` in ms; 0: only a pass gives the link.
    pub grace_ms: u64,
}

impl Claim<'_> {
    /// A pass for exactly this link, issued less than `LINK_PASS_MAX_AGE_SECONDS` ago (`None`:
    /// no readable pass).
    fn holds_pass_for(&self, url: &InterviewUrl) -> Option<bool> {
        let pass = self.pass?;
        let mut parts = pass.splitn(3, '.');
        let (issued_s, id) = (parts.next()?.parse::<u64>().ok()?, parts.next()?);
        let max_age_ms = LINK_PASS_MAX_AGE_SECONDS * 1_000;
        let fresh = within(issued_s.saturating_mul(1_000), self.now_ms, max_age_ms);
        Some(fresh && same_secret(pass, &(self.pass_for)(url, issued_s, id)))
    }
}

/// `Err`: why this submission may not be sent to an existing interview.
pub fn may_have_link(existing: &Existing, claim: &Claim) -> Result<(), Reason> {
    if claim.holds_pass_for(&existing.url) == Some(true) {
        return Ok(());
    }
    if !existing.same_names {
        return Err(Reason::OtherNames);
    }
    let recent = |made| within(made, claim.now_ms, claim.grace_ms);
    let recent = existing.created_ms.is_some_and(recent);
    recent.then_some(()).ok_or(Reason::GraceOver)
}

/// The answer about an existing interview (`Err`: none to link to); only the log tells the
/// refusals apart.
pub fn for_existing(
    existing: Result<Existing, Reason>,
    claim: &Claim,
    outcome: Outcome,
) -> Decision {
    match existing.and_then(|e| may_have_link(&e, claim).map(|()| e.url)) {
        Ok(url) => decided(Answer::Interview(url), outcome, None),
        Err(reason) => decided(Answer::InvitedByEmail, outcome, Some(reason)),
    }
}

/// What a KV record decides; `None`: ask Hireflix. `names`: the submission's `names_tag`.
pub fn from_record(
    record: Option<Record>,
    names: &str,
    trusted: &TrustedHosts,
    claim: &Claim,
) -> Option<Decision> {
    match record? {
        Record::Invited { url, who, at, .. } => {
            // A stored link we would no longer redirect to is as good as no record.
            let existing = Existing {
                url: InterviewUrl::parse(&url, trusted)?,
                same_names: who == names,
                created_ms: at,
            };
            Some(for_existing(Ok(existing), claim, Outcome::KvHit))
        }
        // In line: the same place and time until that time, then the plain "queued".
        Record::Queued {
            place: Some(place),
            expected_by: Some(expected_by_ms),
            ..
        } if expected_by_ms > claim.now_ms => Some(Decision {
            outcome: Outcome::AlreadyQueued,
            ..in_line(place, expected_by_ms)
        }),
        Record::Queued { .. } => Some(decided(Answer::Queued, Outcome::AlreadyQueued, None)),
    }
}

/// Hireflix's answer; "already exists" as the look-up found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    Hireflix(InviteOutcome),
    /// What the look-up found, or why nothing usable.
    Existing(Result<Existing, Reason>),
}

/// `Err`: worth retrying later, queue the application.
pub fn from_answer(answer: Answered, claim: &Claim) -> Result<Decision, Transient> {
    match answer {
        Answered::Hireflix(outcome) => from_outcome(outcome),
        Answered::Existing(existing) => Ok(for_existing(existing, claim, Outcome::AlreadyInvited)),
    }
}

fn from_outcome(outcome: InviteOutcome) -> Result<Decision, Transient> {
    let answer = |answer, outcome, reason| Ok(decided(answer, outcome, reason));
    match outcome {
        InviteOutcome::Invited(url) => answer(Answer::Interview(url), Outcome::Invited, None),
        InviteOutcome::AlreadyExists => answer(
            Answer::InvitedByEmail,
            Outcome::AlreadyInvited,
            Some(Reason::NoMatchingInterview),
        ),
        InviteOutcome::InvitedWithoutLink(problem) => answer(
            Answer::LinkUnusable,
            Outcome::InvitedWithoutLink,
            Some(Reason::Link(problem)),
        ),
        InviteOutcome::Transient(reason) => Err(reason),
        InviteOutcome::Permanent(permanent) => {
            let reason = Some(Reason::from(&permanent));
            let refusal = match permanent {
                Permanent::PositionNotFound => Answer::PositionNotFound,
                Permanent::PositionNotReady => Answer::PositionClosed,
                Permanent::Invalid(messages) => rejected(messages),
            };
            answer(refusal, Outcome::Permanent, reason)
        }
    }
}

/// Queued: the candidate hears "queued", only the log says why. Not queued: try again.
pub(super) fn queued(queued: bool, outcome: Outcome, reason: Reason) -> Decision {
    let reason = Some(reason);
    match queued {
        true => decided(Answer::Queued, outcome, reason),
        false => decided(Answer::Unavailable, Outcome::LostQueueUnavailable, reason),
    }
}

fn rejected(messages: Vec<(Option<Field>, String)>) -> Answer {
    let (mut errors, mut general) = (FieldErrors::default(), Vec::new());
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
    Answer::Rejected {
        errors,
        hireflix_says,
    }
}

/// Another spelling of this mailbox has the interview: its link goes only to that address.
pub(super) fn same_mailbox() -> Decision {
    let reason = Some(Reason::Ledger(Note::SameMailbox));
    decided(Answer::InvitedByEmail, Outcome::AlreadyInvited, reason)
}

pub(super) fn in_line(place: u32, expected_by_ms: u64) -> Decision {
    let answer = Answer::InLine {
        place,
        expected_by_ms,
    };
    decided(answer, Outcome::Parked, Some(Reason::InLine))
}

/// The position's line is full, or would wait too long: nothing stored.
pub(super) fn position_paused(retry_after_s: u32) -> Decision {
    let answer = Answer::PositionPaused { retry_after_s };
    decided(answer, Outcome::RateLimited, Some(Reason::PositionPaused))
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

    /// The pass for a link is its path reversed after its issue: any function serves the rules.
    fn pass_for(url: &InterviewUrl, issued_s: u64, id: &str) -> String {
        let mac: String = url.as_str().chars().rev().collect();
        format!("{issued_s}.{id}.{mac}")
    }

    /// A pass issued a day before `NOW`.
    fn day_old_pass(url: &InterviewUrl) -> String {
        pass_for(url, NOW / 1_000 - 86_400, "ab")
    }

    fn claim(pass: Option<&str>) -> Claim<'_> {
        Claim {
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
        let decision = from_record(
            invited("n1", Some(NOW - 60_000)),
            "n1",
            &trusted,
            &claim(None),
        );
        let decision = decision.unwrap();
        assert_eq!(decision.answer, Answer::Interview(url("abc")));
        assert_eq!(decision.outcome, Outcome::KvHit);
    }

    #[test]
    fn a_record_for_other_names_never_gives_the_link_without_the_pass() {
        let trusted = TrustedHosts::hireflix_only();
        let fresh = invited("n1", Some(NOW));
        let decision = from_record(fresh.clone(), "n2", &trusted, &claim(None)).unwrap();
        assert_eq!(decision.answer, Answer::InvitedByEmail);
        assert_eq!(decision.reason, Some(Reason::OtherNames));
        let wrong = from_record(fresh.clone(), "n2", &trusted, &claim(Some("nope"))).unwrap();
        assert_eq!(wrong.answer, Answer::InvitedByEmail);
        let pass = day_old_pass(&url("abc"));
        let with_pass = from_record(fresh, "n2", &trusted, &claim(Some(&pass))).unwrap();
        assert_eq!(with_pass.answer, Answer::Interview(url("abc")));
    }

    #[test]
    fn after_the_grace_period_only_the_pass_gives_the_link() {
        let late = existing(true, Some(NOW - GRACE));
        assert_eq!(may_have_link(&late, &claim(None)), Err(Reason::GraceOver));
        let pass = day_old_pass(&url("abc"));
        assert_eq!(may_have_link(&late, &claim(Some(&pass))), Ok(()));
        assert_eq!(
            may_have_link(&existing(true, Some(NOW - GRACE + 1)), &claim(None)),
            Ok(())
        );
        // An unknown time, or one too far ahead of our clock, is not within the grace period.
        assert_eq!(
            may_have_link(&existing(true, None), &claim(None)),
            Err(Reason::GraceOver)
        );
        let ahead = existing(true, Some(NOW + CLOCK_SKEW_MS + 1));
        assert_eq!(may_have_link(&ahead, &claim(None)), Err(Reason::GraceOver));
        assert_eq!(
            may_have_link(&existing(true, Some(NOW + 1_000)), &claim(None)),
            Ok(())
        );
        let no_grace = Claim {
            grace_ms: 0,
            ..claim(None)
        };
        assert_eq!(
            may_have_link(&existing(true, Some(NOW)), &no_grace),
            Err(Reason::GraceOver)
        );
    }

    #[test]
    fn a_pass_serves_thirty_days_from_its_issue_and_not_from_the_future() {
        let late = existing(true, Some(NOW - 40 * 86_400_000));
        let issued = |s: u64| pass_for(&url("abc"), s, "ab");
        let now_s = NOW / 1_000;
        let thirty_days = LINK_PASS_MAX_AGE_SECONDS;
        let may = |pass: String| may_have_link(&late, &claim(Some(&pass)));
        assert_eq!(may(issued(now_s - thirty_days + 1)), Ok(()));
        assert_eq!(may(issued(now_s - thirty_days)), Err(Reason::GraceOver));
        assert_eq!(may(issued(now_s + 3_600)), Err(Reason::GraceOver));
        for malformed in ["", "abc", "1764000000", "x.ab.cba", "-1.ab.cba"] {
            assert_eq!(
                may(malformed.to_string()),
                Err(Reason::GraceOver),
                "{malformed}"
            );
        }
    }

    #[test]
    fn every_refusal_is_the_same_answer() {
        for why in [
            for_existing(
                Ok(existing(false, Some(NOW))),
                &claim(None),
                Outcome::AlreadyInvited,
            ),
            for_existing(
                Ok(existing(true, None)),
                &claim(None),
                Outcome::AlreadyInvited,
            ),
            for_existing(
                Err(Reason::NoMatchingInterview),
                &claim(None),
                Outcome::AlreadyInvited,
            ),
            for_existing(
                Err(Reason::Link(crate::hireflix::LinkProblem::UntrustedUrl)),
                &claim(None),
                Outcome::AlreadyInvited,
            ),
        ] {
            assert_eq!(why.answer, Answer::InvitedByEmail);
            assert!(why.reason.is_some(), "the log still says why");
        }
    }

    #[test]
    fn an_interview_found_by_look_up_follows_the_same_rules() {
        let found = Answered::Existing(Ok(existing(true, Some(NOW - 1_000))));
        let Ok(decision) = from_answer(found, &claim(None)) else {
            panic!()
        };
        assert_eq!(decision.answer, Answer::Interview(url("abc")));
        assert_eq!(decision.outcome, Outcome::AlreadyInvited);
        let stale = Answered::Existing(Ok(existing(true, Some(NOW - 2 * GRACE))));
        let Ok(decision) = from_answer(stale, &claim(None)) else {
            panic!()
        };
        assert_eq!(decision.answer, Answer::InvitedByEmail);
        let fresh = Answered::Hireflix(InviteOutcome::Invited(url("new")));
        let Ok(decision) = from_answer(fresh, &claim(None)) else {
            panic!()
        };
        assert_eq!(decision.answer, Answer::Interview(url("new")));
        assert_eq!(decision.outcome, Outcome::Invited);
    }

    #[test]
    fn no_record_or_an_unusable_one_asks_hireflix() {
        let trusted = TrustedHosts::hireflix_only();
        assert_eq!(from_record(None, "n1", &trusted, &claim(None)), None);
        let foreign = Record::Invited {
            url: "https://evil.example/x".into(),
            who: "n1".into(),
            at: Some(NOW),
            consent_at: None,
            consent_notice: None,
        };
        assert_eq!(
            from_record(Some(foreign), "n1", &trusted, &claim(None)),
            None
        );
    }

    #[test]
    fn a_queued_record_is_answered_queued_without_queueing_again() {
        let trusted = TrustedHosts::hireflix_only();
        let decision = from_record(Some(Record::queued(None)), "n1", &trusted, &claim(None));
        assert_eq!(decision.unwrap().answer, Answer::Queued);
        // In line: the same place and time, until that time has come.
        let waiting = |by| {
            from_record(
                Some(Record::queued(Some((4, by)))),
                "n1",
                &trusted,
                &claim(None),
            )
        };
        let again = waiting(NOW + 1).unwrap();
        assert_eq!(
            (again.answer, again.outcome),
            (
                Answer::InLine {
                    place: 4,
                    expected_by_ms: NOW + 1
                },
                Outcome::AlreadyQueued
            )
        );
        assert_eq!(waiting(NOW).unwrap().answer, Answer::Queued);
    }

    #[test]
    fn transient_failures_are_queued_and_permanent_ones_answered() {
        assert_eq!(
            from_outcome(InviteOutcome::Transient(Transient::Timeout)),
            Err(Transient::Timeout)
        );
        let Ok(closed) = from_outcome(InviteOutcome::Permanent(Permanent::PositionNotReady)) else {
            panic!()
        };
        assert_eq!(closed.answer, Answer::PositionClosed);
        assert_eq!(closed.reason, Some(Reason::PositionNotReady));
        let Ok(no_link) =
            from_outcome(InviteOutcome::InvitedWithoutLink(LinkProblem::UntrustedUrl))
        else {
            panic!()
        };
        assert_eq!(no_link.answer, Answer::LinkUnusable);
    }

    #[test]
    fn a_queue_that_refuses_is_never_called_queued() {
        let reason = Reason::Transient(Transient::Auth);
        assert_eq!(queued(true, Outcome::Queued, reason).answer, Answer::Queued);
        let lost = queued(false, Outcome::Queued, reason);
        assert_eq!(lost.answer, Answer::Unavailable);
        assert_eq!(lost.outcome, Outcome::LostQueueUnavailable);
    }

    #[test]
    fn hireflix_field_errors_land_on_form_fields() {
        let answer = rejected(vec![
            (Some(Field::PhoneNumber), "Invalid phone".into()),
            (Some(Field::PhoneNumber), "Second".into()),
            (None, "Something else".into()),
        ]);
        let Answer::Rejected {
            errors,
            hireflix_says,
        } = answer
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
            let good = day_old_pass(&url("abc"));
            let shown = pass.map(|valid| if valid { good.clone() } else { "forged".to_string() });
            let asking = claim(shown.as_deref());
            let decision = from_record(invited(&who, Some(NOW - age)), &names, &trusted, &asking).unwrap();
            let expected = pass == Some(true) || (who == names && age < GRACE);
            prop_assert_eq!(matches!(decision.answer, Answer::Interview(_)), expected);
            let all = [Transient::Timeout, Transient::Network, Transient::ServerError,
                Transient::RateLimited, Transient::Malformed, Transient::QuotaExceeded,
                Transient::Auth, Transient::Upstream];
            let reason = all[transient];
            prop_assert_eq!(from_outcome(InviteOutcome::Transient(reason)), Err(reason));
        }
    }
}
