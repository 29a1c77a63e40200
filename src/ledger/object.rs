//! The `InviteLedger` Durable Object, SQLite-backed: its tables and the dispatch of each call.
//! It runs one request at a time, so a reservation is exact (KV has no compare-and-swap).
//! Values are read back without serde (serde-wasm-bindgen row structs cost more wasm than the
//! whole ledger).

use super::protocol::{Call, Settled};
use super::prune::Retention;
use crate::letters::Letters;
use crate::objects::Db;
use serde::Serialize;
use std::cell::Cell;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorageValue};
use worker::{State, Storage};

const SCHEMA: &[&str] = &[
    // One row per invite made or reserved. Mailbox, spelling and record are HMACs.
    "CREATE TABLE IF NOT EXISTS invites (id INTEGER PRIMARY KEY,
        mailbox TEXT NOT NULL, spelling TEXT NOT NULL, position TEXT NOT NULL,
        at_ms INTEGER NOT NULL, busy_until INTEGER NOT NULL DEFAULT 0,
        unsettled INTEGER NOT NULL DEFAULT 0, record TEXT NOT NULL DEFAULT '',
        UNIQUE (mailbox, position))",
    "CREATE INDEX IF NOT EXISTS invites_by_position ON invites (position, at_ms)",
    "CREATE INDEX IF NOT EXISTS invites_by_time ON invites (at_ms)",
    // Budgets already warned about in their current window.
    "CREATE TABLE IF NOT EXISTS warnings (budget TEXT NOT NULL, scope TEXT NOT NULL,
        window_start INTEGER NOT NULL, window_end INTEGER NOT NULL,
        PRIMARY KEY (budget, scope, window_start))",
    // The plan's quota, while it is known to be spent: at most one row.
    "CREATE TABLE IF NOT EXISTS quota (id INTEGER PRIMARY KEY CHECK (id = 1),
        probe_at INTEGER NOT NULL, warned_at INTEGER NOT NULL)",
    // The account's budgets: one counter per budget and window (scope '').
    "CREATE TABLE IF NOT EXISTS counters (budget TEXT NOT NULL, scope TEXT NOT NULL,
        window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (budget, scope, window_start))",
    // Mailboxes erased on request, until when remembered, and the records of the rows that went
    // (`super::erasure`).
    "CREATE TABLE IF NOT EXISTS erasures (mailbox TEXT PRIMARY KEY,
        erased_at INTEGER NOT NULL, until_ms INTEGER NOT NULL, records TEXT NOT NULL DEFAULT '')",
    // How long rows are kept, as the worker last said (`super::prune`).
    "CREATE TABLE IF NOT EXISTS retention (id INTEGER PRIMARY KEY CHECK (id = 1),
        keep_ms INTEGER NOT NULL, windows TEXT NOT NULL)",
];

/// Columns added since the first schema, for older instances (`record`: '' in older rows).
const ADDED: &[&str] = &[
    "ALTER TABLE invites ADD COLUMN busy_until INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE invites ADD COLUMN unsettled INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE invites ADD COLUMN record TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE erasures ADD COLUMN records TEXT NOT NULL DEFAULT ''",
];

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
        let mut retention = None;
        let answer = self.db.ready().and_then(|()| match call {
            Call::Reserve {
                asks,
                limits,
                windows,
                flight_ms,
                keep_ms,
            } => {
                retention = Some(Retention { keep_ms, windows });
                text(&self.reserve(&asks, &limits, &windows, now, flight_ms)?)
            }
            Call::Take {
                takes,
                limits,
                windows,
                lease,
                give_back,
                keep_ms,
            } => {
                retention = Some(Retention { keep_ms, windows });
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
                let mut settled = Settled::default();
                for id in release {
                    let gone = "DELETE FROM invites WHERE id = ? RETURNING at_ms, position";
                    let mut row = self.db.row(gone, vec![int(id)])?;
                    let at_ms = whole(row.next());
                    settled
                        .released
                        .extend(at_ms.zip(crate::objects::text(row.next())));
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
                // Spent until `probe_at`; `warn` the first time, then hourly.
                if quota_exhausted {
                    let retry_ms = u64::from(quota_retry_seconds) * 1_000;
                    let probe_at = now.saturating_add(retry_ms);
                    let held = self.quota_hold()?;
                    self.db.exec(
                        "INSERT INTO quota (id, probe_at, warned_at) VALUES (1, ?, ?)
                         ON CONFLICT (id) DO UPDATE SET probe_at = excluded.probe_at",
                        vec![int(probe_at), int(now)],
                    )?;
                    settled.quota_held_until_ms = Some(probe_at);
                    settled.warn = held.is_none() || self.quota_warning(&windows, now)?;
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
        if let (Ok(_), Some(retention)) = (&answer, retention.filter(|r| r.keep_ms > 0)) {
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

/// Milliseconds as SQLite integers; every time here is far inside JavaScript's safe range.
pub(crate) fn int(ms: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(i64::try_from(ms).unwrap_or(i64::MAX / 2))
}

/// A count, id or time back from SQLite; anything else reads as absent, never a panic.
pub(crate) fn whole(value: Option<SqlStorageValue>) -> Option<u64> {
    match value? {
        SqlStorageValue::Integer(n) => u64::try_from(n).ok(),
        // `as` saturates and maps NaN to 0.
        SqlStorageValue::Float(n) => Some(n as u64),
        _ => None,
    }
}
