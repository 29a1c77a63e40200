//! The worker's side of the ledger object: one `Reserve` call before Hireflix is asked, a
//! `Settle` call afterwards only when there is something to tell (a release, the quota), and
//! an operator's erasure of one mailbox.

use super::gate::{Aftermath, Gate};
use super::mailbox::MailboxKeys;
use super::protocol::{Answer, Ask, Call, Reserved, Settled};
use super::{Applicant, Budgets, Ledger};
use crate::clock::now_ms;
use crate::config::{names, Config};
use crate::domain::Email;
use crate::letters::Letters;
use crate::log;
use crate::objects;
use serde::de::DeserializeOwned;
use worker::{Env, ObjectNamespace};

/// One object for the whole account: at this scale one instance keeps up easily, and a single
/// instance is what makes the counts exact.
const OBJECT_NAME: &str = "account";

/// The instance that holds a mailbox's rows (HMAC), for erasing them.
fn mailbox_instance(_mailbox: &str) -> &'static str {
    OBJECT_NAME
}

/// The instance that kept the dead letters before they had their own object.
const LETTERS_INSTANCE: &str = "account";

/// The object's own address space: the host is never resolved.
const URL: &str = "https://invite-ledger/";

/// The object is local to its region: slower than this, it is in trouble, and the application
/// waits in the queue rather than hold the candidate (no invite is made unchecked).
const TIMEOUT_MS: u32 = 2_000;

/// A ledger without its binding answers nothing: every invite then waits in the queue.
#[derive(Clone)]
struct Object(Option<ObjectNamespace>);

impl Object {
    fn connect(env: &Env) -> Object {
        Object(env.durable_object(names::INVITE_LEDGER).ok())
    }

    /// `None` when the object could not be asked or its answer not read.
    async fn call<T: DeserializeOwned>(&self, call: &Call) -> Option<T> {
        self.call_at(OBJECT_NAME, call).await
    }

    async fn call_at<T: DeserializeOwned>(&self, instance: &str, call: &Call) -> Option<T> {
        serde_json::from_str(&self.send(instance, call).await?).ok()
    }

    /// Not generic, so the wasm holds one copy of the exchange, not one per answer type.
    async fn send(&self, instance: &str, call: &Call) -> Option<String> {
        let body = serde_json::to_string(call).ok()?;
        let namespace = self.0.as_ref()?;
        objects::ask(namespace, instance, URL, &body, TIMEOUT_MS)
            .await
            .ok()
    }
}

pub struct LedgerClient {
    object: Object,
    secret: String,
    budgets: Budgets,
}

impl LedgerClient {
    pub fn connect(env: &Env, config: &Config) -> LedgerClient {
        LedgerClient {
            object: Object::connect(env),
            secret: config.app_secret.to_string(),
            budgets: config.budgets,
        }
    }
}

impl LedgerClient {
    /// Erases one candidate's rows on their request: every spelling of their mailbox, every
    /// position. How many went; `None` when the ledger did not answer.
    pub async fn forget(&self, email: &Email) -> Option<u32> {
        let mailbox = MailboxKeys::new(&self.secret, email).mailbox;
        let instance = mailbox_instance(&mailbox);
        self.object
            .call_at(instance, &Call::Forget { mailbox })
            .await
    }
}

/// The dead letters the ledger kept before they had their own object, for that object to take
/// over (see `Call::HandOver`); `None`: no ledger, or no answer.
pub async fn hand_over_letters(env: &Env, taken: Vec<String>) -> Option<Letters> {
    let call = Call::HandOver { taken };
    Object::connect(env).call_at(LETTERS_INSTANCE, &call).await
}

impl Ledger for LedgerClient {
    /// From a single call. Logs each budget's first "reached" of its window and the hourly
    /// quota reminder.
    async fn check(&self, applicants: &[Applicant<'_>]) -> Vec<Gate> {
        let asks = applicants.iter().map(|a| {
            let keys = MailboxKeys::new(&self.secret, a.email);
            let position = a.position.as_str().to_string();
            Ask {
                mailbox: keys.mailbox,
                spelling: keys.spelling,
                position,
            }
        });
        let call = Call::Reserve {
            asks: asks.collect(),
            limits: self.budgets.limits,
            windows: self.budgets.windows,
        };
        let answers = match self.object.call::<Reserved>(&call).await {
            Some(reserved) if reserved.answers.len() == applicants.len() => reserved.answers,
            _ => return vec![Gate::Unchecked; applicants.len()],
        };
        let now = now_ms();
        applicants
            .iter()
            .zip(&answers)
            .map(|(applicant, answer)| {
                warn_about(answer, applicant);
                Gate::from_answer(answer, now)
            })
            .collect()
    }

    /// Until the ledger's probe time, or the configured time if the ledger could not be told.
    /// A release that fails leaves that invite counted: the error costs an invite of budget,
    /// never an invite over it.
    async fn settle(&self, after: Aftermath, request_id: &str) -> u32 {
        let fallback = self.budgets.quota_retry_seconds;
        if after.is_empty() {
            return fallback;
        }
        let exhausted = after.quota_exhausted;
        let call = Call::Settle {
            release: after.release,
            quota_exhausted: after.quota_exhausted,
            quota_back: after.quota_back,
            windows: self.budgets.windows,
            quota_retry_seconds: fallback,
        };
        let now = now_ms();
        match self.object.call::<Settled>(&call).await {
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
