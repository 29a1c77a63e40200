//! Retries queued invites: the whole batch is one invite transaction (`crate::apply::invite`),
//! and each message then takes the step `super::step` decides for it.

use super::dead_letters::{self, retry_later};
use super::message::{self, DeadLetter};
use super::step::{self, next_step, Action, Attempts, Step, Tally};
use crate::app::{App, Services};
use crate::apply::invite::{Candidate, Invites, Made};
use crate::apply::{Answered, Enqueue, QueuedInvite};
use crate::clock::now_ms;
use crate::domain::CandidateKey;
use crate::funnel::{Funnel, Visit};
use crate::hireflix::{HireflixClient, InviteOutcome, Inviter};
use crate::ledger::Ledger;
use crate::line::Lines;
use crate::log::{self, Outcome, Reason, Source};
use crate::pace::{self, Caller, Pacer};
use crate::store::Memory;
use serde_json::Value;
use worker::{Message, MessageExt, Queue};

/// A batch is one request Hireflix works through in turn: the single-invite timeout per
/// invite, up to this (no candidate is waiting).
const BATCH_TIMEOUT_CAP_MS: u32 = 30_000;

pub async fn retry(messages: Vec<Message<Value>>, app: &App, services: &Services) {
    let (config, store, dlq) = (&services.config, &services.store, services.dlq.as_ref());
    let (mut read, mut candidates) = (Vec::new(), Vec::new());
    let max_wait_ms = config.line.longest_wait_ms(&config.budgets);
    let now = now_ms();
    for message in messages {
        match message::read(message.body(), now, max_wait_ms, &config.app_secret) {
            Ok(candidate) => {
                read.push(message);
                candidates.push(candidate);
            }
            Err(letter) => {
                let key = dead_letters::release(&letter, store, &config.app_secret).await;
                log::Event::UnreadableMessage {
                    candidate: key.as_ref().map(CandidateKey::log_tag),
                    queue: None,
                    reason: &letter.reason,
                }
                .emit();
                dead_letter(&message, dlq, *letter).await;
            }
        }
    }
    if read.is_empty() {
        return;
    }
    let batch_size = u32::try_from(read.len()).unwrap_or(u32::MAX);
    let timeout = (config.hireflix_timeout_ms.saturating_mul(batch_size))
        .min(BATCH_TIMEOUT_CAP_MS)
        .max(config.hireflix_timeout_ms);
    let inviter = HireflixClient::new(&config.api_url, config.api_key.to_string(), timeout);
    let invites = Invites {
        inviter: &inviter.with_pacer(Pacer::connect(app.env(), config, Caller::Queue)),
        ledger: &services.ledger.clone().for_queue(timeout),
        line: &services.line,
        memory: store,
        after_response: None,
        secret: &config.app_secret,
        explain: false,
        clock: now_ms,
    };
    let retries = Attempts {
        counted: 0,
        max: config.max_invite_attempts,
        base_delay_seconds: config.retry_base_delay_seconds,
    };
    let steps = steps(&invites, &candidates, retries).await;
    let funnel = services.funnel(Visit::default);
    for ((message, item), (step, hireflix_ms, passed)) in read.iter().zip(&candidates).zip(steps) {
        log(item, &step, hireflix_ms, &funnel);
        match step.action {
            Action::Ack => message.ack(),
            Action::AckAndForget => {
                store.forget(&item.key).await;
                message.ack();
            }
            Action::Requeue {
                delay_seconds,
                tally,
            } => {
                let next = QueuedInvite {
                    admitted: passed,
                    ..tally.next(&item.invite)
                };
                requeue(message, &services.queue, &next, delay_seconds).await
            }
            Action::DeadLetter { why } => {
                store.forget(&item.key).await;
                let letter = DeadLetter::new(why, Some(Tally::Counted.next(&item.invite)), None);
                dead_letter(message, dlq, letter).await;
            }
        }
    }
}

/// Each queued invite's step, in order, with Hireflix's time and whether its line counted it.
pub async fn steps<I: Inviter, L: Ledger, M: Memory, W: Lines>(
    invites: &Invites<'_, I, L, M, W>,
    queued: &[Candidate],
    retries: Attempts,
) -> Vec<(Step, Option<u64>, bool)> {
    let batch = invites.make(queued).await;
    let resume = batch.resume_s((invites.clock)());
    let each = queued.iter().zip(batch.made).zip(batch.passed);
    each.map(|((q, made), passed)| {
        // This try included.
        let counted = q.invite.counted_attempts().saturating_add(1);
        let attempts = Attempts { counted, ..retries };
        let hireflix_ms = batch.hireflix_ms.filter(|_| matches!(made, Made::Asked(_)));
        let step = match made {
            Made::Held(gate) => step::held(gate, attempts),
            Made::Line(admission) => step::lined(admission, attempts),
            Made::LineSilent => step::retry_or_give_up(attempts, Reason::LineUnavailable),
            Made::Asked(answered) => {
                next_step(&outcome_of(answered), attempts, batch.quota_delay).not_before(resume)
            }
        };
        (step, hireflix_ms, passed)
    })
    .collect()
}

/// Nobody is shown a link from the queue: an existing interview made for the same names is
/// as good as a new one, any other is Hireflix's "already exists" (it has emailed it).
fn outcome_of(answered: Answered) -> InviteOutcome {
    match answered {
        Answered::Hireflix(outcome) => outcome,
        Answered::Existing(Ok(existing)) if existing.same_names => {
            InviteOutcome::Invited(existing.url)
        }
        Answered::Existing(Err(Reason::Link(problem))) => {
            InviteOutcome::InvitedWithoutLink(problem)
        }
        Answered::Existing(_) => InviteOutcome::AlreadyExists,
    }
}

/// Logs and counts the step, with the tries made (this one included, unless untried).
fn log(item: &Candidate, step: &Step, hireflix_ms: Option<u64>, funnel: &Funnel) {
    let (request_id, position) = (&item.invite.request_id, item.position.as_str());
    let attempt = match step.action {
        Action::Requeue {
            tally: Tally::Untried,
            ..
        } => item.invite.attempt,
        _ => item.invite.attempt.saturating_add(1),
    };
    let line = log::Application::new(request_id, position, Source::Queue, step.outcome);
    // An erased candidate's tag would tie this line to them again.
    let erased = step.outcome == Outcome::Erased;
    log::Event::Application(log::Application {
        candidate: (!erased).then(|| item.key.log_tag()),
        reason: step.reason,
        hireflix_ms,
        attempt: Some(attempt),
        ..line
    })
    .emit();
    funnel.record_outcome(&item.position, step.outcome);
}

/// A fresh message, spread so what failed together does not come back in the same second
/// (within the queue's longest delay, which the fallback retry asks for too); the old one is
/// acked only once it is sent.
async fn requeue(message: &Message<Value>, queue: &Option<Queue>, next: &QueuedInvite, delay: u32) {
    let delay = pace::spread(delay, pace::dice());
    if queue.send(next, delay).await {
        message.ack();
    } else {
        super::retry_in(message, delay);
    }
}

/// Never dropped: a letter the DLQ did not take comes back (and after `max_retries` the
/// platform moves it there itself).
pub async fn dead_letter(message: &impl MessageExt, dlq: Option<&Queue>, letter: DeadLetter) {
    match dlq {
        Some(dlq) if dlq.send(&letter).await.is_ok() => message.ack(),
        _ => retry_later(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::fakes::*;
    use crate::hireflix::{Permanent, Transient};
    use crate::ledger::{Gate, Note};

    fn batch(emails: &[(&str, u32)]) -> Vec<Candidate> {
        emails
            .iter()
            .map(|&(email, attempt)| {
                let invite = queued(email, attempt);
                let (position, application) = invite.application().unwrap();
                Candidate {
                    key: key(email),
                    invite,
                    position,
                    application,
                }
            })
            .collect()
    }

    const RETRIES: Attempts = Attempts {
        counted: 0,
        max: 3,
        base_delay_seconds: 30,
    };

    fn run_steps(
        hireflix: &FakeHireflix,
        ledger: &FakeLedger,
        items: &[Candidate],
    ) -> Vec<(Step, Option<u64>, bool)> {
        let (memory, line) = (FakeMemory::default(), FakeLine::default());
        let invites = Invites {
            explain: false,
            ..invites(hireflix, ledger, &memory, &line)
        };
        run(steps(&invites, items, RETRIES))
    }

    fn actions(steps: &[(Step, Option<u64>, bool)]) -> Vec<Action> {
        steps.iter().map(|(s, ..)| s.action.clone()).collect()
    }

    #[test]
    fn one_ledger_call_and_one_hireflix_request_for_the_whole_batch() {
        let park = Gate::Park {
            delay_seconds: 900,
            note: Note::QuotaExhausted,
        };
        let ledger = FakeLedger::with(vec![granted(1), park, granted(3)]);
        let hireflix = FakeHireflix::answering(vec![]);
        let items = batch(&[
            ("a@example.com", 1),
            ("b@example.com", 1),
            ("c@example.com", 1),
        ]);
        let steps = run_steps(&hireflix, &ledger, &items);
        assert_eq!(ledger.checks.get(), 1);
        assert_eq!(
            *hireflix.calls.borrow(),
            vec![vec![
                "a@example.com".to_string(),
                "c@example.com".to_string()
            ]]
        );
        let parked = Action::Requeue {
            delay_seconds: 900,
            tally: Tally::Untried,
        };
        assert_eq!(actions(&steps), vec![Action::Ack, parked, Action::Ack]);
        assert!(
            steps.iter().all(|s| s.2),
            "let through by the line: requeued as admitted"
        );
        assert_eq!(steps[1].1, None, "no Hireflix time for a parked message");
    }

    #[test]
    fn a_batch_whose_errors_name_an_invite_is_tried_one_by_one_and_releases_what_was_not_made() {
        let named = InviteOutcome::Transient(Transient::AliasError);
        let upstream = InviteOutcome::Transient(Transient::Upstream);
        let closed = InviteOutcome::Permanent(Permanent::PositionNotReady);
        let hireflix = FakeHireflix::answering(vec![
            vec![upstream, named],
            vec![InviteOutcome::Invited(url("a"))],
            vec![closed],
        ]);
        let ledger = FakeLedger::default();
        let items = batch(&[("a@example.com", 0), ("b@example.com", 0)]);
        let steps = run_steps(&hireflix, &ledger, &items);
        assert_eq!(hireflix.calls.borrow().len(), 3);
        let dead = Action::DeadLetter {
            why: "position_not_ready".into(),
        };
        assert_eq!(actions(&steps), vec![Action::Ack, dead]);
        assert_eq!(ledger.settled.borrow()[0].release, vec![2]);
    }

    #[test]
    fn a_batch_refused_as_a_whole_is_retried_whole_later_never_split() {
        for refusal in [
            Transient::RateLimited,
            Transient::ServerError,
            Transient::Upstream,
        ] {
            let whole = InviteOutcome::Transient(refusal);
            let hireflix = FakeHireflix::answering(vec![vec![whole.clone(), whole]]);
            let ledger = FakeLedger::default();
            let items = batch(&[("a@example.com", 0), ("b@example.com", 0)]);
            let steps = run_steps(&hireflix, &ledger, &items);
            assert_eq!(
                hireflix.calls.borrow().len(),
                1,
                "{refusal:?}: one call, not 1 + 2"
            );
            for (step, ..) in &steps {
                assert!(
                    matches!(
                        step.action,
                        Action::Requeue {
                            tally: Tally::Counted,
                            ..
                        }
                    ),
                    "{refusal:?}: {step:?}"
                );
            }
        }
    }

    #[test]
    fn without_the_ledger_nothing_is_invited_and_the_last_try_ends_in_the_dead_letter_queue() {
        let ledger = FakeLedger::with(vec![Gate::Unchecked, Gate::Unchecked]);
        let hireflix = FakeHireflix::answering(vec![]);
        let items = batch(&[("a@example.com", 0), ("b@example.com", 2)]);
        let steps = run_steps(&hireflix, &ledger, &items);
        assert!(hireflix.calls.borrow().is_empty());
        let retry = Action::Requeue {
            delay_seconds: 30,
            tally: Tally::Counted,
        };
        let dead = Action::DeadLetter {
            why: "gave_up_after_3_attempts: ledger_unavailable".into(),
        };
        assert_eq!(actions(&steps), vec![retry, dead]);
    }

    #[test]
    fn a_message_the_line_released_is_not_asked_again_and_one_it_never_saw_joins_it() {
        let ledger = FakeLedger::default();
        let hireflix = FakeHireflix::answering(vec![]);
        let mut items = batch(&[("a@example.com", 0), ("b@example.com", 0)]);
        items[0].invite.admitted = true;
        let line = FakeLine::with(vec![Some(crate::line::rules::Admission::Wait {
            place: 3,
            expected_by_ms: 1,
        })]);
        let memory = FakeMemory::default();
        let invites = invites(&hireflix, &ledger, &memory, &line);
        let steps = run(steps(&invites, &items, RETRIES));
        assert_eq!(*line.asked.borrow(), ["b@example.com"]);
        assert_eq!(
            *hireflix.calls.borrow(),
            vec![vec!["a@example.com".to_string()]]
        );
        assert_eq!(actions(&steps), vec![Action::Ack, Action::AckAndForget]);
        let passed: Vec<bool> = steps.iter().map(|s| s.2).collect();
        assert_eq!(passed, [true, false]);
    }

    #[test]
    fn an_existing_interview_for_the_same_names_counts_as_invited_from_the_queue() {
        let existing = |same_names| {
            Answered::Existing(Ok(crate::apply::decision::Existing {
                url: url("x"),
                same_names,
                created_ms: None,
            }))
        };
        assert!(matches!(
            outcome_of(existing(true)),
            InviteOutcome::Invited(_)
        ));
        assert_eq!(outcome_of(existing(false)), InviteOutcome::AlreadyExists);
    }

    #[test]
    fn a_message_the_forms_deadline_queued_waits_for_the_call_in_flight_then_settles_it_once() {
        // The form's pipeline was dropped at Hireflix: its message is unadmitted, nothing
        // tried, its reservation busy. The interview was made by the dropped call.
        let mut items = batch(&[("a@example.com", 0)]);
        let in_flight = Gate::Park {
            delay_seconds: 2,
            note: Note::InFlight,
        };
        let ledger = FakeLedger::with(vec![in_flight, settling(7)]);
        let mut hireflix = FakeHireflix::answering(vec![vec![InviteOutcome::AlreadyExists]]);
        hireflix.found = Some(crate::hireflix::FoundInterview {
            url: url("made-by-the-dropped-call"),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            created_ms: Some(NOW - 8_000),
        });
        let (memory, line) = (FakeMemory::default(), FakeLine::default());
        let invites = invites(&hireflix, &ledger, &memory, &line);
        let first = run(steps(&invites, &items[..1], RETRIES));
        let parked = Action::Requeue {
            delay_seconds: 2,
            tally: Tally::Untried,
        };
        assert_eq!(actions(&first), vec![parked]);
        assert!(
            first[0].2,
            "requeued as admitted: its line is not asked twice"
        );
        assert!(
            hireflix.calls.borrow().is_empty(),
            "no second call meanwhile"
        );

        items[0].invite.admitted = true;
        let second = run(steps(&invites, &items[..1], RETRIES));
        assert_eq!(actions(&second), vec![Action::Ack]);
        assert_eq!(second[0].0.outcome, Outcome::Invited);
        assert_eq!(
            hireflix.calls.borrow().len(),
            1,
            "asked once, and it was found"
        );
        assert_eq!(ledger.settled.borrow()[0].confirm, vec![7]);
        assert_eq!(*line.asked.borrow(), ["a@example.com"]);
    }
}
