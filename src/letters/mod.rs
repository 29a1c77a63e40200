//! Dead letters in their own Durable Object (`DeadLetters`, one instance, SQLite-backed): a busy
//! or full ledger never decides whether a letter survives, and each letter (a whole application)
//! is removed by the alarm at its expiry, `DEAD_LETTER_TTL_DAYS` on. `crate::store` files,
//! lists and removes them through [`LetterBox`].

use crate::config::names;
use crate::ledger::{int, whole};
use crate::objects::{self, at, text, Db};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use worker::{
    durable_object, DurableObject, Env, ObjectNamespace, Request, Response, Result, SqlCursor,
    State,
};

/// One instance: dead letters are few (a queue dead-letters what no retry can fix).
const OBJECT_NAME: &str = "letters";
/// Filing waits on the dead-letter consumer only; listing on an operator.
const TIMEOUT_MS: u32 = 5_000;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS letters (
        id TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        expires_ms INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS letters_by_expiry ON letters (expires_ms)",
];

/// Far more than a queue should ever dead-letter; past it a new letter is refused.
const MAX_LETTERS: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// Keep a letter (its JSON text) until `expires_ms`; it replaces one of the same id.
    /// Answered `true`, or an error when the object cannot take it (full, failing).
    File {
        id: String,
        text: String,
        expires_ms: u64,
    },
    /// Every letter, oldest first ([`Letters`]).
    List,
    /// Replayed or erased: answered with how many were removed.
    Unfile { ids: Vec<String> },
}

/// `[id, text, expires_ms]` each; also how the ledger hands over the letters it kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Letters {
    pub letters: Vec<(String, String, u64)>,
}

/// Needs only the binding, so it works while the rest of the configuration is broken.
#[derive(Clone)]
pub struct LetterBox(ObjectNamespace);

impl LetterBox {
    /// `None` when `DEAD_LETTERS` is not bound.
    pub fn connect(env: &Env) -> Option<LetterBox> {
        env.durable_object(names::DEAD_LETTERS).ok().map(LetterBox)
    }

    pub async fn call<T: DeserializeOwned>(&self, call: &Call) -> Option<T> {
        objects::ask_as(&self.0, OBJECT_NAME, call, TIMEOUT_MS)
            .await
            .ok()
    }
}

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
        objects::place_from(&env);
        DeadLetters {
            db: Db::new(&state.storage(), SCHEMA),
            state,
            env,
            adopted: Cell::new(false),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        objects::serve(self, req).await
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

impl objects::Answers for DeadLetters {
    async fn answer(&self, call: String) -> Result<String> {
        let call = objects::read::<Call>(&call).ok_or("not a letters call")?;
        self.ready().await;
        let answer = match call {
            Call::File {
                id,
                text,
                expires_ms,
            } => {
                // Replacing a letter it holds is never refused.
                let others = "SELECT count(*) FROM letters WHERE id != ?";
                let held = whole(self.db.row(others, vec![id.as_str().into()])?.next());
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
                    let gone = "DELETE FROM letters WHERE id = ? RETURNING id";
                    removed += u32::from(self.db.row(gone, vec![id.into()])?.next().is_some());
                }
                serde_json::to_string(&removed)?
            }
        };
        Ok(answer)
    }
}

impl DeadLetters {
    fn put(&self, id: String, text: String, expires_ms: u64, replace: bool) -> Result<()> {
        let query = match replace {
            true => {
                "INSERT INTO letters (id, text, expires_ms) VALUES (?1, ?2, ?3)
                ON CONFLICT (id) DO UPDATE SET text = ?2, expires_ms = ?3"
            }
            false => {
                "INSERT INTO letters (id, text, expires_ms) VALUES (?, ?, ?)
                ON CONFLICT (id) DO NOTHING"
            }
        };
        let row = vec![id.into(), text.into(), int(expires_ms)];
        self.db.exec(query, row).map(drop)
    }

    async fn schedule(&self) -> Result<()> {
        let storage = self.state.storage();
        let next = "SELECT min(expires_ms) FROM letters";
        match whole(self.db.row(next, vec![])?.next()) {
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
            let handed = crate::ledger::hand_over_letters(&self.env, taken).await;
            let letters = handed.map(|l| l.letters).unwrap_or_default();
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
    let mut letters = Vec::new();
    for row in cursor.raw() {
        let mut row = row?.into_iter();
        if let (Some(id), Some(text)) = (text(row.next()), text(row.next())) {
            letters.push((id, text, whole(row.next()).unwrap_or_default()));
        }
    }
    Ok(Letters { letters })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{from_value, json, to_value};

    #[test]
    fn calls_travel_as_the_object_and_the_tests_read_them() {
        let file = Call::File {
            id: "failed:v2:x".into(),
            text: "{\"a\":\"b\nc\"}\n".into(),
            expires_ms: 9,
        };
        let unfile = Call::Unfile {
            ids: vec!["a".into(), "b".into()],
        };
        for call in [file, Call::List, unfile] {
            let text = serde_json::to_string(&call).unwrap();
            assert_eq!(serde_json::from_str::<Call>(&text).ok(), Some(call));
        }
        // tests/harness.mjs files letters with this shape directly.
        let filed = json!({ "file": { "id": "failed:v2:unreadable:x", "text": "{}",
            "expires_ms": 1_700_000_000_000u64 } });
        assert!(matches!(
            from_value(filed),
            Ok(Call::File {
                expires_ms: 1_700_000_000_000,
                ..
            })
        ));
        for bad in [
            json!({ "file": { "id": "id", "text": "{}", "expires_ms": "x" } }),
            json!({ "file": { "id": "id", "expires_ms": 1 } }),
            json!("nope"),
        ] {
            assert!(from_value::<Call>(bad.clone()).is_err(), "{bad}");
        }
        let letters = Letters {
            letters: vec![("failed:v2:x".into(), "{}".into(), 9)],
        };
        assert_eq!(
            to_value(&letters).unwrap(),
            json!({ "letters": [["failed:v2:x", "{}", 9]] })
        );
    }
}
