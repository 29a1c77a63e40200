//! The form's use of the ledger, natively: what each gate does to the Hireflix call, the
//! queue and KV, with every seam faked (`super::fakes`).

use super::fakes::*;
use super::{Decision, Pipeline};
use crate::answer::Answer;
use crate::domain::{Field, PositionId};
use crate::hireflix::{FoundInterview, InviteOutcome, Permanent, Transient};
use crate::ledger::budget::Budget;
use crate::ledger::{Gate, Note};
use crate::line::rules::Admission;
use crate::log::{Outcome, Reason, Source};
use crate::store::Record;

struct World {
    hireflix: FakeHireflix,
    ledger: FakeLedger,
    memory: FakeMemory,
    queue: FakeQueue,
    line: FakeLine,
}

impl World {
    fn new(gates: Vec<Gate>, answers: Vec<Vec<InviteOutcome>>) -> World {
        World {
            hireflix: FakeHireflix::answering(answers),
            ledger: FakeLedger::with(gates),
            memory: FakeMemory::default(),
            queue: FakeQueue::default(),
            line: FakeLine::default(),
        }
    }

    /// Ann applies through the form.
    fn apply(&self) -> (Decision, Option<u64>) {
        let pipeline = Pipeline {
            invites: invites(&self.hireflix, &self.ledger, &self.memory, &self.line),
            queue: &self.queue,
            request_id: "r1",
            source: Source::Form,
            pass: None,
            grace_ms: 600_000,
            funnel: None,
            attribution: None,
            consent: None,
            deadline_ms: super::answer_deadline_ms(4_000),
        };
        let position = PositionId::parse(POSITION).unwrap();
        let form = form("ann@example.com");
        let application = form.parse().unwrap();
        let key = key("ann@example.com");
        run(pipeline.decide_in_time(&position, &form, &application, &key))
    }

    fn record(&self) -> Option<Record> {
        let digest = key("ann@example.com").digest().to_string();
        self.memory.records.borrow().get(&digest).cloned()
    }

    /// Ann Lee's names tag, as her KV record keeps it.
    fn names(&self) -> String {
        let memory = FakeMemory::default();
        let invites = invites(&self.hireflix, &self.ledger, &memory, &self.line);
        invites.names_of(&form("ann@example.com").parse().unwrap())
    }

    fn hireflix_calls(&self) -> usize {
        self.hireflix.calls.borrow().len()
    }

    /// What went on the queue: (tries made, quota refusals, delay).
    fn queued(&self) -> Vec<(u32, u32, u32)> {
        let sent = self.queue.sent.borrow();
        sent.iter()
            .map(|(m, delay)| (m.attempt, m.quota_refusals, *delay))
            .collect()
    }
}

#[test]
fn a_granted_invite_calls_hireflix_once_is_remembered_and_releases_nothing() {
    let world = World::new(vec![granted(7)], vec![]);
    let (decision, hireflix_ms) = world.apply();
    assert!(matches!(decision.answer, Answer::Interview(_)));
    assert_eq!(decision.outcome, Outcome::Invited);
    assert_eq!(hireflix_ms, Some(0));
    assert_eq!(world.hireflix_calls(), 1);
    assert!(matches!(world.record(), Some(Record::Invited { .. })));
    let settled = world.ledger.settled.borrow();
    assert!(
        settled.iter().all(|settlement| settlement.is_empty()),
        "{settled:?}"
    );
    assert!(world.queued().is_empty());
}

#[test]
fn a_parked_application_is_queued_until_its_window_reopens_and_hireflix_is_not_called() {
    let note = Note::Budget(Budget::AccountDay);
    let park = Gate::Park {
        delay_seconds: 1_800,
        note,
    };
    let world = World::new(vec![park], vec![]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Queued);
    assert_eq!(decision.outcome, Outcome::Parked);
    assert_eq!(world.hireflix_calls(), 0);
    assert_eq!(world.queued(), vec![(0, 0, 1_800)], "no try used");
    assert!(matches!(world.record(), Some(Record::Queued { .. })));
    let sent = world.queue.sent.borrow();
    assert!(sent[0].0.admitted, "its line counted it: not counted again");
}

#[test]
fn a_ledger_that_cannot_be_asked_invites_nobody_and_queues_the_application() {
    let world = World::new(vec![Gate::Unchecked], vec![]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Queued);
    assert_eq!(world.hireflix_calls(), 0);
    assert_eq!(world.queued(), vec![(0, 0, 0)]);
}

#[test]
fn another_spelling_of_an_invited_mailbox_is_not_invited_again() {
    let world = World::new(vec![Gate::AlreadyInvited], vec![]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::InvitedByEmail);
    assert_eq!(decision.outcome, Outcome::AlreadyInvited);
    assert_eq!(world.hireflix_calls(), 0);
    assert!(world.queued().is_empty() && world.record().is_none());
}

#[test]
fn a_remembered_candidate_is_answered_before_the_ledger_is_asked() {
    let world = World::new(vec![], vec![]);
    let digest = key("ann@example.com").digest().to_string();
    world
        .memory
        .records
        .borrow_mut()
        .insert(digest, Record::queued(None));
    let (decision, _) = world.apply();
    assert_eq!(decision.outcome, Outcome::AlreadyQueued);
    assert_eq!(world.ledger.checks.get(), 0);
    assert_eq!(world.hireflix_calls(), 0);
}

#[test]
fn a_timeout_keeps_its_reservation_counted_for_the_retry_and_queues_one_try() {
    // Hireflix may have made the interview: releasing it would let another spelling of the
    // mailbox in (issue 17: two interviews for victim@gmail.com and v.ictim@gmail.com).
    let timeout = InviteOutcome::Transient(Transient::Timeout);
    let world = World::new(vec![granted(7)], vec![vec![timeout]]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Queued);
    let settled = world.ledger.settled.borrow();
    assert!(settled[0].release.is_empty(), "{settled:?}");
    assert_eq!(settled[0].unsettle, vec![7]);
    assert_eq!(world.queued(), vec![(1, 0, 0)]);
}

#[test]
fn the_retry_settles_the_reservation_the_ambiguous_call_left() {
    let mut world = World::new(vec![settling(7)], vec![vec![InviteOutcome::AlreadyExists]]);
    world.hireflix.found = Some(FoundInterview {
        url: url("made-by-the-timed-out-call"),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        created_ms: Some(NOW - 60_000),
    });
    let (decision, _) = world.apply();
    assert_eq!(
        decision.answer,
        Answer::Interview(url("made-by-the-timed-out-call"))
    );
    assert_eq!(world.ledger.settled.borrow()[0].confirm, vec![7]);

    let closed = InviteOutcome::Permanent(Permanent::PositionNotReady);
    let world = World::new(vec![settling(8)], vec![vec![closed]]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::PositionClosed);
    let settled = world.ledger.settled.borrow();
    assert_eq!(
        (settled[0].release.clone(), settled[0].confirm.len()),
        (vec![8], 0)
    );
}

#[test]
fn a_hireflix_call_that_never_answers_is_cut_by_the_whole_deadline_and_left_for_the_retry() {
    let mut world = World::new(vec![granted(7)], vec![]);
    world.hireflix.hang = true;
    let (decision, hireflix_ms) = world.apply();
    assert_eq!(decision.answer, Answer::Queued, "202: we received it");
    assert_eq!(decision.outcome, Outcome::Queued);
    assert_eq!(decision.reason, Some(Reason::AnswerDeadline));
    assert_eq!(hireflix_ms, None);
    assert_eq!(world.hireflix_calls(), 1);
    assert_eq!(world.memory.naps.get(), 1, "the deadline's one nap");
    // As an unchecked retry: at once, no try counted, asked of its line again.
    assert_eq!(world.queued(), vec![(0, 0, 0)]);
    let sent = world.queue.sent.borrow();
    assert!(!sent[0].0.admitted);
    assert_eq!(
        sent[0].0.applied_ms, NOW,
        "posted when the candidate posted"
    );
    // Hireflix may have made the interview: the reservation stays busy, neither released nor
    // settled, and the retry settles it.
    assert!(world.ledger.settled.borrow().is_empty());
    assert!(matches!(world.record(), Some(Record::Queued { .. })));
}

#[test]
fn a_ledger_that_never_answers_is_cut_by_the_deadline_and_nobody_is_invited_unchecked() {
    let mut world = World::new(vec![], vec![]);
    world.ledger.hang = true;
    let (decision, _) = world.apply();
    assert_eq!(
        (decision.answer, decision.reason),
        (Answer::Queued, Some(Reason::AnswerDeadline))
    );
    assert_eq!(world.ledger.checks.get(), 1);
    assert_eq!(world.hireflix_calls(), 0);
    assert_eq!(world.queued(), vec![(0, 0, 0)]);

    // The queue refusing as well: the candidate is told to try again, nothing is claimed.
    let mut world = World::new(vec![], vec![]);
    world.ledger.hang = true;
    world.queue.refuse = true;
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Unavailable);
    assert!(world.record().is_none());
}

#[test]
fn the_whole_deadline_leaves_an_ordinary_invite_alone_and_one_slow_hireflix_call_room() {
    assert_eq!(super::answer_deadline_ms(4_000), 8_000, "as shipped");
    assert_eq!(super::answer_deadline_ms(1_000), 8_000);
    assert_eq!(super::answer_deadline_ms(10_000), 14_000);
    assert_eq!(super::answer_deadline_ms(u32::MAX), u32::MAX);
    // Every fake answers at once: the deadline is never met and never napped.
    let world = World::new(vec![granted(7)], vec![]);
    assert!(matches!(world.apply().0.answer, Answer::Interview(_)));
    assert_eq!(world.memory.naps.get(), 0);
}

#[test]
fn a_kv_read_past_the_deadline_queues_the_application() {
    // The fake deadline passes as soon as it is armed: a KV read that has not answered by then
    // is cut like any slow call after it, and the candidate is told "queued".
    let mut world = World::new(vec![granted(7)], vec![]);
    world.memory.slow_reads = true;
    let (decision, _) = world.apply();
    assert_eq!(decision.outcome, Outcome::Queued);
    assert_eq!(decision.reason, Some(Reason::AnswerDeadline));
    assert_eq!(world.hireflix_calls(), 0, "nothing invited unchecked");
    assert_eq!(
        world.queue.sent.borrow().len(),
        1,
        "the application is kept"
    );
}

fn in_flight(delay_seconds: u32) -> Gate {
    Gate::Park {
        delay_seconds,
        note: Note::InFlight,
    }
}

#[test]
fn a_double_click_waits_for_the_first_post_and_lands_on_the_same_interview() {
    let world = World::new(vec![in_flight(3)], vec![]);
    let digest = key("ann@example.com").digest().to_string();
    let first = Record::invited(&url("first"), world.names(), Some(NOW));
    *world.memory.arriving.borrow_mut() = Some((digest, first));
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Interview(url("first")));
    assert_eq!(
        world.hireflix_calls(),
        0,
        "Hireflix is asked once, by the first post"
    );
    assert_eq!(world.ledger.checks.get(), 1);
    assert!(world.queued().is_empty());
}

#[test]
fn a_double_click_whose_first_post_is_still_at_hireflix_is_queued_without_a_second_call() {
    let world = World::new(vec![in_flight(3), in_flight(2)], vec![]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Queued);
    assert_eq!(decision.outcome, Outcome::Parked);
    assert_eq!(world.hireflix_calls(), 0);
    assert_eq!(
        world.ledger.checks.get(),
        2,
        "asked again once after the wait"
    );
    assert_eq!(
        world.memory.naps.get(),
        12,
        "a bounded wait: 12 naps of 250 ms"
    );
    assert_eq!(
        world.queued(),
        vec![(0, 0, 2)],
        "until the first call is over, no try used"
    );
}

#[test]
fn a_double_click_whose_first_post_was_refused_is_decided_by_asking_again() {
    // The first post's reservation was released (say, a validation error): this one may call.
    let world = World::new(vec![in_flight(3), granted(9)], vec![]);
    let (decision, _) = world.apply();
    assert!(matches!(decision.answer, Answer::Interview(_)));
    assert_eq!(world.hireflix_calls(), 1);
}

#[test]
fn a_spent_quota_is_reported_and_the_application_waits_for_the_probe_without_using_a_try() {
    let quota = InviteOutcome::Transient(Transient::QuotaExceeded);
    let world = World::new(vec![granted(7)], vec![vec![quota]]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Queued);
    assert!(world.ledger.settled.borrow()[0].quota_exhausted);
    assert_eq!(world.queued(), vec![(1, 1, QUOTA_DELAY)]);
}

#[test]
fn when_the_queue_refuses_too_the_candidate_is_told_to_try_again() {
    let timeout = InviteOutcome::Transient(Transient::Timeout);
    let mut world = World::new(vec![granted(7)], vec![vec![timeout]]);
    world.queue.refuse = true;
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Unavailable);
    assert_eq!(decision.outcome, Outcome::LostQueueUnavailable);
}

#[test]
fn an_interview_hireflix_already_has_is_found_remembered_and_kept_counted() {
    let mut world = World::new(vec![granted(7)], vec![vec![InviteOutcome::AlreadyExists]]);
    world.hireflix.found = Some(FoundInterview {
        url: url("existing"),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        created_ms: Some(NOW - 60_000),
    });
    let (decision, _) = world.apply();
    // The same names within LINK_GRACE_MINUTES: their link.
    assert_eq!(decision.answer, Answer::Interview(url("existing")));
    assert_eq!(decision.outcome, Outcome::AlreadyInvited);
    assert!(
        matches!(world.record(), Some(Record::Invited { url, .. }) if url.ends_with("/existing"))
    );
    let settled = world.ledger.settled.borrow();
    assert!(
        settled[0].release.is_empty(),
        "the mailbox has this interview"
    );
}

#[test]
fn a_validation_error_naming_no_field_is_asked_about_once_more_for_the_form() {
    let vague = Permanent::Invalid(vec![(None, "invalid input".into())]);
    let mut world = World::new(
        vec![granted(7)],
        vec![vec![InviteOutcome::Permanent(vague)]],
    );
    let exact = Permanent::Invalid(vec![(Some(Field::Email), "not deliverable".into())]);
    world.hireflix.details = Some(InviteOutcome::Permanent(exact));
    let (decision, _) = world.apply();
    let Answer::Rejected { errors, .. } = decision.answer else {
        panic!("{decision:?}")
    };
    assert!(errors.get(Field::Email).is_some());
    assert_eq!(world.hireflix_calls(), 2);
    assert_eq!(world.ledger.settled.borrow()[0].release, vec![7]);
}

#[test]
fn over_the_position_budget_the_line_gives_a_place_and_nothing_else_is_asked_or_queued() {
    let mut world = World::new(vec![], vec![]);
    // The line fills up after this place: an isolate may then answer "paused" for it unasked.
    world.line = FakeLine::with(vec![
        Some(Admission::Wait {
            place: 4_210,
            expected_by_ms: NOW + 60_000,
        }),
        Some(Admission::Paused { retry_after_s: 9 }),
    ]);
    let (decision, _) = world.apply();
    let first = Answer::InLine {
        place: 4_210,
        expected_by_ms: NOW + 60_000,
    };
    assert_eq!(decision.answer, first);
    assert_eq!(
        world.ledger.checks.get(),
        0,
        "the ledger is asked on release"
    );
    assert_eq!(world.hireflix_calls(), 0);
    assert!(
        world.queued().is_empty(),
        "the line holds it, not the queue"
    );
    assert_eq!(
        world.record(),
        Some(Record::queued(Some((4_210, NOW + 60_000))))
    );
    // A resubmission hears its place from KV, never "paused", and the line is not asked.
    assert_eq!(world.apply().0.answer, first);
    assert_eq!(*world.line.asked.borrow(), ["ann@example.com"]);
}

#[test]
fn a_paused_line_stores_nothing_and_a_silent_one_queues_the_application_unadmitted() {
    let mut world = World::new(vec![], vec![]);
    world.line = FakeLine::with(vec![Some(Admission::Paused { retry_after_s: 90 })]);
    let (decision, _) = world.apply();
    assert_eq!(
        decision.answer,
        Answer::PositionPaused { retry_after_s: 90 }
    );
    assert!(world.queued().is_empty() && world.record().is_none());

    let mut world = World::new(vec![], vec![]);
    world.line = FakeLine::with(vec![None]);
    let (decision, _) = world.apply();
    assert_eq!(decision.answer, Answer::Queued);
    assert_eq!(decision.reason, Some(crate::log::Reason::LineUnavailable));
    assert_eq!(world.ledger.checks.get(), 0, "never invited unchecked");
    assert_eq!(world.hireflix_calls(), 0);
    let sent = world.queue.sent.borrow();
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].0.admitted, "the consumer asks the line again");
}
