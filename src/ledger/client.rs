//! The worker's side of the ledger. A new invite costs one call to its mailbox's bucket, and
//! one to the account only when this isolate's lease (`super::lease`) is spent. After
//! Hireflix, a `Settle` call only when there is something to tell.
use super::budget::{park_seconds, Budget};
use super::gate::{Gate, Note, Settlement};
use super::lease::{self, Lease};
use super::mailbox::{bucket, reservation, row_of, MailboxKeys};
use super::protocol::{Answer, Ask, Call, Reserved, Settled};
use super::{Applicant, Budgets, Ledger};
use crate::clock::now_ms;
use crate::config::{names, Config};
use crate::letters::Letters;
use crate::log;
use crate::objects::{self, Failure};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use worker::{Env, ObjectNamespace};

mod spread;

/// The account's single instance, which makes its counts exact.
pub(super) const ACCOUNT: &str = "account";

/// The object is local to its region: slower than this, it is in trouble, and the application
/// waits in the queue rather than hold the candidate.
const FORM_TIMEOUT_MS: u32 = 2_000;

/// The queue consumer has minutes, not a candidate waiting: a slow ledger is waited for longer.
const QUEUE_TIMEOUT_MS: u32 = 8_000;

/// An overloaded ledger is not asked again at once (the platform's advice).
const OVERLOADED_DELAY_SECONDS: u32 = 30;

/// How long an isolate keeps the account's refusal: a lifted hold or an invite given back is
/// seen within this, and the account is asked at most this often per isolate meanwhile.
const CLOSED_AT_MOST_MS: u64 = 10_000;

thread_local! {
    /// The account's last refusal that holds for every application (an account budget full,
    /// the quota held): a surge over budget asks the account a few times a second, not per post.
    static CLOSED: RefCell<Option<(u64, Answer)>> = const { RefCell::new(None) };
}

#[derive(Clone)]
pub struct LedgerClient {
    /// `None` without the binding: every invite then waits in the queue.
    namespace: Option<ObjectNamespace>,
    pub(super) secret: String,
    budgets: Budgets,
    timeout_ms: u32,
    /// How long a granted call may be at Hireflix (see `Call::Reserve`).
    flight_ms: u64,
    keep_ms: u64,
}

impl LedgerClient {
    /// For the form: its Hireflix calls take at most `HIREFLIX_TIMEOUT_MS` each.
    pub fn connect(env: &Env, config: &Config) -> LedgerClient {
        LedgerClient {
            namespace: env.durable_object(names::INVITE_LEDGER).ok(),
            secret: config.app_secret.to_string(),
            budgets: config.budgets,
            timeout_ms: FORM_TIMEOUT_MS,
            flight_ms: flight_ms(config.hireflix_timeout_ms),
            keep_ms: config.submission_ttl_seconds.saturating_mul(1_000),
        }
    }

    /// For the queue consumer, whose batch request may take `hireflix_timeout_ms`, after
    /// waiting for its pace slot once the reservation is made.
    pub fn for_queue(self, hireflix_timeout_ms: u32) -> LedgerClient {
        LedgerClient {
            timeout_ms: QUEUE_TIMEOUT_MS,
            flight_ms: flight_ms(hireflix_timeout_ms) + crate::pace::QUEUE_WAIT_MS,
            ..self
        }
    }

    /// Not generic: one copy of the exchange in the wasm, not one per answer type.
    pub(super) async fn send(&self, name: &str, call: &Call) -> Result<String, Failure> {
        let body = serde_json::to_string(call).map_err(|_| Failure::Failed)?;
        let namespace = self.namespace.as_ref().ok_or(Failure::Unbound)?;
        objects::ask(namespace, name, &body, self.timeout_ms, call.repeatable()).await
    }

    /// Decoded straight from the text, not through `objects::read`: this is every invite's path.
    async fn ask<T: DeserializeOwned>(&self, name: &str, call: &Call) -> Result<T, Failure> {
        let text = self.send(name, call).await?;
        serde_json::from_str(&text).map_err(|_| Failure::Failed)
    }

    /// One answer per ask, else the failure for each; and the lease granted with them.
    async fn answers(&self, name: &str, call: &Call, n: usize) -> (Vec<Answered>, Lease) {
        match self.ask::<Reserved>(name, call).await {
            Ok(r) if r.answers.len() == n => (r.answers.into_iter().map(Ok).collect(), r.lease),
            reply => (
                failed(reply.err().unwrap_or(Failure::Failed), n),
                Lease::default(),
            ),
        }
    }
}

/// Two Hireflix calls and a second of slack: past this a granted call is over, whatever its end.
fn flight_ms(hireflix_timeout_ms: u32) -> u64 {
    u64::from(hireflix_timeout_ms) * 2 + 1_000
}

/// `Call::HandOver`; `None`: no ledger, or no answer.
pub async fn hand_over_letters(env: &Env, taken: Vec<String>) -> Option<Letters> {
    let namespace = env.durable_object(names::INVITE_LEDGER).ok()?;
    let call = Call::HandOver { taken };
    objects::ask_as(&namespace, ACCOUNT, &call, FORM_TIMEOUT_MS)
        .await
        .ok()
}

impl Ledger for LedgerClient {
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
                    at_ms: 0,
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
    /// A release that fails leaves that invite counted: a budget's invite lost, never one over.
    async fn settle(&self, settlement: Settlement, request_id: &str) -> u32 {
        let fallback = self.budgets.quota_retry_seconds;
        if settlement.is_empty() {
            return fallback;
        }
        let (exhausted, back) = (settlement.quota_exhausted, settlement.quota_back);
        if back {
            CLOSED.with(|c| *c.borrow_mut() = None);
        }
        if exhausted {
            lease::end(now_ms());
        }
        let give_back = self.settle_buckets(settlement).await;
        if give_back.is_empty() && !exhausted && !back {
            return fallback;
        }
        let quota = Settlement {
            quota_exhausted: exhausted,
            quota_back: back,
            ..Settlement::default()
        };
        let call = self.settle_call(quota, give_back);
        let now = now_ms();
        match self.ask::<Settled>(ACCOUNT, &call).await {
            Ok(settled) => {
                let until = settled.quota_held_until_ms;
                if let (Some(until), true) = (until, settled.warn) {
                    quota_line(request_id, until);
                }
                until.map_or(fallback, |until| park_seconds(until, now))
            }
            Err(_) => {
                if exhausted {
                    quota_line(request_id, now.saturating_add(u64::from(fallback) * 1_000));
                }
                fallback
            }
        }
    }
}

/// Each budget's first "reached" of its window and the hourly quota reminder.
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

/// Until when, and as what, a refusal holds for every application; warned about once only.
fn closes(answer: &Answer) -> Option<(u64, Answer)> {
    let mut quiet = answer.clone();
    let until = match &mut quiet {
        Answer::Parked { until_ms, reached } if reached.iter().all(|r| r.budget.in_account()) => {
            reached.iter_mut().for_each(|r| r.warn = false);
            *until_ms
        }
        Answer::QuotaHeld { until_ms, warn } => {
            *warn = false;
            *until_ms
        }
        _ => return None,
    };
    Some((until, quiet))
}

type Answered = Result<Answer, Failure>;

/// A failure `n` times: built, not cloned (no clone of every answer in the wasm).
fn failed(failure: Failure, n: usize) -> Vec<Answered> {
    (0..n).map(|_| Err(failure)).collect()
}

/// Each bucket once, in order: a batch holds at most a few.
fn distinct(buckets: &[u64]) -> Vec<u64> {
    let mut once = buckets.to_vec();
    once.sort_unstable();
    once.dedup();
    once
}

pub(super) fn bucket_name(bucket: u64) -> String {
    format!("mailbox-{bucket}")
}

#[cfg(test)]
mod tests {
    use super::super::protocol::Reached;
    use super::*;

    fn reached(budget: Budget) -> Reached {
        Reached {
            budget,
            limit: 1,
            reopens_ms: 60_000,
            warn: true,
        }
    }

    #[test]
    fn only_a_refusal_for_everyone_is_remembered_and_without_its_warning() {
        let full = Answer::Parked {
            until_ms: 60_000,
            reached: vec![reached(Budget::AccountMinute), reached(Budget::AccountDay)],
        };
        let Some((until, Answer::Parked { reached: quiet, .. })) = closes(&full) else {
            panic!()
        };
        assert_eq!(until, 60_000);
        assert!(
            quiet.iter().all(|r| !r.warn),
            "one warning per window, already logged"
        );
        let held = Answer::QuotaHeld {
            until_ms: 9,
            warn: true,
        };
        assert!(matches!(
            closes(&held),
            Some((9, Answer::QuotaHeld { warn: false, .. }))
        ));
        // A mailbox's budget refuses only its own applications.
        let mailbox = Answer::Parked {
            until_ms: 60_000,
            reached: vec![reached(Budget::EmailDay), reached(Budget::AccountDay)],
        };
        assert_eq!(closes(&mailbox), None);
        assert_eq!(closes(&Answer::Resubmission), None);
    }

    #[test]
    fn a_queued_call_is_in_flight_while_it_waits_for_its_pace_slot_too() {
        let client = LedgerClient {
            namespace: None,
            secret: String::new(),
            budgets: Budgets::default(),
            timeout_ms: FORM_TIMEOUT_MS,
            flight_ms: 0,
            keep_ms: 0,
        };
        let queue = client.for_queue(4_000);
        assert!(queue.flight_ms > crate::pace::QUEUE_WAIT_MS + 2 * 4_000);
    }
}
