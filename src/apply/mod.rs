//! One application, from a valid form to a decision: the same pipeline for the HTML form, the
//! JSON API, and (through `settle`) the retry queue. The rules live in `decision`; this file
//! only does the I/O they call for.

mod decision;
pub mod positions;

pub use decision::{Decision, Verdict};

use crate::domain::{names_tag, Application, ApplicationForm, Attribution, CandidateKey};
use crate::domain::{Consent, PositionId};
use crate::funnel::Funnel;
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{HireflixClient, InterviewUrl, InviteOutcome, Permanent, Transient};
use crate::ledger::{Aftermath, Applicant, Gate, Ledger, Note};
use crate::log::{now_ms, ApplicationLog, Outcome, Reason, Source};
use crate::queue::QueuedInvite;
use crate::store::{Record, Store};
use decision::{Answered, Asker, Existing, Next};
use worker::{MessageBuilder, Queue};

pub struct Pipeline<'a> {
    pub client: &'a HireflixClient,
    pub store: &'a Store,
    pub queue: Option<&'a Queue>,
    pub request_id: &'a str,
    pub source: Source,
    /// `APP_SECRET`: keys the candidate's key, names tag and link pass.
    pub secret: &'a str,
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
        let ledger = Ledger::installed();
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
            (Gate::AlreadyInvited, _) => return (same_mailbox(), None),
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
                return (parked(queued, note), None);
            }
            // No invite without a check: queued, the consumer asks the ledger again.
            (Gate::Unchecked | Gate::Invite(_), _) => {
                let queued = self.enqueue(position, form, key, Wait::unchecked()).await;
                return (unchecked(queued), None);
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

    /// For the queue: remembers a new interview in KV, and turns "already exists" into the
    /// existing interview where Hireflix finds one made for the same names (nobody is shown a
    /// link from the queue; Hireflix emails it).
    pub async fn settle(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
        outcome: InviteOutcome,
    ) -> InviteOutcome {
        match outcome {
            InviteOutcome::Invited(url) => {
                self.remember_new(key, input, &url).await;
                InviteOutcome::Invited(url)
            }
            InviteOutcome::AlreadyExists => match self.find_existing(key, input).await {
                Ok(Some(existing)) if existing.same_names => InviteOutcome::Invited(existing.url),
                Ok(_) => InviteOutcome::AlreadyExists,
                Err(failure) => failure,
            },
            other => other,
        }
    }

    /// For the candidate at the form: the same, keeping what the link rules need to know of an
    /// interview that already existed.
    async fn settle_for_candidate(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
        outcome: InviteOutcome,
    ) -> Answered {
        match outcome {
            InviteOutcome::Invited(url) => {
                self.remember_new(key, input, &url).await;
                Answered::Hireflix(InviteOutcome::Invited(url))
            }
            InviteOutcome::AlreadyExists => match self.find_existing(key, input).await {
                Ok(Some(existing)) => Answered::Existing(Ok(existing)),
                Ok(None) => Answered::Existing(Err(Reason::NoMatchingInterview)),
                // Found, but with no link we may send anyone to: the same answer as any other.
                Err(InviteOutcome::InvitedWithoutLink(problem)) => {
                    Answered::Existing(Err(Reason::Link(problem)))
                }
                Err(failure) => Answered::Hireflix(failure),
            },
            other => Answered::Hireflix(other),
        }
    }

    /// An interview this very call made: its time is now.
    async fn remember_new(&self, key: &CandidateKey, input: &InviteInput<'_>, url: &InterviewUrl) {
        let who = self.names_of(input.application);
        self.remember(key, Record::invited(url, who, Some(now_ms())))
            .await;
    }

    /// The link pass a browser is given with this candidate's interview link.
    pub fn link_pass(
        &self,
        position: &PositionId,
        application: &Application,
        url: &InterviewUrl,
    ) -> String {
        CandidateKey::new(self.secret, position, &application.email)
            .link_pass(self.secret, url.as_str())
    }

    /// Losing this write costs one more Hireflix call next time, never a second interview.
    async fn remember(&self, key: &CandidateKey, record: Record) {
        let record = record.with_consent(self.consent.cloned());
        match self.background {
            Some(ctx) => {
                let (store, key) = (self.store.clone(), key.clone());
                ctx.wait_until(async move {
                    store.remember(&key, &record).await;
                });
            }
            None => {
                self.store.remember(key, &record).await;
            }
        }
    }

    /// The existing interview of this email, remembered in KV: `None` when Hireflix finds none,
    /// `Err` when the look-up failed or found no link we may use.
    async fn find_existing(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
    ) -> Result<Option<Existing>, InviteOutcome> {
        let email = &input.application.email;
        let mut spellings = vec![email.as_str().to_string()];
        if email.dedupe_form() != email.as_str() {
            spellings.push(email.dedupe_form());
        }
        for spelling in spellings {
            if let Some(found) = self
                .client
                .find_interview(input.position, &spelling)
                .await?
            {
                let theirs = names_tag(self.secret, &found.first_name, &found.last_name);
                let same_names = theirs == self.names_of(input.application);
                let record = Record::invited(&found.url, theirs, found.created_ms);
                self.remember(key, record).await;
                return Ok(Some(Existing {
                    url: found.url,
                    same_names,
                    created_ms: found.created_ms,
                }));
            }
        }
        Ok(None)
    }

    async fn enqueue(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        key: &CandidateKey,
        wait: Wait,
    ) -> bool {
        let Some(queue) = self.queue else {
            return false;
        };
        let message = QueuedInvite::new(position, form, wait.attempt, self.request_id)
            .with_quota_refusals(wait.quota_refusals)
            .with_consent(self.consent.cloned());
        let sent = if wait.delay_seconds == 0 {
            queue.send(&message).await
        } else {
            let delayed = MessageBuilder::new(message)
                .delay_seconds(wait.delay_seconds)
                .build();
            queue.send(delayed).await
        };
        if sent.is_err() {
            return false;
        }
        // Remembered so a resubmission while queued gets the same answer and is not queued twice.
        let record = Record::queued().with_consent(self.consent.cloned());
        self.store.remember(key, &record).await;
        true
    }

    fn names_of(&self, application: &Application) -> String {
        names_tag(
            self.secret,
            application.first_name.as_str(),
            application.last_name.as_str(),
        )
    }
}

/// How an application enters the queue.
struct Wait {
    /// Tries already made (the candidate's own Hireflix call, if any).
    attempt: u32,
    quota_refusals: u32,
    delay_seconds: u32,
}

impl Wait {
    /// Over a budget or while the quota is spent: no call made, back when the window reopens.
    fn parked(delay_seconds: u32) -> Wait {
        Wait {
            attempt: 0,
            quota_refusals: 0,
            delay_seconds,
        }
    }

    fn unchecked() -> Wait {
        Wait {
            attempt: 0,
            quota_refusals: 0,
            delay_seconds: 0,
        }
    }
}

/// Another spelling of this mailbox has the position's interview: the ordinary "already
/// invited, check your email" answer; the link goes only to the address it was made for.
fn same_mailbox() -> Verdict {
    Verdict {
        decision: Decision::InvitedByEmail,
        outcome: Outcome::AlreadyInvited,
        reason: Some(Reason::Ledger(Note::SameMailbox)),
    }
}

/// Parked: the candidate hears the ordinary "queued"; only the log says why.
fn parked(queued: bool, note: Note) -> Verdict {
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

fn unchecked(queued: bool) -> Verdict {
    Verdict {
        outcome: if queued {
            Outcome::Queued
        } else {
            Outcome::LostQueueUnavailable
        },
        ..parked(queued, Note::LedgerUnavailable)
    }
}
