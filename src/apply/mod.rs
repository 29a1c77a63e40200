//! One application, from a valid form to a decision, for the HTML form and the JSON API alike:
//! what KV remembers answers first; otherwise the invite transaction (`invite`, shared with
//! the queue consumer) asks the line, the ledger and Hireflix. The rules live in `decision`.

pub(crate) mod decision;
mod enqueue;
#[cfg(test)]
pub(crate) mod fakes;
pub mod invite;
pub mod positions;
#[cfg(test)]
mod tests;

pub use decision::{Answered, Decision};
pub use enqueue::{Enqueue, QueuedInvite, Tally};

use crate::domain::{Application, ApplicationForm, Attribution, CandidateKey};
use crate::domain::{Consent, PositionId};
use crate::funnel::Funnel;
use crate::hireflix::{HireflixClient, InterviewUrl, Inviter, Transient};
use crate::ledger::{Gate, Ledger, LedgerClient, Note};
use crate::line::rules::Admission;
use crate::line::{LineClient, Lines};
use crate::log::{self, Outcome, Reason, Source};
use crate::store::{Memory, Store};
use decision::Claim;
use futures_util::future::{select, Either};
use invite::{Candidate, Invites, Made};
use std::pin::pin;
use worker::Queue;

/// How long the form's pipeline may take, in ms, before the application is queued (its steps'
/// own deadlines add up to over 20 s): at least 8 s (about as long as a candidate waits before
/// posting again), and 4 s beside a higher Hireflix timeout, so one slow call is not cut.
pub fn answer_deadline_ms(hireflix_timeout_ms: u32) -> u32 {
    hireflix_timeout_ms.saturating_add(4_000).max(8_000)
}

/// An answer, or the message to queue after a delay, with the log's outcome and reason.
enum Decided {
    Answer(Decision),
    Queue(QueuedInvite, u32, Outcome, Reason),
}

/// The form's pipeline; the defaults are the worker's own I/O, tests put fakes in their place.
pub struct Pipeline<
    'a,
    I = HireflixClient,
    L = LedgerClient,
    M = Store,
    Q = Option<Queue>,
    W = LineClient,
> {
    pub invites: Invites<'a, I, L, M, W>,
    pub queue: &'a Q,
    pub request_id: &'a str,
    pub source: Source,
    /// The link pass this request's browser presented for the position (its cookie), if any.
    pub pass: Option<&'a str>,
    /// `LINK_GRACE_MINUTES` in ms.
    pub grace_ms: u64,
    pub funnel: Option<&'a Funnel>,
    pub attribution: Option<&'a Attribution>,
    /// `REQUIRE_CONSENT`'s record: kept in KV and the log line, carried through the queue.
    pub consent: Option<&'a Consent>,
    /// [`answer_deadline_ms`].
    pub deadline_ms: u32,
}

impl<I: Inviter, L: Ledger, M: Memory, Q: Enqueue, W: Lines> Pipeline<'_, I, L, M, Q, W> {
    pub async fn submit(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        application: &Application,
    ) -> Decision {
        let key = CandidateKey::new(self.invites.secret, position, &application.email);
        let (decision, hireflix_ms) = self.decide_in_time(position, form, application, &key).await;
        let (id, outcome) = (position.as_str(), decision.outcome);
        log::Event::Application(log::Application {
            candidate: Some(key.log_tag()),
            reason: decision.reason,
            hireflix_ms,
            attempt: Some(1),
            attribution: self.attribution,
            consent: self.consent,
            ..log::Application::new(self.request_id, id, self.source, outcome)
        })
        .emit();
        if let Some(funnel) = self.funnel {
            funnel.record_outcome(position, decision.outcome);
        }
        decision
    }

    /// KV, then [`Self::decide`], all within `deadline_ms` (a KV read can hang too). Past it the
    /// pipeline is dropped and the application queued as an unchecked retry. What it left, the
    /// designed paths handle: the retry settles a busy reservation (an interview Hireflix made
    /// is found, never made twice), passes uncounted an admission its line counted, and a
    /// message it had just sent is a second one for the mailbox, which the ledger lets make
    /// one interview at most.
    async fn decide_in_time(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        application: &Application,
        key: &CandidateKey,
    ) -> (Decision, Option<u64>) {
        let invites = &self.invites;
        let names = invites.names_of(application);
        let secret = invites.secret;
        let pass_for = |url: &InterviewUrl, issued_s: u64, id: &str| {
            key.link_pass(secret, url.as_str(), issued_s, id)
        };
        let work = async {
            let record = invites.memory.candidate(key).await;
            let claim = Claim {
                pass: self.pass,
                pass_for: &pass_for,
                now_ms: (invites.clock)(),
                grace_ms: self.grace_ms,
            };
            let trusted = invites.inviter.trusted_hosts();
            if let Some(decision) = decision::from_record(record, &names, trusted, &claim) {
                return (Decided::Answer(decision), None);
            }
            let candidate = Candidate {
                position: position.clone(),
                application: application.clone(),
                key: key.clone(),
                invite: self.message(position, form),
            };
            self.decide(&candidate, &names, &claim).await
        };
        let deadline = invites.memory.nap(self.deadline_ms);
        let in_time = match select(pin!(work), pin!(deadline)).await {
            Either::Left((decided, _)) => decided,
            Either::Right(_) => {
                let message = self.message(position, form);
                let late = Decided::Queue(message, 0, Outcome::Queued, Reason::AnswerDeadline);
                (late, None)
            }
        };
        match in_time {
            (Decided::Answer(decision), hireflix_ms) => (decision, hireflix_ms),
            (Decided::Queue(message, delay_seconds, outcome, reason), hireflix_ms) => {
                let queued = self.queue.send(&message, delay_seconds).await;
                // Remembered, so a resubmission meanwhile is not queued twice.
                if queued {
                    self.remember_queued(key, None).await;
                }
                (decision::queued(queued, outcome, reason), hireflix_ms)
            }
        }
    }

    async fn decide(
        &self,
        candidate: &Candidate,
        names: &str,
        claim: &Claim<'_>,
    ) -> (Decided, Option<u64>) {
        let (invites, key) = (&self.invites, &candidate.key);
        let one = std::slice::from_ref(candidate);
        let mut batch = invites.make(one).await;
        if let Some(Made::Held(Gate::Park {
            note: Note::InFlight,
            ..
        })) = batch.made.first()
        {
            // A double click: the same address's invite is at Hireflix. Its outcome is awaited
            // briefly; failing that, the ledger is asked again (the line lets it through).
            if let Some(decision) = self.await_first(key, names, claim).await {
                return (Decided::Answer(decision), None);
            }
            batch = invites.make(one).await;
        }
        // Admitted once its line has counted it, so the consumer does not count it twice.
        let mut message = QueuedInvite {
            admitted: batch.passed.first().copied().unwrap_or(false),
            ..candidate.invite.clone()
        };
        let hireflix_ms = batch.hireflix_ms;
        let answer = |decision| (Decided::Answer(decision), hireflix_ms);
        let (delay, outcome, reason) = match std::mem::take(&mut batch.made).into_iter().next() {
            Some(Made::Asked(answered)) => match decision::from_answer(answered, claim) {
                Ok(decision) => return answer(decision),
                // A spent quota waits for the ledger's probe time; others, the pace or Retry-After.
                Err(reason) => {
                    message = Tally::after(reason).next(&message);
                    let delay = if reason == Transient::QuotaExceeded {
                        batch.quota_delay
                    } else {
                        batch.resume_s((invites.clock)())
                    };
                    (delay, Outcome::Queued, Reason::Transient(reason))
                }
            },
            Some(Made::Held(Gate::AlreadyInvited)) => return answer(decision::same_mailbox()),
            Some(Made::Line(Admission::Wait {
                place,
                expected_by_ms,
            })) => {
                // Kept before the answer, so a resubmission hears it from KV: the line's
                // client may answer "paused" for the position without asking it.
                self.remember_queued(key, Some((place, expected_by_ms)))
                    .await;
                return answer(decision::in_line(place, expected_by_ms));
            }
            Some(Made::Line(Admission::Paused { retry_after_s })) => {
                return answer(decision::position_paused(retry_after_s))
            }
            Some(Made::Held(Gate::Park {
                delay_seconds,
                note,
            })) => (delay_seconds, Outcome::Parked, Reason::Ledger(note)),
            Some(Made::LineSilent) => (0, Outcome::Queued, Reason::LineUnavailable),
            // No invite without a check: queued, the consumer asks the ledger again (and drops
            // it if an erasure came after it).
            _ => (0, Outcome::Queued, Reason::Ledger(Note::LedgerUnavailable)),
        };
        (Decided::Queue(message, delay, outcome, reason), hireflix_ms)
    }

    /// The record the same address's call in flight leaves in KV, read every `NAP_MS` for at
    /// most `WAIT_FOR_FIRST_MS`, as this submission would have been answered from it.
    async fn await_first(
        &self,
        key: &CandidateKey,
        names: &str,
        claim: &Claim<'_>,
    ) -> Option<Decision> {
        const WAIT_FOR_FIRST_MS: u64 = 3_000;
        const NAP_MS: u32 = 250;
        let invites = &self.invites;
        let until = (invites.clock)().saturating_add(WAIT_FOR_FIRST_MS);
        let trusted = invites.inviter.trusted_hosts();
        for _ in 0..WAIT_FOR_FIRST_MS / u64::from(NAP_MS) {
            invites.memory.nap(NAP_MS).await;
            let record = invites.memory.candidate(key).await;
            if let Some(decision) = decision::from_record(record, names, trusted, claim) {
                return Some(decision);
            }
            if (invites.clock)() >= until {
                break;
            }
        }
        None
    }

    /// The link pass a browser is given with this candidate's interview link, issued now
    /// under the random `id`.
    pub fn link_pass(
        &self,
        position: &PositionId,
        application: &Application,
        url: &InterviewUrl,
        id: &str,
    ) -> String {
        let secret = self.invites.secret;
        let issued_s = (self.invites.clock)() / 1_000;
        let key = CandidateKey::new(secret, position, &application.email);
        key.link_pass(secret, url.as_str(), issued_s, id)
    }
}
