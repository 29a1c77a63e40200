//! The worker's side of the ledger: one `Reserve` call before Hireflix is asked, and a
//! `Settle` call afterwards only when there is something to tell (a release, the quota).

use super::gate::{Aftermath, Gate};
use super::mailbox::MailboxKeys;
use super::protocol::{Answer, Ask, Call, Reserve, Reserved, Settle, Settled};
use super::Budgets;
use crate::config::{names, Config};
use crate::domain::{Email, PositionId};
use crate::log::now_ms;
use js_sys::Promise;
use serde_json::json;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};
use worker::{Env, ObjectNamespace};

#[wasm_bindgen]
extern "C" {
    /// The object's stub as the runtime gives it: `fetch(url, init)` spares building a
    /// `Request` object, and the reply is read with one `text()` promise, not a stream reader.
    type LedgerStub;

    #[wasm_bindgen(method, catch, js_name = fetch)]
    fn fetch_with_init(
        this: &LedgerStub,
        url: &str,
        init: &RequestInit,
    ) -> Result<Promise, JsValue>;
}

/// One object for the whole account: at this scale one instance keeps up easily, and a single
/// instance is what makes the counts exact.
pub(super) const OBJECT_NAME: &str = "account";

pub struct Ledger {
    namespace: ObjectNamespace,
    secret: String,
    budgets: Budgets,
}

/// One application at the gate.
pub struct Applicant<'a> {
    pub position: &'a PositionId,
    pub email: &'a Email,
    pub request_id: &'a str,
}

struct Unreachable;

impl Ledger {
    /// `None` when the binding is missing: every caller then treats the ledger as unreachable.
    pub fn connect(env: &Env, config: &Config) -> Option<Ledger> {
        let namespace = env.durable_object(names::INVITE_LEDGER).ok()?;
        Some(Ledger {
            namespace,
            secret: config.app_secret.clone(),
            budgets: config.budgets,
        })
    }

    /// One gate per applicant, in order, from a single call. Logs each budget's first
    /// "reached" of its window and the hourly quota reminder.
    pub async fn check(&self, applicants: &[Applicant<'_>]) -> Vec<Gate> {
        let unchecked = vec![Gate::Unchecked; applicants.len()];
        let asks: Option<Vec<Ask>> = applicants
            .iter()
            .map(|a| {
                MailboxKeys::new(&self.secret, a.email).map(|keys| Ask {
                    mailbox: keys.mailbox,
                    spelling: keys.spelling,
                    position: a.position.as_str().to_string(),
                })
            })
            .collect();
        let Some(asks) = asks else {
            return unchecked;
        };
        let call = Call::Reserve(Reserve {
            asks,
            limits: self.budgets.limits,
            windows: self.budgets.windows,
        });
        let answers = match self.call(&call, Reserved::from_json).await {
            Ok(reserved) if reserved.answers.len() == applicants.len() => reserved.answers,
            _ => return unchecked,
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

    /// Tells the ledger what the Hireflix calls made of their tickets. Returns how long an
    /// application refused for quota waits: until the ledger's probe time, or the configured
    /// time if the ledger could not be told. A release that fails leaves that invite counted:
    /// the error costs an invite of budget, never an invite over it.
    pub async fn settle(&self, after: Aftermath, request_id: &str) -> u32 {
        let fallback = self.budgets.quota_retry_seconds;
        if after.is_empty() {
            return fallback;
        }
        let exhausted = after.quota_exhausted;
        let call = Call::Settle(Settle {
            release: after.release,
            quota_exhausted: after.quota_exhausted,
            quota_back: after.quota_back,
            windows: self.budgets.windows,
            quota_retry_seconds: fallback,
        });
        let now = now_ms();
        match self.call(&call, Settled::from_json).await {
            Ok(settled) => {
                let until = settled.quota_held_until_ms;
                if let (Some(until), true) = (until, settled.warn) {
                    quota_line(request_id, until);
                }
                until.map_or(fallback, |until| super::budget::park_seconds(until, now))
            }
            Err(Unreachable) => {
                if exhausted {
                    quota_line(request_id, now.saturating_add(u64::from(fallback) * 1_000));
                }
                fallback
            }
        }
    }

    async fn call<T>(&self, call: &Call, decode: fn(&str) -> Option<T>) -> Result<T, Unreachable> {
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&call.to_json()));
        // The object's own address space: the host is never resolved.
        // A stub per call: the namespace outlives requests, a stub belongs to one.
        let stub = self
            .namespace
            .id_from_name(OBJECT_NAME)
            .and_then(|id| id.get_stub())
            .map_err(|_| Unreachable)?
            .into_rpc::<LedgerStub>();
        let sent = stub
            .fetch_with_init("https://invite-ledger/", &init)
            .map_err(|_| Unreachable)?;
        let response: Response = JsFuture::from(sent)
            .await
            .map_err(|_| Unreachable)?
            .dyn_into()
            .map_err(|_| Unreachable)?;
        if response.status() != 200 {
            return Err(Unreachable);
        }
        let text = response.text().map_err(|_| Unreachable)?;
        let text = JsFuture::from(text)
            .await
            .map_err(|_| Unreachable)?
            .as_string()
            .ok_or(Unreachable)?;
        decode(&text).ok_or(Unreachable)
    }
}

fn warn_about(answer: &Answer, applicant: &Applicant<'_>) {
    match answer {
        Answer::Parked { reached, .. } => {
            for r in reached.iter().filter(|r| r.warn) {
                // Once per budget and window; ids and numbers only, never the mailbox.
                emit(json!({
                    "event": "budget_reached",
                    "level": "warn",
                    "request_id": applicant.request_id,
                    "position_id": applicant.position.as_str(),
                    "budget": r.budget.as_str(),
                    "limit": r.limit,
                    "reopens_at_ms": r.reopens_ms,
                }));
            }
        }
        Answer::QuotaHeld {
            until_ms,
            warn: true,
        } => quota_line(applicant.request_id, *until_ms),
        _ => {}
    }
}

/// At most once an hour while the quota is spent.
fn quota_line(request_id: &str, retry_at_ms: u64) {
    emit(json!({
        "event": "quota_exhausted",
        "level": "warn",
        "request_id": request_id,
        "retry_at_ms": retry_at_ms,
    }));
}

fn emit(line: serde_json::Value) {
    worker::console_warn!("{line}");
}
