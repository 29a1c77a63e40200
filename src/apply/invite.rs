//! One invite transaction, the same for the form and the queue consumer: ask the position's
//! line (for an application not yet admitted), ask the ledger, call Hireflix (one candidate,
//! or a batch under aliases in one request), settle the ledger, and remember what was made
//! (`super::remember`). Generic over its I/O, so its sequencing is tested natively.

use super::decision::Answered;
use super::QueuedInvite;
use crate::domain::{Application, CandidateKey, Consent, PositionId};
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{InviteOutcome, Inviter, Permanent, Transient};
use crate::ledger::{Applicant, Gate, Ledger, Settlement};
use crate::line::rules::Admission;
use crate::line::Lines;
use crate::store::Memory;

pub struct Candidate<'a> {
    pub position: &'a PositionId,
    pub application: &'a Application,
    pub key: &'a CandidateKey,
    pub request_id: &'a str,
    /// Kept in the record written once Hireflix has the invite.
    pub consent: Option<&'a Consent>,
    /// The application as the queue carries it: what its line keeps while it waits, and
    /// whether the line has admitted it already.
    pub invite: &'a QueuedInvite,
}

/// What became of one candidate's invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    /// Waiting in its position's line, which sends it to the queue when its turn comes.
    InLine { place: u32, expected_by_ms: u64 },
    /// Its position's line is full (or too slow): nothing stored, try again then.
    Paused { retry_after_s: u32 },
    /// Its position's line did not answer: never invited unchecked, queued to ask again.
    LineSilent,
    /// No Hireflix call: what the ledger said instead (never [`Gate::Invite`]).
    Held(Gate),
    /// Hireflix's answer: a new interview remembered, an existing one looked up.
    Asked(Answered),
}

/// A batch's invites, in the candidates' order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Batch {
    pub made: Vec<Made>,
    /// How long Hireflix took, when it was called.
    pub hireflix_ms: Option<u64>,
    /// How long an application Hireflix refused for quota waits (the ledger's probe time).
    pub quota_delay: u32,
    /// Not before this (ms since the epoch): the pace held the call back, or Hireflix sent a
    /// `Retry-After`.
    pub resume_at: Option<u64>,
    /// Whether each candidate's line has counted it (now or before): if it is queued again,
    /// it goes as admitted.
    pub passed: Vec<bool>,
}

pub struct Invites<'a, I, L, M, W> {
    pub inviter: &'a I,
    pub ledger: &'a L,
    /// Each position's waiting room, asked before the ledger.
    pub line: &'a W,
    pub memory: M,
    /// `APP_SECRET`: keys the names tag kept with an interview.
    pub secret: &'a str,
    /// A validation error that names no form field is asked about once more, to show the
    /// candidate which field: the form wants it, the queue only files the error.
    pub explain: bool,
    /// Milliseconds since the epoch.
    pub clock: fn() -> u64,
}

impl<I: Inviter, L: Ledger, M: Memory, W: Lines> Invites<'_, I, L, M, W> {
    /// The line first, for those not yet admitted: only those it lets go, and those it
    /// admitted before, reach the ledger. In the candidates' order.
    pub async fn make(&self, candidates: &[Candidate<'_>]) -> Batch {
        let mut turns = Vec::with_capacity(candidates.len());
        for c in candidates {
            turns.push(if c.invite.admitted {
                None
            } else {
                let answer = self.line.admit(c.position, &c.application.email, c.invite);
                answer.await.map_or(Some(Made::LineSilent), held_by_line)
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

    async fn invite(&self, candidates: &[&Candidate<'_>]) -> Batch {
        if candidates.is_empty() {
            // All waiting or paused: no ledger call.
            return Batch::default();
        }
        let applicants: Vec<Applicant> = candidates
            .iter()
            .map(|c| Applicant {
                position: c.position,
                email: &c.application.email,
                request_id: c.request_id,
                applied_ms: c.invite.applied_ms,
                key: c.key,
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
        let (mut answered, mut hireflix_ms, mut quota_delay) = (Vec::new(), None, 0);
        let mut resume_at = None;
        if let Some((first, _, _)) = allowed.first() {
            let inputs: Vec<InviteInput> = allowed
                .iter()
                .map(|(c, _, external_id)| InviteInput {
                    position: c.position,
                    application: c.application,
                    external_id,
                })
                .collect();
            let started = (self.clock)();
            let (outcomes, resume) = self.call(&inputs).await;
            resume_at = resume;
            hireflix_ms = Some((self.clock)().saturating_sub(started));
            // Release what was not used and record a spent quota: one call, only when needed.
            let mut settlement = Settlement::default();
            for ((_, ticket, _), outcome) in allowed.iter().zip(&outcomes) {
                settlement.record(*ticket, outcome);
            }
            quota_delay = self.ledger.settle(settlement, first.request_id).await;
            for ((c, _, _), outcome) in allowed.iter().zip(outcomes) {
                answered.push(self.remember(c, outcome).await);
            }
        }
        let mut answered = answered.into_iter();
        let made = gates
            .into_iter()
            .map(|gate| match gate {
                Gate::Invite(_) => answered
                    .next()
                    .map_or(Made::Held(Gate::Unchecked), Made::Asked),
                held => Made::Held(held),
            })
            .collect();
        Batch {
            made,
            hireflix_ms,
            quota_delay,
            resume_at,
            passed: Vec::new(),
        }
    }

    /// One outcome per input, and when the held-back or throttled may try again. The whole
    /// batch goes in one request, at the pace. If it failed as a whole and the errors name an
    /// invite (one invite Hireflix cannot process can void the `data` of all), each is tried
    /// alone, so the others are not held back with it on every retry. A batch refused as a
    /// whole for the request's sake (throttled, down, an error naming no invite) is retried
    /// whole, later: splitting it would multiply the calls exactly when Hireflix asks for fewer.
    async fn call(&self, inputs: &[InviteInput<'_>]) -> (Vec<InviteOutcome>, Option<u64>) {
        let malformed = InviteOutcome::Transient(Transient::Malformed);
        let (mut outcomes, resume_at) = self.inviter.invite_paced(inputs).await;
        let named = InviteOutcome::Transient(Transient::AliasError);
        if inputs.len() > 1 && outcomes.contains(&named) && outcomes.iter().all(failed_as_a_whole) {
            outcomes.clear();
            for input in inputs {
                let alone = self.inviter.invite(std::slice::from_ref(input)).await;
                outcomes.push(alone.into_iter().next().unwrap_or(malformed.clone()));
            }
        }
        outcomes.resize(inputs.len(), malformed);
        if self.explain {
            for (outcome, input) in outcomes.iter_mut().zip(inputs) {
                if let Some(detailed) = self.validation_detail(input, outcome).await {
                    *outcome = detailed;
                }
            }
        }
        (outcomes, resume_at)
    }

    /// Whatever the second answer cannot give, the first keeps (`None`).
    async fn validation_detail(
        &self,
        input: &InviteInput<'_>,
        outcome: &InviteOutcome,
    ) -> Option<InviteOutcome> {
        let InviteOutcome::Permanent(Permanent::Invalid(messages)) = outcome else {
            return None;
        };
        if messages.iter().any(|(field, _)| field.is_some()) {
            return None;
        }
        match self.inviter.validation_details(*input).await {
            InviteOutcome::Permanent(Permanent::Invalid(detailed))
                if detailed.iter().any(|(field, _)| field.is_some()) =>
            {
                Some(InviteOutcome::Permanent(Permanent::Invalid(detailed)))
            }
            // Validation is not deterministic after all: the invite went through this time.
            made @ (InviteOutcome::Invited(_) | InviteOutcome::AlreadyExists) => Some(made),
            _ => None,
        }
    }
}

/// What the line's answer makes of an application not yet admitted; `None`: on to the ledger.
fn held_by_line(answer: Admission) -> Option<Made> {
    match answer {
        Admission::Go => None,
        Admission::Wait {
            place,
            expected_by_ms,
        } => Some(Made::InLine {
            place,
            expected_by_ms,
        }),
        Admission::Paused { retry_after_s } => Some(Made::Paused { retry_after_s }),
    }
}

/// A failure of the request itself (a GraphQL error or an unreadable answer), not of one invite.
fn failed_as_a_whole(outcome: &InviteOutcome) -> bool {
    matches!(
        outcome,
        InviteOutcome::Transient(
            Transient::Upstream | Transient::Malformed | Transient::AliasError
        )
    )
}
