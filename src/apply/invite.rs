//! One invite transaction, the same for the form and the queue consumer: the position's line
//! (unless it admitted the application before), the ledger, one Hireflix request for the
//! batch, the ledger's settlement, and what was made (or found to exist) kept in KV.

use super::decision::{Answered, Existing};
use super::QueuedInvite;
use crate::domain::{names_tag, Application, CandidateKey, PositionId};
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{InviteOutcome, Inviter, Permanent, Transient};
use crate::ledger::{Applicant, Gate, Ledger, Settlement};
use crate::line::rules::Admission;
use crate::line::Lines;
use crate::log::Reason;
use crate::store::{Memory, Record};

/// One application on its way to an invite, as the form has it or the queue read it.
#[derive(Debug)]
pub struct Candidate {
    pub position: PositionId,
    pub application: Application,
    pub key: CandidateKey,
    pub invite: QueuedInvite,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    /// Its line holds it (`Wait`: queued in its turn) or is full (`Paused`); never `Go`.
    Line(Admission),
    /// Its line did not answer: never invited unchecked.
    LineSilent,
    /// What the ledger said instead of a call (never [`Gate::Invite`]).
    Held(Gate),
    Asked(Answered),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Batch {
    pub made: Vec<Made>,
    /// How long Hireflix took, when it was called.
    pub hireflix_ms: Option<u64>,
    /// How long one refused for quota waits (the ledger's probe time).
    pub quota_delay: u32,
    /// Not before this (ms): the pace held the call back, or Hireflix's `Retry-After`.
    pub resume_at: Option<u64>,
    /// Whether each candidate's line has counted it (now or before): queued again as admitted.
    pub passed: Vec<bool>,
}

impl Batch {
    /// Seconds from `now_ms` to `resume_at`, 0 without one.
    pub fn resume_s(&self, now_ms: u64) -> u32 {
        let wait_ms = self.resume_at.map_or(0, |at| at.saturating_sub(now_ms));
        crate::pace::seconds_ceil(wait_ms)
    }
}

pub struct Invites<'a, I, L, M, W> {
    pub inviter: &'a I,
    pub ledger: &'a L,
    pub line: &'a W,
    pub memory: &'a M,
    /// The form's request: a new interview is kept in KV after the response.
    pub after_response: Option<&'a worker::Context>,
    /// `APP_SECRET`: keys the names tag kept with an interview.
    pub secret: &'a str,
    /// Ask again about a validation error that names no form field (the form shows it).
    pub explain: bool,
    pub clock: fn() -> u64,
}

impl<I: Inviter, L: Ledger, M: Memory, W: Lines> Invites<'_, I, L, M, W> {
    /// In the candidates' order; only those their line lets go reach the ledger.
    pub async fn make(&self, candidates: &[Candidate]) -> Batch {
        let mut turns = Vec::with_capacity(candidates.len());
        for c in candidates {
            let (position, email) = (&c.position, &c.application.email);
            let admission = match c.invite.admitted {
                true => Some(Admission::Go),
                false => self.line.admit(position, email, &c.invite).await,
            };
            turns.push(match admission {
                Some(Admission::Go) => None,
                Some(held) => Some(Made::Line(held)),
                None => Some(Made::LineSilent),
            });
        }
        let going: Vec<&Candidate> = candidates
            .iter()
            .zip(&turns)
            .filter_map(|(c, turn)| turn.is_none().then_some(c))
            .collect();
        let mut batch = self.invite(&going).await;
        batch.passed = turns.iter().map(Option::is_none).collect();
        let mut invited = std::mem::take(&mut batch.made).into_iter();
        batch.made = turns
            .into_iter()
            .map(|turn| turn.or_else(|| invited.next()))
            .map(|made| made.unwrap_or(Made::Held(Gate::Unchecked)))
            .collect();
        batch
    }

    async fn invite(&self, candidates: &[&Candidate]) -> Batch {
        if candidates.is_empty() {
            return Batch::default();
        }
        let applicants: Vec<Applicant> = candidates
            .iter()
            .map(|c| Applicant {
                position: &c.position,
                email: &c.application.email,
                request_id: &c.invite.request_id,
                applied_ms: c.invite.applied_ms,
                key: &c.key,
            })
            .collect();
        // No invite without the ledger's leave; a missing answer is no leave.
        let mut gates = self.ledger.check(&applicants).await;
        gates.resize(candidates.len(), Gate::Unchecked);
        let allowed: Vec<_> = candidates
            .iter()
            .zip(&gates)
            .filter_map(|(c, gate)| match gate {
                Gate::Invite(ticket) => Some((c, *ticket, c.key.external_id())),
                _ => None,
            })
            .collect();
        let (mut batch, mut answered) = (Batch::default(), Vec::new());
        if let Some((first, _, _)) = allowed.first() {
            let inputs: Vec<InviteInput> = allowed
                .iter()
                .map(|(c, _, external_id)| InviteInput {
                    position: &c.position,
                    application: &c.application,
                    external_id,
                })
                .collect();
            let started = (self.clock)();
            let outcomes;
            (outcomes, batch.resume_at) = self.call(&inputs).await;
            batch.hireflix_ms = Some((self.clock)().saturating_sub(started));
            // Release what was not used and record a spent quota: one call, only when needed.
            let mut settlement = Settlement::default();
            for ((_, ticket, _), outcome) in allowed.iter().zip(&outcomes) {
                settlement.record(*ticket, outcome);
            }
            let request_id = &first.invite.request_id;
            batch.quota_delay = self.ledger.settle(settlement, request_id).await;
            for ((c, _, _), outcome) in allowed.iter().zip(outcomes) {
                answered.push(self.remember(c, outcome).await);
            }
        }
        let mut answered = answered.into_iter();
        batch.made = gates
            .into_iter()
            .map(|gate| match gate {
                Gate::Invite(_) => answered
                    .next()
                    .map_or(Made::Held(Gate::Unchecked), Made::Asked),
                held => Made::Held(held),
            })
            .collect();
        batch
    }

    /// One outcome per input, and when to try again. A batch that failed as a whole with errors
    /// naming an invite (one bad invite can void all `data`) is tried one invite per call; one
    /// refused for the request's sake (throttled, down) is retried whole, later.
    async fn call(&self, inputs: &[InviteInput<'_>]) -> (Vec<InviteOutcome>, Option<u64>) {
        let malformed = InviteOutcome::Transient(Transient::Malformed);
        let (mut outcomes, resume_at) = self.inviter.invite(inputs).await;
        let named = InviteOutcome::Transient(Transient::AliasError);
        if inputs.len() > 1 && outcomes.contains(&named) && outcomes.iter().all(failed_as_a_whole) {
            outcomes.clear();
            for input in inputs {
                let (alone, _) = self.inviter.invite(std::slice::from_ref(input)).await;
                outcomes.push(alone.into_iter().next().unwrap_or(malformed.clone()));
            }
        }
        outcomes.resize(inputs.len(), malformed);
        for (outcome, input) in outcomes.iter_mut().zip(inputs) {
            if self.explain && unplaced(outcome) == Some(true) {
                let detailed = self.inviter.validation_details(*input).await;
                // Validation is not deterministic after all: the invite may go through this time.
                let made = matches!(
                    detailed,
                    InviteOutcome::Invited(_) | InviteOutcome::AlreadyExists
                );
                if made || unplaced(&detailed) == Some(false) {
                    *outcome = detailed;
                }
            }
        }
        (outcomes, resume_at)
    }

    /// A new interview is remembered; "already exists" is looked up and remembered.
    async fn remember(&self, c: &Candidate, outcome: InviteOutcome) -> Answered {
        match outcome {
            InviteOutcome::Invited(url) => {
                let who = self.names_of(&c.application);
                let record = Record::invited(&url, who, Some((self.clock)()));
                self.keep(c, record).await;
                Answered::Hireflix(InviteOutcome::Invited(url))
            }
            InviteOutcome::AlreadyExists => self.find_existing(c).await,
            other => Answered::Hireflix(other),
        }
    }

    async fn keep(&self, c: &Candidate, record: Record) {
        let record = record.with_consent(c.invite.consent.clone());
        let after = self.after_response;
        self.memory.remember_soon(&c.key, record, after).await;
    }

    /// Under the address as given, then its lower-case form.
    async fn find_existing(&self, c: &Candidate) -> Answered {
        let email = &c.application.email;
        let (given, lower) = (email.as_str(), email.dedupe_form());
        let mut spellings = vec![given];
        if lower != given {
            spellings.push(&lower);
        }
        for spelling in spellings {
            let found = match self.inviter.find_interview(&c.position, spelling).await {
                Ok(found) => found,
                // Found, but with no link we may send anyone to: the same answer as any other.
                Err(InviteOutcome::InvitedWithoutLink(problem)) => {
                    return Answered::Existing(Err(Reason::Link(problem)))
                }
                Err(failure) => return Answered::Hireflix(failure),
            };
            if let Some(found) = found {
                let theirs = names_tag(self.secret, &found.first_name, &found.last_name);
                let same_names = theirs == self.names_of(&c.application);
                self.keep(c, Record::invited(&found.url, theirs, found.created_ms))
                    .await;
                return Answered::Existing(Ok(Existing {
                    url: found.url,
                    same_names,
                    created_ms: found.created_ms,
                }));
            }
        }
        Answered::Existing(Err(Reason::NoMatchingInterview))
    }

    pub fn names_of(&self, application: &Application) -> String {
        let (first, last) = (&application.first_name, &application.last_name);
        names_tag(self.secret, first.as_str(), last.as_str())
    }
}

/// A validation error: whether it names no form field (the form cannot show it by one).
fn unplaced(outcome: &InviteOutcome) -> Option<bool> {
    match outcome {
        InviteOutcome::Permanent(Permanent::Invalid(messages)) => {
            Some(messages.iter().all(|(field, _)| field.is_none()))
        }
        _ => None,
    }
}

/// A failure of the request itself (a GraphQL error or an unreadable answer), not of one invite.
fn failed_as_a_whole(outcome: &InviteOutcome) -> bool {
    use Transient::{AliasError, Malformed, Upstream};
    matches!(
        outcome,
        InviteOutcome::Transient(Upstream | Malformed | AliasError)
    )
}
