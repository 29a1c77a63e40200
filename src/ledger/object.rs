//! The `InviteLedger` Durable Object: one instance for the account, SQLite-backed.
//!
//! A Durable Object runs one request at a time, so a reservation (`super::reservations`) is
//! exact: KV could not do this (no compare-and-swap, one write a second per key). This file
//! holds the schema and the dispatch of each call.

use super::protocol::Call;
use crate::letters::Letters;
use serde::Serialize;
use std::cell::Cell;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlCursor, SqlStorage,
    SqlStorageValue, State,
};

const SCHEMA: [&str; 5] = [
    // One row per invite made (or reserved and not yet released). The mailbox and the spelling
    // are HMACs; nothing here names a person.
    "CREATE TABLE IF NOT EXISTS invites (
        id INTEGER PRIMARY KEY,
        mailbox TEXT NOT NULL,
        spelling TEXT NOT NULL,
        position TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        UNIQUE (mailbox, position))",
    "CREATE INDEX IF NOT EXISTS invites_by_position ON invites (position, at_ms)",
    "CREATE INDEX IF NOT EXISTS invites_by_time ON invites (at_ms)",
    // Budgets already warned about in their current window: one log line each.
    "CREATE TABLE IF NOT EXISTS warnings (
        budget TEXT NOT NULL,
        scope TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        window_end INTEGER NOT NULL,
        PRIMARY KEY (budget, scope, window_start))",
    // The plan's quota, while it is known to be spent: at most one row.
    "CREATE TABLE IF NOT EXISTS quota (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        probe_at INTEGER NOT NULL,
        warned_at INTEGER NOT NULL)",
];

#[durable_object(fetch)]
pub struct InviteLedger {
    sql: SqlStorage,
    /// The schema is made once per instance, not per call: seven statements were most of a
    /// reservation's SQL.
    schema_ready: Cell<bool>,
}

impl DurableObject for InviteLedger {
    fn new(state: State, _env: Env) -> Self {
        InviteLedger {
            sql: state.storage().sql(),
            schema_ready: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        // Text, then serde_json: `Request::json` would go through serde-wasm-bindgen, a second
        // decoder of every call type in the wasm.
        let call = req.text().await.ok();
        let Some(call) = call.and_then(|text| serde_json::from_str::<Call>(&text).ok()) else {
            return Response::error("not a ledger call", 400);
        };
        let now = crate::clock::now_ms();
        let answer = self.schema().and_then(|()| match call {
            Call::Reserve {
                asks,
                limits,
                windows,
            } => text(&self.reserve(&asks, &limits, &windows, now)?),
            Call::Settle {
                release,
                quota_exhausted,
                quota_back,
                windows,
                quota_retry_seconds,
            } => {
                for id in release {
                    self.exec("DELETE FROM invites WHERE id = ?", vec![int(id)])?;
                }
                if quota_back && !quota_exhausted {
                    self.exec("DELETE FROM quota", vec![])?;
                }
                let retry_ms = u64::from(quota_retry_seconds) * 1_000;
                let spent = quota_exhausted.then(|| now.saturating_add(retry_ms));
                text(&self.quota_spent(spent, &windows, now)?)
            }
            Call::HandOver { taken } => text(&self.hand_over(&taken, now)?),
            Call::Forget { mailbox } => {
                let gone = self.exec(
                    "DELETE FROM invites WHERE mailbox = ? RETURNING id",
                    vec![mailbox.into()],
                )?;
                text(&gone.raw().count())
            }
        });
        match answer {
            Ok(body) => {
                let mut response = Response::ok(body)?;
                response
                    .headers_mut()
                    .set("content-type", "application/json")?;
                Ok(response)
            }
            // The worker parks the application when the ledger fails: nothing is lost.
            Err(_) => Response::error("ledger error", 500),
        }
    }
}

fn text(answer: &impl Serialize) -> Result<String> {
    Ok(serde_json::to_string(answer)?)
}

/// Milliseconds as SQLite integers; every time here is far inside JavaScript's safe range.
pub(crate) fn int(ms: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(i64::try_from(ms).unwrap_or(i64::MAX / 2))
}

/// The first column of the first row, if any. Rows are read raw rather than through serde:
/// the serde-wasm-bindgen code for row structs cost more wasm than the whole ledger.
pub(crate) fn first(cursor: SqlCursor) -> Result<Option<SqlStorageValue>> {
    match cursor.raw().next() {
        None => Ok(None),
        Some(row) => Ok(row?.into_iter().next()),
    }
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

impl InviteLedger {
    pub(super) fn exec(&self, query: &str, bindings: Vec<SqlStorageValue>) -> Result<SqlCursor> {
        self.sql.exec(query, Some(bindings))
    }

    fn schema(&self) -> Result<()> {
        if self.schema_ready.get() {
            return Ok(());
        }
        for statement in SCHEMA {
            self.exec(statement, vec![])?;
        }
        self.schema_ready.set(true);
        Ok(())
    }

    /// Dead letters were kept here (table `letters`) before they had their own object
    /// (`crate::letters`), which takes them over: it is answered a page of them, and told on the
    /// next call which it has stored, to be deleted here. The table goes once it is empty.
    fn hand_over(&self, taken: &[String], now: u64) -> Result<Letters> {
        let table = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'letters'";
        if whole(first(self.exec(table, vec![])?)?) != Some(1) {
            return Ok(Letters::default());
        }
        for id in taken {
            self.exec("DELETE FROM letters WHERE id = ?", vec![id.as_str().into()])?;
        }
        self.exec("DELETE FROM letters WHERE expires_ms <= ?", vec![int(now)])?;
        let page = "SELECT id, text, expires_ms FROM letters ORDER BY rowid LIMIT 100";
        let letters = crate::letters::read(self.exec(page, vec![])?)?;
        if letters.letters.is_empty() {
            self.exec("DROP TABLE letters", vec![])?;
        }
        Ok(letters)
    }
}
