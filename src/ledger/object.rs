//! The `InviteLedger` Durable Object, SQLite-backed: the dispatch of each call. It runs one
//! request at a time, so a reservation is exact (KV has no compare-and-swap).

use super::protocol::{Call, Settled};
use super::prune::Retention;
use super::sql::{int, whole, ADDED, SCHEMA};
use crate::letters::Letters;
use crate::objects::Db;
use serde::Serialize;
use std::cell::Cell;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State, Storage};

#[durable_object(alarm)]
pub struct InviteLedger {
    pub(super) db: Db,
    pub(super) storage: Storage,
    /// The retention last written; whether this instance has seen its alarm set.
    pub(super) retention: Cell<Option<Retention>>,
    pub(super) alarm_set: Cell<bool>,
    /// The account's rows from before the buckets were found all pruned (`super::account`).
    pub(super) legacy_gone: Cell<bool>,
    /// `LEDGER_TEST_DELAY_MS`, tests only: every answer waits this long, as in trouble.
    test_delay_ms: u64,
}

impl DurableObject for InviteLedger {
    fn new(state: State, env: Env) -> Self {
        let delay = env.var("LEDGER_TEST_DELAY_MS").map(|v| v.to_string());
        InviteLedger {
            db: Db::with_added(&state.storage(), SCHEMA, ADDED),
            storage: state.storage(),
            retention: Cell::new(None),
            alarm_set: Cell::new(false),
            legacy_gone: Cell::new(false),
            test_delay_ms: delay.ok().and_then(|v| v.parse().ok()).unwrap_or(0),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.db.ready()?;
        if let Some(wait) = self.prune(crate::clock::now_ms())? {
            self.alarm_in(wait).await?;
        }
        Response::ok("")
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::objects::serve(self, req).await
    }
}

crate::answers_calls!(InviteLedger);

impl crate::objects::Answers for InviteLedger {
    async fn answer(&self, call: String) -> Result<String> {
        if self.test_delay_ms > 0 {
            worker::Delay::from(std::time::Duration::from_millis(self.test_delay_ms)).await;
        }
        // serde_json, not serde-wasm-bindgen: one decoder of every call type in the wasm.
        let call = serde_json::from_str::<Call>(&call)?;
        let now = crate::clock::now_ms();
        let retention = match &call {
            Call::Reserve {
                keep_ms, windows, ..
            }
            | Call::Take {
                keep_ms, windows, ..
            } if *keep_ms > 0 => Some(Retention {
                keep_ms: *keep_ms,
                windows: *windows,
            }),
            _ => None,
        };
        let answer = self.db.ready().and_then(|()| match call {
            Call::Reserve {
                asks,
                limits,
                windows,
                flight_ms,
                ..
            } => text(&self.reserve(&asks, &limits, &windows, now, flight_ms)?),
            Call::Take {
                takes,
                limits,
                windows,
                lease,
                give_back,
                ..
            } => {
                self.give_back(&give_back, &windows)?;
                text(&self.take(&takes, (&limits, &windows), lease, now)?)
            }
            Call::Settle {
                release,
                unsettle,
                confirm,
                give_back,
                quota_exhausted,
                quota_back,
                windows,
                quota_retry_seconds,
            } => {
                let mut released = Vec::with_capacity(release.len());
                for id in release {
                    let gone = self.db.exec(
                        "DELETE FROM invites WHERE id = ? RETURNING at_ms, position",
                        vec![int(id)],
                    )?;
                    for row in gone.raw() {
                        let mut row = row?.into_iter();
                        let at_ms = whole(row.next());
                        released.extend(at_ms.zip(crate::objects::text(row.next())));
                    }
                }
                self.give_back(&give_back, &windows)?;
                for (ids, unsettled) in [(unsettle, 1), (confirm, 0)] {
                    for id in ids {
                        self.db.exec(
                            "UPDATE invites SET busy_until = 0, unsettled = ? WHERE id = ?",
                            vec![int(unsettled), int(id)],
                        )?;
                    }
                }
                if quota_back && !quota_exhausted {
                    self.db.exec("DELETE FROM quota", vec![])?;
                }
                let mut settled = Settled {
                    released,
                    ..Settled::default()
                };
                if quota_exhausted {
                    let retry_ms = u64::from(quota_retry_seconds) * 1_000;
                    self.quota_spent(&mut settled, now.saturating_add(retry_ms), &windows, now)?;
                }
                text(&settled)
            }
            Call::HandOver { taken } => text(&self.hand_over(&taken, now)?),
            Call::Forget {
                mailbox,
                remember_ms,
            } => self.forget(&mailbox, remember_ms, now),
            Call::ErasedSince(ask) => self.erased_since(&ask.mailbox, ask.applied_ms),
        });
        // After the answer: no await between a reservation's reads and writes. A failure here
        // costs only a late prune; an error answer, a parked application.
        if let (Ok(_), Some(retention)) = (&answer, retention) {
            let _late = self.arm_pruning(retention).await;
        }
        answer
    }
}

fn text(answer: &impl Serialize) -> Result<String> {
    Ok(serde_json::to_string(answer)?)
}

impl InviteLedger {
    /// `Call::HandOver`, from the table `letters`, which goes once it is empty.
    fn hand_over(&self, taken: &[String], now: u64) -> Result<Letters> {
        let table = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'letters'";
        if whole(self.db.first(table, vec![])?) != Some(1) {
            return Ok(Letters::default());
        }
        for id in taken {
            self.db
                .exec("DELETE FROM letters WHERE id = ?", vec![id.as_str().into()])?;
        }
        self.db
            .exec("DELETE FROM letters WHERE expires_ms <= ?", vec![int(now)])?;
        let page = "SELECT id, text, expires_ms FROM letters ORDER BY rowid LIMIT 100";
        let letters = crate::letters::read(self.db.exec(page, vec![])?)?;
        if letters.letters.is_empty() {
            self.db.exec("DROP TABLE letters", vec![])?;
        }
        Ok(letters)
    }
}
