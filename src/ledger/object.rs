//! The `InviteLedger` Durable Object: one instance for the account, SQLite-backed.
//!
//! A Durable Object runs one request at a time, and each call here is handled without an
//! `await` between reading and writing, so a reservation is exact: two posts can never both
//! take the last invite of a budget. KV could not do this (no compare-and-swap, one write a
//! second per key). The rules are in `super::budget`; this file reads what they need and
//! writes what they decide.

use super::budget::{admit, Admission, Budget, Counts, Earlier, Limits, QuotaHold};
use super::protocol::{
    Answer, Ask, Call, Letter, Letters, Reached, Reserve, Reserved, Settle, Settled, DONE,
};
use super::window::{Bounds, Windows};
use std::cell::Cell;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlCursor, SqlStorage,
    SqlStorageValue, State,
};

const SCHEMA: [&str; 7] = [
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
    // Dead letters, for an operator: each holds a whole application, so each expires
    // (DEAD_LETTER_TTL_DAYS). Here, not in KV, whose daily write quota an attacker can spend.
    "CREATE TABLE IF NOT EXISTS letters (
        id TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        expires_ms INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS letters_by_expiry ON letters (expires_ms)",
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
        let Ok(body) = req.text().await else {
            return Response::error("unreadable body", 400);
        };
        let Some(call) = Call::from_json(&body) else {
            return Response::error("not a ledger call", 400);
        };
        let now = crate::log::now_ms();
        let answer = self.schema().and_then(|()| match call {
            Call::Reserve(reserve) => Ok(self.reserve(&reserve, now)?.to_json()),
            Call::Settle(settle) => Ok(self.settle(&settle, now)?.to_json()),
            Call::File(letter) => self.file(&letter, now).map(|()| DONE.to_string()),
            Call::Letters => Ok(self.letters(now)?.to_json()),
            Call::Unfile { id } => self
                .sql
                .exec("DELETE FROM letters WHERE id = ?", vec![id.into()])
                .map(|_| DONE.to_string()),
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

/// Milliseconds as SQLite integers; every time here is far inside JavaScript's safe range.
/// What one reservation is decided on (`InviteLedger::standing`).
struct Standing {
    /// When a spent quota may be tried again, if it is known to be spent.
    quota: Option<u64>,
    earlier: Earlier,
    counts: Counts,
}

fn int(ms: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(i64::try_from(ms).unwrap_or(i64::MAX / 2))
}

/// The first column of the first row, if any. Rows are read raw rather than through serde:
/// the serde-wasm-bindgen code for row structs cost more wasm than the whole ledger.
fn first(cursor: SqlCursor) -> Result<Option<SqlStorageValue>> {
    match cursor.raw().next() {
        None => Ok(None),
        Some(row) => Ok(row?.into_iter().next()),
    }
}

/// A count, id or time back from SQLite; anything else reads as absent, never a panic.
fn whole(value: Option<SqlStorageValue>) -> Option<u64> {
    match value? {
        SqlStorageValue::Integer(n) => u64::try_from(n).ok(),
        // `as` saturates and maps NaN to 0.
        SqlStorageValue::Float(n) => Some(n as u64),
        _ => None,
    }
}

impl InviteLedger {
    fn schema(&self) -> Result<()> {
        if self.schema_ready.get() {
            return Ok(());
        }
        for statement in SCHEMA {
            self.sql.exec(statement, None)?;
        }
        self.schema_ready.set(true);
        Ok(())
    }

    fn reserve(&self, reserve: &Reserve, now: u64) -> Result<Reserved> {
        let mut answers = Vec::with_capacity(reserve.asks.len());
        for ask in &reserve.asks {
            let Standing {
                quota,
                earlier,
                counts,
            } = self.standing(ask, &reserve.limits, &reserve.windows, now)?;
            let hold = quota.map(|probe_at_ms| QuotaHold { probe_at_ms });
            let answer = match admit(
                earlier,
                hold,
                &counts,
                &reserve.limits,
                &reserve.windows,
                now,
            ) {
                Admission::Grant { probing } => Answer::Granted {
                    reservation: self.insert(ask, now)?,
                    probing,
                },
                Admission::Resubmission => Answer::Resubmission,
                Admission::OtherSpelling => Answer::OtherSpelling,
                Admission::Parked { until_ms, reached } => {
                    let mut noted = Vec::with_capacity(reached.len());
                    for (budget, bounds) in reached {
                        noted.push(Reached {
                            budget,
                            limit: budget.limit(&reserve.limits),
                            reopens_ms: bounds.end_ms,
                            warn: self.first_warning(budget, ask, bounds)?,
                        });
                    }
                    Answer::Parked {
                        until_ms,
                        reached: noted,
                    }
                }
                Admission::QuotaHeld { until_ms } => Answer::QuotaHeld {
                    until_ms,
                    warn: self.quota_warning(&reserve.windows, now)?,
                },
            };
            answers.push(answer);
        }
        Ok(Reserved { answers })
    }

    fn settle(&self, settle: &Settle, now: u64) -> Result<Settled> {
        for id in &settle.release {
            self.sql
                .exec("DELETE FROM invites WHERE id = ?", vec![int(*id)])?;
        }
        if settle.quota_exhausted {
            let probe_at = now.saturating_add(u64::from(settle.quota_retry_seconds) * 1_000);
            let fresh = self.quota()?.is_none();
            self.sql.exec(
                "INSERT INTO quota (id, probe_at, warned_at) VALUES (1, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET probe_at = excluded.probe_at",
                vec![int(probe_at), int(now)],
            )?;
            let warn = fresh || self.quota_warning(&settle.windows, now)?;
            return Ok(Settled {
                quota_held_until_ms: Some(probe_at),
                warn,
            });
        }
        if settle.quota_back {
            self.sql.exec("DELETE FROM quota", None)?;
        }
        Ok(Settled {
            quota_held_until_ms: None,
            warn: false,
        })
    }

    fn file(&self, letter: &Letter, now: u64) -> Result<()> {
        self.sql
            .exec("DELETE FROM letters WHERE expires_ms <= ?", vec![int(now)])?;
        self.sql.exec(
            "INSERT INTO letters (id, text, expires_ms) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET text = excluded.text, expires_ms = excluded.expires_ms",
            vec![
                letter.id.as_str().into(),
                letter.text.as_str().into(),
                int(letter.expires_ms),
            ],
        )?;
        Ok(())
    }

    /// Letters not yet expired, oldest first; at most 10,000 (far more than a queue should
    /// ever dead-letter).
    fn letters(&self, now: u64) -> Result<Letters> {
        self.sql
            .exec("DELETE FROM letters WHERE expires_ms <= ?", vec![int(now)])?;
        let cursor = self.sql.exec(
            "SELECT id, text, expires_ms FROM letters ORDER BY rowid LIMIT 10000",
            None,
        )?;
        let mut letters = Vec::new();
        for row in cursor.raw() {
            let mut row = row?.into_iter();
            if let (
                Some(SqlStorageValue::String(id)),
                Some(SqlStorageValue::String(text)),
                expires,
            ) = (row.next(), row.next(), row.next())
            {
                let expires_ms = whole(expires).unwrap_or_default();
                letters.push(Letter {
                    id,
                    text,
                    expires_ms,
                });
            }
        }
        Ok(Letters(letters))
    }

    /// When a spent quota may be tried again, if it is known to be spent.
    fn quota(&self) -> Result<Option<u64>> {
        let row = first(
            self.sql
                .exec("SELECT probe_at FROM quota WHERE id = 1", None)?,
        )?;
        Ok(whole(row))
    }

    /// True at most once an hour: the quota line is a reminder, not a flood.
    fn quota_warning(&self, windows: &Windows, now: u64) -> Result<bool> {
        let due = now.saturating_sub(windows.hour_ms());
        let updated = first(self.sql.exec(
            "UPDATE quota SET warned_at = ? WHERE id = 1 AND warned_at <= ? RETURNING 1",
            vec![int(now), int(due)],
        )?)?;
        Ok(updated.is_some())
    }

    /// What the rules need to admit one application, read in one statement: the quota hold,
    /// the mailbox's earlier invite to the position, and the count of each budget that has a
    /// limit (the others are not counted). One statement, not one per fact: each is a round
    /// trip into the runtime, and the account's single ledger instance serialises every invite.
    fn standing(
        &self,
        ask: &Ask,
        limits: &Limits,
        windows: &Windows,
        now: u64,
    ) -> Result<Standing> {
        let mut query = String::from(
            "SELECT (SELECT probe_at FROM quota WHERE id = 1),
                    (SELECT spelling FROM invites WHERE mailbox = ? AND position = ? LIMIT 1)",
        );
        let mut bindings = vec![ask.mailbox.as_str().into(), ask.position.as_str().into()];
        let counted: Vec<Budget> = Budget::ALL
            .into_iter()
            .filter(|budget| budget.limit(limits) > 0)
            .collect();
        for budget in &counted {
            let bounds = windows.bounds(budget.span(), now);
            let (count, scope) = match budget {
                Budget::EmailDay => (
                    ", (SELECT COUNT(*) FROM invites WHERE mailbox = ? AND at_ms >= ? AND at_ms < ?)",
                    Some(ask.mailbox.as_str()),
                ),
                Budget::PositionHour => (
                    ", (SELECT COUNT(*) FROM invites WHERE position = ? AND at_ms >= ? AND at_ms < ?)",
                    Some(ask.position.as_str()),
                ),
                Budget::AccountDay | Budget::AccountMonth => (
                    ", (SELECT COUNT(*) FROM invites WHERE at_ms >= ? AND at_ms < ?)",
                    None,
                ),
            };
            query.push_str(count);
            bindings.extend(scope.map(SqlStorageValue::from));
            bindings.push(int(bounds.start_ms));
            bindings.push(int(bounds.end_ms));
        }
        let row = match self.sql.exec(&query, bindings)?.raw().next() {
            Some(row) => row?,
            None => Vec::new(),
        };
        let mut columns = row.into_iter();
        let quota = whole(columns.next());
        let earlier = match columns.next() {
            Some(SqlStorageValue::String(spelling)) if spelling == ask.spelling => {
                Earlier::SameSpelling
            }
            Some(SqlStorageValue::String(_)) => Earlier::OtherSpelling,
            _ => Earlier::None,
        };
        let mut counts = Counts::default();
        for budget in counted {
            let n = whole(columns.next()).unwrap_or(0);
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            match budget {
                Budget::EmailDay => counts.email_day = n,
                Budget::PositionHour => counts.position_hour = n,
                Budget::AccountDay => counts.account_day = n,
                Budget::AccountMonth => counts.account_month = n,
            }
        }
        Ok(Standing {
            quota,
            earlier,
            counts,
        })
    }

    fn insert(&self, ask: &Ask, now: u64) -> Result<u64> {
        let id = first(self.sql.exec(
            "INSERT INTO invites (mailbox, spelling, position, at_ms) VALUES (?, ?, ?, ?)
             RETURNING id",
            vec![
                ask.mailbox.as_str().into(),
                ask.spelling.as_str().into(),
                ask.position.as_str().into(),
                int(now),
            ],
        )?)?;
        whole(id).ok_or_else(|| worker::Error::RustError("no reservation id".into()))
    }

    /// True the first time `budget` is found full in this window (per mailbox or position).
    /// Expired marks are dropped here, on the rare path that writes one, not on every call.
    fn first_warning(&self, budget: Budget, ask: &Ask, window: Bounds) -> Result<bool> {
        self.sql.exec(
            "DELETE FROM warnings WHERE window_end <= ?",
            vec![int(window.start_ms)],
        )?;
        let scope = match budget {
            Budget::EmailDay => ask.mailbox.as_str(),
            Budget::PositionHour => ask.position.as_str(),
            Budget::AccountDay | Budget::AccountMonth => "",
        };
        let inserted = first(self.sql.exec(
            "INSERT INTO warnings (budget, scope, window_start, window_end) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING RETURNING 1",
            vec![
                budget.as_str().into(),
                scope.into(),
                int(window.start_ms),
                int(window.end_ms),
            ],
        )?)?;
        Ok(inserted.is_some())
    }
}
