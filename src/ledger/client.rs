//! The worker's side of the ledger: before Hireflix is asked, the calls `super::spread` sends
//! to the mailbox's bucket and the account; afterwards a `Settle` call only when there is
//! something to tell (a release, an ambiguous end, the quota). An operator's erasure of one
//! mailbox is `super::erasure`.

use super::gate::{Gate, Note, Settlement};
use super::mailbox::MailboxKeys;
use super::protocol::{Answer, Ask, Call, Settled};
use super::{Applicant, Budgets, Ledger};
use crate::clock::now_ms;
use crate::config::{names, Config};
use crate::letters::Letters;
use crate::log;
use crate::objects::{self, Failure};
use serde::de::DeserializeOwned;
use worker::{Env, ObjectNamespace};

/// The account's instance: its budgets and the quota hold. A single instance
/// is what makes the account's counts exact; it is asked for leases of invites (`lease`), not
/// per post.
pub(super) const ACCOUNT: &str = "account";

/// The instance that kept the dead letters before they had their own object.
const LETTERS_INSTANCE: &str = "account";

/// The object is local to its region: slower than this, it is in trouble, and the application
/// waits in the queue rather than hold the candidate (no invite is made unchecked). The form's
/// whole answer so stays within a few seconds: at most two ledger calls, the Hireflix call and
/// KV.
const FORM_TIMEOUT_MS: u32 = 2_000;

/// The queue consumer has minutes, not a candidate waiting: a slow ledger is waited for longer
/// there, so an application the form queued for a slow ledger is invited by the consumer.
const QUEUE_TIMEOUT_MS: u32 = 8_000;

/// An overloaded ledger is not asked again at once (the platform's advice): the application
/// waits this long in the queue.
const OVERLOADED_DELAY_SECONDS: u32 = 30;

/// A ledger without its binding answers nothing: every invite then waits in the queue.
#[derive(Clone)]
pub(super) struct Object(Option<ObjectNamespace>);

impl Object {
    fn connect(env: &Env) -> Object {
        Object(env.durable_object(names::INVITE_LEDGER).ok())
    }

    pub(super) async fn ask<T: DeserializeOwned>(
        &self,
        name: &str,
        call: &Call,
        ms: u32,
    ) -> Result<T, Failure> {
        let text = self.send(name, call, ms).await?;
        serde_json::from_str(&text).map_err(|_| Failure::Failed)
    }

    /// Not generic, so the wasm holds one copy of the exchange, not one per answer type.
    pub(super) async fn send(
        &self,
        name: &str,
        call: &Call,
        timeout_ms: u32,
    ) -> Result<String, Failure> {
        let body = serde_json::to_string(call).map_err(|_| Failure::Failed)?;
        let namespace = self.0.as_ref().ok_or(Failure::Unbound)?;
        objects::ask(namespace, name, &body, timeout_ms).await
    }
}

#[derive(Clone)]
pub struct LedgerClient {
    pub(super) object: Object,
    pub(super) secret: String,
    pub(super) budgets: Budgets,
    pub(super) timeout_ms: u32,
    /// How long a granted call may be at Hireflix (see `Call::Reserve`).
    pub(super) flight_ms: u64,
    pub(super) keep_ms: u64,
}

impl LedgerClient {
    /// For the form, whose Hireflix calls take at most `HIREFLIX_TIMEOUT_MS`: the invite, and
    /// the look-up or the validation detail that may follow it.
    pub fn connect(env: &Env, config: &Config) -> LedgerClient {
        LedgerClient {
            object: Object::connect(env),
            secret: config.app_secret.to_string(),
            budgets: config.budgets,
            timeout_ms: FORM_TIMEOUT_MS,
            flight_ms: flight_ms(config.hireflix_timeout_ms),
            keep_ms: config.submission_ttl_seconds.saturating_mul(1_000),
        }
    }

    /// For the queue consumer, whose batch request may take `hireflix_timeout_ms`.
    pub fn for_queue(self, hireflix_timeout_ms: u32) -> LedgerClient {
        LedgerClient {
            timeout_ms: QUEUE_TIMEOUT_MS,
            flight_ms: flight_ms(hireflix_timeout_ms),
            ..self
        }
    }
}

/// Two Hireflix calls and a second of slack: past this a granted call is over, whatever its end.
fn flight_ms(hireflix_timeout_ms: u32) -> u64 {
    u64::from(hireflix_timeout_ms) * 2 + 1_000
}

/// The dead letters the ledger kept before they had their own object, for that object to take
/// over (see `Call::HandOver`); `None`: no ledger, or no answer.
pub async fn hand_over_letters(env: &Env, taken: Vec<String>) -> Option<Letters> {
    let call = Call::HandOver { taken };
    let object = Object::connect(env);
    object
        .ask(LETTERS_INSTANCE, &call, FORM_TIMEOUT_MS)
        .await
        .ok()
}

impl Ledger for LedgerClient {
    /// A bucket call per bucket asked (one for the form) and an account call for the new
    /// invites. Logs each budget's first "reached" of its window and the hourly quota reminder.
    async fn check(&self, applicants: &[Applicant<'_>]) -> Vec<Gate> {
        let asks: Vec<Ask> = applicants
            .iter()
            .map(|a| {
                let keys = MailboxKeys::new(&self.secret, a.email);
                Ask {
                    mailbox: keys.mailbox,
                    spelling: keys.spelling,
                    position: a.position.as_str().to_string(),
                    applied_ms: a.applied_ms,
                    record: a.key.digest().to_string(),
                }
            })
            .collect();
        let mut answers = self.reserve(&asks).await;
        self.take(&asks, &mut answers).await;
        let now = now_ms();
        applicants
            .iter()
            .zip(&answers)
            .map(|(applicant, answer)| match answer {
                Ok(answer) => {
                    warn_about(answer, applicant);
                    Gate::from_answer(answer, now)
                }
                Err(Failure::Overloaded) => Gate::Park {
                    delay_seconds: OVERLOADED_DELAY_SECONDS,
                    note: Note::LedgerOverloaded,
                },
                Err(_) => Gate::Unchecked,
            })
            .collect()
    }

    /// Until the ledger's probe time, or the configured time if the ledger could not be told.
    /// A release that fails leaves that invite counted: the error costs an invite of budget,
    /// never an invite over it.
    async fn settle(&self, settlement: Settlement, request_id: &str) -> u32 {
        let fallback = self.budgets.quota_retry_seconds;
        if settlement.is_empty() {
            return fallback;
        }
        let (exhausted, back) = (settlement.quota_exhausted, settlement.quota_back);
        if back {
            super::spread::reopen();
        }
        if exhausted {
            super::lease::end(now_ms());
        }
        let give_back = self.settle_buckets(settlement).await;
        if give_back.is_empty() && !exhausted && !back {
            return fallback;
        }
        let call = self.settle_call(
            Vec::new(),
            Vec::new(),
            Vec::new(),
            give_back,
            exhausted,
            back,
        );
        let now = now_ms();
        match self
            .object
            .ask::<Settled>(ACCOUNT, &call, self.timeout_ms)
            .await
            .ok()
        {
            Some(settled) => {
                let until = settled.quota_held_until_ms;
                if let (Some(until), true) = (until, settled.warn) {
                    quota_line(request_id, until);
                }
                until.map_or(fallback, |until| super::budget::park_seconds(until, now))
            }
            None => {
                if exhausted {
                    quota_line(request_id, now.saturating_add(u64::from(fallback) * 1_000));
                }
                fallback
            }
        }
    }
}

/// Once per budget and window, and at most hourly for the quota; ids and numbers only, never
/// the mailbox.
fn warn_about(answer: &Answer, applicant: &Applicant<'_>) {
    match answer {
        Answer::Parked { reached, .. } => {
            for r in reached.iter().filter(|r| r.warn) {
                log::Event::BudgetReached {
                    request_id: applicant.request_id,
                    position_id: applicant.position.as_str(),
                    budget: r.budget.as_str(),
                    limit: r.limit,
                    reopens_at_ms: r.reopens_ms,
                }
                .emit();
            }
        }
        Answer::QuotaHeld {
            until_ms,
            warn: true,
        } => quota_line(applicant.request_id, *until_ms),
        _ => {}
    }
}

fn quota_line(request_id: &str, retry_at_ms: u64) {
    log::Event::QuotaExhausted {
        request_id,
        retry_at_ms,
    }
    .emit();
}
