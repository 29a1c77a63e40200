//! The `DeadLetters` Durable Object: one instance, SQLite-backed. Each letter holds a whole
//! application, so the alarm removes it at its expiry, and wakes again for the next.

use super::{Call, Letters};
use crate::ledger::{first, int, whole};
use crate::objects::{at, read as decode, text, Db};
use std::cell::Cell;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlCursor, State};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS letters (
        id TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        expires_ms INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS letters_by_expiry ON letters (expires_ms)",
];

/// Far more than a queue should ever dead-letter. Past it a new letter is refused (the store
/// keeps it in KV, or the message waits on the queue), never dropped.
const MAX_LETTERS: u64 = 10_000;

#[durable_object(alarm)]
pub struct DeadLetters {
    state: State,
    db: Db,
    env: Env,
    /// The ledger's old letters are taken over once per instance.
    adopted: Cell<bool>,
}

impl DurableObject for DeadLetters {
    fn new(state: State, env: Env) -> Self {
        // This isolate may never build the worker's `App`, and it asks the ledger.
        crate::objects::place_from(&env);
        DeadLetters {
            db: Db::new(&state.storage(), SCHEMA),
            state,
            env,
            adopted: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::objects::serve(self, req).await
    }

    /// An error makes the platform retry the alarm.
    async fn alarm(&self) -> Result<Response> {
        self.ready().await;
        let now = crate::clock::now_ms();
        self.db
            .exec("DELETE FROM letters WHERE expires_ms <= ?", vec![int(now)])?;
        self.schedule().await?;
        Response::ok("")
    }
}

crate::answers_calls!(DeadLetters);

impl crate::objects::Answers for DeadLetters {
    /// An error: the store keeps the letter in KV instead, or the message waits on its queue.
    async fn answer(&self, call: String) -> Result<String> {
        let call = decode::<Call>(&call).ok_or("not a letters call")?;
        self.ready().await;
        let answer = match call {
            Call::File {
                id,
                text,
                expires_ms,
            } => {
                // Replacing a letter it holds is never refused.
                let others = "SELECT count(*) FROM letters WHERE id != ?";
                let held = whole(first(self.db.exec(others, vec![id.as_str().into()])?)?);
                if held.unwrap_or(MAX_LETTERS) >= MAX_LETTERS {
                    return Err("the dead-letter store is full".into());
                }
                self.put(id, text, expires_ms, true)?;
                self.schedule().await?;
                serde_json::to_string(&true)?
            }
            Call::List => {
                // Oldest first; all there can be.
                let rows = "SELECT id, text, expires_ms FROM letters ORDER BY rowid LIMIT ?";
                serde_json::to_string(&read(self.db.exec(rows, vec![int(MAX_LETTERS)])?)?)?
            }
            Call::Unfile { ids } => {
                let mut removed = 0u32;
                for id in ids {
                    let gone = self.db.exec(
                        "DELETE FROM letters WHERE id = ? RETURNING id",
                        vec![id.into()],
                    )?;
                    removed += u32::from(first(gone)?.is_some());
                }
                serde_json::to_string(&removed)?
            }
        };
        Ok(answer)
    }
}

impl DeadLetters {
    fn put(&self, id: String, text: String, expires_ms: u64, replace: bool) -> Result<()> {
        let on_conflict = if replace {
            "DO UPDATE SET text = excluded.text, expires_ms = excluded.expires_ms"
        } else {
            "DO NOTHING"
        };
        let query = format!(
            "INSERT INTO letters (id, text, expires_ms) VALUES (?, ?, ?) ON CONFLICT (id) {on_conflict}"
        );
        self.db
            .exec(&query, vec![id.into(), text.into(), int(expires_ms)])?;
        Ok(())
    }

    /// The alarm at the earliest expiry.
    async fn schedule(&self) -> Result<()> {
        let storage = self.state.storage();
        let next = first(
            self.db
                .exec("SELECT min(expires_ms) FROM letters", vec![])?,
        )?;
        match whole(next) {
            Some(ms) => storage.set_alarm(at(ms)).await,
            None => storage.delete_alarm().await,
        }
    }

    async fn ready(&self) {
        if !self.adopted.get() {
            self.adopt().await;
            self.adopted.set(true);
        }
    }

    /// The letters the invite ledger kept before this object existed, a page at a time: each
    /// page is stored here before the ledger is told to delete it, so a failure between the
    /// two leaves a letter in both places, never in neither. A ledger that does not answer is
    /// asked again by the next instance.
    async fn adopt(&self) {
        let mut taken = Vec::new();
        // 100 pages of 100: all the ledger could hold.
        for _ in 0..=100 {
            let Some(Letters { letters }) =
                crate::ledger::hand_over_letters(&self.env, taken).await
            else {
                return;
            };
            if letters.is_empty() {
                return;
            }
            taken = Vec::with_capacity(letters.len());
            for (id, text, expires_ms) in letters {
                // A newer letter of the same candidate, filed here already, wins.
                if self.put(id.clone(), text, expires_ms, false).is_err() {
                    return;
                }
                taken.push(id);
            }
            if self.schedule().await.is_err() {
                return;
            }
        }
    }
}

/// Rows of `id, text, expires_ms` (here and in the ledger's old table); any other is skipped.
pub fn read(cursor: SqlCursor) -> Result<Letters> {
    let mut letters = Letters::default();
    for row in cursor.raw() {
        let mut row = row?.into_iter();
        if let (Some(id), Some(text)) = (text(row.next()), text(row.next())) {
            letters
                .letters
                .push((id, text, whole(row.next()).unwrap_or_default()));
        }
    }
    Ok(letters)
}
