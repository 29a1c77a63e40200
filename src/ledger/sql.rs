//! The ledger's SQLite tables, and values read back without serde (serde-wasm-bindgen row
//! structs cost more wasm than the whole ledger).

use worker::SqlStorageValue;

pub(super) const SCHEMA: &[&str] = &[
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
    // Mailboxes erased on request, until when remembered (`super::erasure`).
    "CREATE TABLE IF NOT EXISTS erasures (mailbox TEXT PRIMARY KEY,
        erased_at INTEGER NOT NULL, until_ms INTEGER NOT NULL)",
    // How long rows are kept, as the worker last said (`super::prune`).
    "CREATE TABLE IF NOT EXISTS retention (id INTEGER PRIMARY KEY CHECK (id = 1),
        keep_ms INTEGER NOT NULL, windows TEXT NOT NULL)",
];

/// Columns added since the first schema, for older instances (`record`: '' in older rows).
pub(super) const ADDED: &[&str] = &[
    "ALTER TABLE invites ADD COLUMN busy_until INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE invites ADD COLUMN unsettled INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE invites ADD COLUMN record TEXT NOT NULL DEFAULT ''",
];

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
