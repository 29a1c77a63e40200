//! One application, from a valid form to a decision: the same pipeline for the HTML form and
//! the JSON API. What KV remembers answers first; otherwise the invite transaction (`invite`,
//! shared with the queue consumer) asks the ledger and Hireflix. The rules live in
//! `decision`; this file only does the I/O they call for, through the seams of `invite`.

mod decision;
mod enqueue;
#[cfg(test)]
pub(crate) mod fakes;
pub mod invite;
pub mod positions;
mod remember;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub use decision::Existing;
pub use decision::{Answered, Decision};
pub use enqueue::{Enqueue, QueuedInvite};

use crate::domain::{Application, ApplicationForm, Attribution, CandidateKey};
use crate::domain::{Consent, PositionId};
use crate::funnel::Funnel;
use crate::hireflix::{HireflixClient, InterviewUrl, Inviter, Transient};
use crate::ledger::{Gate, Ledger, LedgerClient, Note};
use crate::line::{LineClient, Lines};
use crate::log::{self, Outcome, Reason, Source};
use crate::store::{Kv, Memory, Record};
use decision::Claim;
use futures_util::future::{select, Either};
use invite::{Candidate, Invites, Made};
use std::pin::pin;
use worker::Queue;

/// How long the form's pipeline may take, in ms: past it the application is queued and the
/// candidate answered. Each step has its own deadline (the line, the ledger and its settle 2 s
/// each, the pace 1.5 s, Hireflix `HIREFLIX_TIMEOUT_MS` for the invite, a validation detail and
/// each look-up, a double click's wait 3 s and its second try), but in sequence they add up to
/// more than 20 s. At least 8 s: twice the default Hireflix timeout, so an ordinary invite
/// (objects in milliseconds, Hireflix in about a second) never meets it, and about as long as a
/// candidate waits before posting again. A Hireflix timeout set higher keeps 4 s besides it, so
/// one slow call at its full timeout is not cut.
pub fn answer_deadline_ms(hireflix_timeout_ms: u32) -> u32 {
    const AT_LEAST_MS: u32 = 8_000;
    const BESIDES_HIREFLIX_MS: u32 = 4_000;
    hireflix_timeout_ms
        .saturating_add(BESIDES_HIREFLIX_MS)
        .max(AT_LEAST_MS)
}

/// What the pipeline came to: an answer, or the application to queue and how.
enum Decided {
    Answer(Decision, Option<u64>),
    Queue {
        message: QueuedInvite,
        delay_seconds: u32,
        outcome: Outcome,
        reason: Reason,
        hireflix_ms: Option<u64>,
    },
}

/// The form's pipeline; the defaults are the worker's own I/O, tests put fakes in their place.
pub struct Pipeline<
    'a,
    I = HireflixClient,
    L = LedgerClient,
    M = Kv<'a>,
    Q = Option<Queue>,
    W = LineClient,
> {
    /// Asked just before an invite would be made; one that cannot be asked leaves the
    /// application queued, nothing invited unchecked.
    pub invites: Invites<'a, I, L, M, W>,
    pub queue: &'a Q,
    pub request_id: &'a str,
    pub source: Source,
    /// The link pass this request's browser presented for the position (its cookie), if any.
    pub pass: Option<&'a str>,
    /// `LINK_GRACE_MINUTES` in milliseconds: how long after an interview is made its names
    /// alone still lead to it.
    pub grace_ms: u64,
    /// Where each outcome is counted, when the funnel is bound.
    pub funnel: Option<&'a Funnel>,
    /// Where the candidate came from, for the log line.
    pub attribution: Option<&'a Attribution>,
    /// The candidate's consent (`REQUIRE_CONSENT`), kept in their KV record and log line and
    /// carried through the queue.
    pub consent: Option<&'a Consent>,
    /// [`answer_deadline_ms`]: the whole pipeline's, past which the application is queued.
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
        log::Event::Application(log::Application {
            request_id: self.request_id,
            position_id: position.as_str(),
            candidate: Some(key.log_tag()),
            source: self.source,
            outcome: decision.outcome,
            reason: decision.reason,
            hireflix_ms,
            attempt: Some(1),
            attribution: self.attribution,
            consent: self.consent,
        })
        .emit();
        if let Some(funnel) = self.funnel {
            funnel.record_outcome(position, decision.outcome);
        }
        decision
    }

    /// [`Self::decide`] within `deadline_ms`. Past it, what the pipeline was doing is no longer
    /// awaited, and the application is queued as an unchecked retry (202; the consumer asks the
    /// line and the ledger again), as when the ledger could not be asked. What the dropped
    /// pipeline may have left is what the designed paths already handle: a reservation granted
    /// and busy is found in flight by the retry, which settles it once it is free (an interview
    /// Hireflix did make is then found, never made twice); an admission its line counted lets
    /// the retry through uncounted this hour (the line remembers the mailbox), and a place it
    /// gave is the same place again; a message it had just sent is a second message for one
    /// mailbox, which the ledger lets make one interview at most. Late or early, never twice.
    async fn decide_in_time(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        application: &Application,
        key: &CandidateKey,
    ) -> (Decision, Option<u64>) {
        let message = self.message(position, form);
        let in_time = {
            let decided = pin!(self.decide(position, application, key, &message));
            let deadline = pin!(self.invites.memory.nap(self.deadline_ms));
            match select(decided, deadline).await {
                Either::Left((decided, _)) => Some(decided),
                // Dropped here, with whatever it was waiting for.
                Either::Right(((), _)) => None,
            }
        };
        let late = || Decided::Queue {
            message,
            delay_seconds: 0,
            outcome: Outcome::Queued,
            reason: Reason::AnswerDeadline,
            hireflix_ms: None,
        };
        match in_time.unwrap_or_else(late) {
            Decided::Answer(decision, hireflix_ms) => (decision, hireflix_ms),
            // Sent from one place, for every reason it is queued: one copy of the code.
            Decided::Queue {
                message,
                delay_seconds,
                outcome,
                reason,
                hireflix_ms,
            } => {
                let queued = self.enqueue(&message, key, delay_seconds).await;
                (decision::queued(queued, outcome, reason), hireflix_ms)
            }
        }
    }

    async fn decide(
        &self,
        position: &PositionId,
        application: &Application,
        key: &CandidateKey,
        message: &QueuedInvite,
    ) -> Decided {
        let invites = &self.invites;
        let record = invites.memory.candidate(key).await;
        let names = invites.names_of(application);
        let secret = invites.secret;
        let pass_for = |url: &InterviewUrl, issued_s: u64, id: &str| {
            key.link_pass(secret, url.as_str(), issued_s, id)
        };
        let claim = Claim {
            pass: self.pass,
            pass_for: &pass_for,
            now_ms: (invites.clock)(),
            grace_ms: self.grace_ms,
        };
        let trusted = invites.inviter.trusted_hosts();
        if let Some(decision) = decision::from_record(record, &names, trusted, &claim) {
            return Decided::Answer(decision, None);
        }
        let candidate = Candidate {
            position,
            application,
            key,
            request_id: self.request_id,
            consent: self.consent,
            invite: message,
        };
        let one = std::slice::from_ref(&candidate);
        let mut batch = invites.make(one).await;
        if matches!(
            batch.made.first(),
            Some(Made::Held(Gate::Park {
                note: Note::InFlight,
                ..
            }))
        ) {
            // A double click: the same address's invite is at Hireflix. Its outcome is waited
            // for briefly and answered the same way; failing that, the ledger is asked again
            // (its line lets it through again uncounted: the mailbox went this window).
            if let Some(decision) = self.await_first(key, &names, &claim).await {
                return Decided::Answer(decision, None);
            }
            batch = invites.make(one).await;
        }
        // With the tries already made and quota refusals among them; admitted once its line
        // has counted it, so the consumer does not count it twice.
        let passed = batch.passed.first().copied().unwrap_or(false);
        let queue_as = |(attempt, quota_refusals), delay_seconds, outcome, reason| Decided::Queue {
            message: QueuedInvite {
                attempt,
                quota_refusals,
                admitted: passed,
                ..message.clone()
            },
            delay_seconds,
            outcome,
            reason,
            hireflix_ms: batch.hireflix_ms,
        };
        let made = batch.made.into_iter().next();
        let answered = match made {
            Some(Made::Asked(answered)) => answered,
            Some(Made::Held(Gate::AlreadyInvited)) => {
                return Decided::Answer(decision::same_mailbox(), None)
            }
            Some(Made::InLine {
                place,
                expected_by_ms,
            }) => {
                // Kept before the answer, so a resubmission hears it from KV: the line's
                // client may answer "paused" for the position without asking it.
                let record = Record::queued(Some((place, expected_by_ms)))
                    .with_consent(self.consent.cloned());
                invites.memory.remember(key, &record).await;
                return Decided::Answer(decision::in_line(place, expected_by_ms), None);
            }
            Some(Made::Paused { retry_after_s }) => {
                return Decided::Answer(decision::position_paused(retry_after_s), None)
            }
            Some(Made::Held(Gate::Park {
                delay_seconds,
                note,
            })) => return queue_as((0, 0), delay_seconds, Outcome::Parked, Reason::Ledger(note)),
            // No invite without a check: queued, the consumer asks the ledger again. A post is
            // made after any erasure; only clocks apart could say otherwise, and then the
            // consumer drops it as the ledger says.
            Some(
                Made::Held(Gate::Unchecked | Gate::Invite(_) | Gate::Erased) | Made::LineSilent,
            )
            | None => {
                let reason = match made {
                    Some(Made::LineSilent) => Reason::LineUnavailable,
                    _ => Reason::Ledger(Note::LedgerUnavailable),
                };
                return queue_as((0, 0), 0, Outcome::Queued, reason);
            }
        };
        match decision::from_answer(answered, &claim) {
            Ok(decision) => Decided::Answer(decision, batch.hireflix_ms),
            Err(reason) => {
                // A spent quota waits for the ledger's probe time, not held against the
                // application; any other failure is retried when the pace or Hireflix's
                // Retry-After allows, one try used unless the pace held the call back.
                let quota = reason == Transient::QuotaExceeded;
                let resume = batch.resume_at.map_or(0, |at| {
                    crate::pace::seconds_ceil(at.saturating_sub((invites.clock)()))
                });
                let delay = if quota { batch.quota_delay } else { resume };
                let tries = (u32::from(reason != Transient::Paced), u32::from(quota));
                queue_as(tries, delay, Outcome::Queued, Reason::Transient(reason))
            }
        }
    }

    /// The record the same address's call in flight leaves in KV, read every `NAP_MS` for
    /// at most `WAIT_FOR_FIRST_MS`, as this submission would have been answered from it.
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
        CandidateKey::new(secret, position, &application.email).link_pass(
            secret,
            url.as_str(),
            issued_s,
            id,
        )
    }
}
