//! One application, from a valid form to a decision: the same pipeline for the HTML form, the
//! JSON API, and (through `settle`) the retry queue. The rules live in `decision`; this file
//! only does the I/O they call for.

mod decision;
mod enqueue;
mod memory;
pub mod positions;

pub use decision::{Decision, Verdict};

use crate::domain::{names_tag, Application, ApplicationForm, Attribution, CandidateKey};
use crate::domain::{Consent, PositionId};
use crate::funnel::Funnel;
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{HireflixClient, InterviewUrl, InviteOutcome, Permanent, Transient};
use crate::ledger::{Aftermath, Applicant, Budgets, Gate, Ledger};
use crate::log::{now_ms, ApplicationLog, Source};
use crate::store::Store;
use decision::{Asker, Next};
use enqueue::Wait;
use worker::Queue;

pub struct Pipeline<'a> {
    pub client: &'a HireflixClient,
    pub store: &'a Store,
    pub queue: Option<&'a Queue>,
    pub request_id: &'a str,
    pub source: Source,
    /// `APP_SECRET`: keys the candidate's key, names tag and link pass.
    pub secret: &'a str,
    /// The invite ledger's budgets, from the configuration the caller parsed.
    pub budgets: Budgets,
    /// The link pass this request's browser presented for the position (its cookie), if any.
    pub pass: Option<&'a str>,
    /// `LINK_GRACE_MINUTES` in milliseconds: how long after an interview is made its names
    /// alone still lead to it.
    pub grace_ms: u64,
    /// When set, an interview link is written to KV after the response instead of before:
    /// the candidate is not kept waiting on a KV write (slow at the edge), and Hireflix's own
    /// uniqueness covers a resubmission that arrives before the write lands.
    pub background: Option<&'a worker::Context>,
    /// Where each outcome is counted; `None` where the caller counts itself.
    pub funnel: Option<&'a Funnel>,
    /// Where the candidate came from, for the log line.
    pub attribution: Option<&'a Attribution>,
    /// The candidate's consent (`REQUIRE_CONSENT`), kept in their KV record and log line and
    /// carried through the queue.
    pub consent: Option<&'a Consent>,
}

impl Pipeline<'_> {
    pub async fn submit(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        application: &Application,
    ) -> Decision {
        let key = CandidateKey::new(self.secret, position, &application.email);
        let (verdict, hireflix_ms) = self.decide(position, form, application, &key).await;
        ApplicationLog {
            event: "application",
            request_id: self.request_id,
            position_id: position.as_str(),
            candidate: key.log_tag(),
            source: self.source,
            outcome: verdict.outcome,
            reason: verdict.reason,
            hireflix_ms,
            attempt: 1,
            attribution: self.attribution,
            consent: self.consent,
        }
        .emit();
        if let Some(funnel) = self.funnel {
            funnel.record_outcome(position, verdict.outcome);
        }
        verdict.decision
    }

    async fn decide(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        application: &Application,
        key: &CandidateKey,
    ) -> (Verdict, Option<u64>) {
        let record = self.store.candidate(key).await;
        let names = self.names_of(application);
        let pass_for = |url: &InterviewUrl| key.link_pass(self.secret, url.as_str());
        let asker = Asker {
            pass: self.pass,
            pass_for: &pass_for,
            now_ms: now_ms(),
            grace_ms: self.grace_ms,
        };
        let trusted = self.client.trusted_hosts();
        if let Some(verdict) = decision::from_record(record, &names, trusted, &asker) {
            return (verdict, None);
        }
        // The invite ledger is asked here only, just before an invite would be made.
        let ledger = Ledger::installed(self.secret, self.budgets);
        let gate = match &ledger {
            Some(ledger) => {
                let applicant = Applicant {
                    position,
                    email: &application.email,
                    request_id: self.request_id,
                };
                let gates = ledger.check(std::slice::from_ref(&applicant)).await;
                gates.into_iter().next().unwrap_or(Gate::Unchecked)
            }
            None => Gate::Unchecked,
        };
        let (ticket, ledger) = match (gate, ledger) {
            (Gate::Invite(ticket), Some(ledger)) => (ticket, ledger),
            (Gate::AlreadyInvited, _) => return (decision::same_mailbox(), None),
            (
                Gate::Park {
                    delay_seconds,
                    note,
                },
                _,
            ) => {
                let queued = self
                    .enqueue(position, form, key, Wait::parked(delay_seconds))
                    .await;
                return (decision::parked(queued, note), None);
            }
            // No invite without a check: queued, the consumer asks the ledger again.
            (Gate::Unchecked | Gate::Invite(_), _) => {
                let queued = self.enqueue(position, form, key, Wait::unchecked()).await;
                return (decision::unchecked(queued), None);
            }
        };
        let external_id = key.external_id();
        let input = InviteInput {
            position,
            application,
            external_id: &external_id,
        };
        let started = now_ms();
        let outcome = self.invite_one(&input).await;
        let outcome = self.with_validation_detail(&input, outcome).await;
        let hireflix_ms = Some(now_ms().saturating_sub(started));
        let mut after = Aftermath::default();
        after.record(ticket, &outcome);
        let quota_delay = ledger.settle(after, self.request_id).await;
        let answered = self.settle_for_candidate(key, &input, outcome).await;
        let verdict = match decision::from_answer(answered, &asker) {
            Next::Answer(verdict) => verdict,
            Next::Enqueue(reason) => {
                let wait = match reason {
                    // Not before the ledger's probe time, and not held against the application.
                    Transient::QuotaExceeded => Wait {
                        attempt: 1,
                        quota_refusals: 1,
                        delay_seconds: quota_delay,
                    },
                    _ => Wait {
                        attempt: 1,
                        quota_refusals: 0,
                        delay_seconds: 0,
                    },
                };
                decision::after_enqueue(self.enqueue(position, form, key, wait).await, reason)
            }
        };
        (verdict, hireflix_ms)
    }

    async fn invite_one(&self, input: &InviteInput<'_>) -> InviteOutcome {
        let outcome = self.client.invite(std::slice::from_ref(input)).await;
        outcome
            .into_iter()
            .next()
            .unwrap_or(InviteOutcome::Transient(Transient::Malformed))
    }

    /// A validation error that names no form field is asked about once more, with the detail
    /// the invite document leaves out; whatever that second answer cannot give, the first keeps.
    async fn with_validation_detail(
        &self,
        input: &InviteInput<'_>,
        outcome: InviteOutcome,
    ) -> InviteOutcome {
        let InviteOutcome::Permanent(Permanent::Invalid(messages)) = &outcome else {
            return outcome;
        };
        if messages.iter().any(|(field, _)| field.is_some()) {
            return outcome;
        }
        match self.client.validation_details(*input).await {
            InviteOutcome::Permanent(Permanent::Invalid(detailed))
                if detailed.iter().any(|(field, _)| field.is_some()) =>
            {
                InviteOutcome::Permanent(Permanent::Invalid(detailed))
            }
            // Validation is not deterministic after all: the invite went through this time.
            made @ (InviteOutcome::Invited(_) | InviteOutcome::AlreadyExists) => made,
            _ => outcome,
        }
    }

    fn names_of(&self, application: &Application) -> String {
        names_tag(
            self.secret,
            application.first_name.as_str(),
            application.last_name.as_str(),
        )
    }
}
