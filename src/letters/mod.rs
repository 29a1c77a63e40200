//! Dead letters in their own Durable Object (`DeadLetters`, one instance): a busy or full
//! ledger never decides whether a letter survives, and each expires by the object's alarm after
//! `DEAD_LETTER_TTL_DAYS`. This file is the protocol and the worker's side ([`LetterBox`]);
//! `crate::store` keeps a letter in KV when the object cannot take it, and lists both.

mod object;

pub use object::{read, DeadLetters};

use crate::config::names;
use crate::objects;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{Env, ObjectNamespace};

/// One instance: dead letters are few (a queue dead-letters what no retry can fix).
const OBJECT_NAME: &str = "letters";
/// Filing waits on the dead-letter consumer only; listing on an operator.
const TIMEOUT_MS: u32 = 5_000;

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
    /// Every letter, oldest first ([`Letters`]); the alarm has removed the expired ones.
    List,
    /// Forget letters (replayed, erased). Answered with how many were removed.
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
    /// `None` when `DEAD_LETTERS` is not bound: letters then go to KV.
    pub fn connect(env: &Env) -> Option<LetterBox> {
        env.durable_object(names::DEAD_LETTERS).ok().map(LetterBox)
    }

    async fn call<T: DeserializeOwned>(&self, call: &Call) -> Option<T> {
        objects::ask_as(&self.0, OBJECT_NAME, call, TIMEOUT_MS)
            .await
            .ok()
    }

    /// `true` once the object has stored it.
    pub async fn file(&self, id: &str, text: &str, expires_ms: u64) -> bool {
        let (id, text) = (id.to_string(), text.to_string());
        let call = Call::File {
            id,
            text,
            expires_ms,
        };
        self.call::<bool>(&call).await == Some(true)
    }

    /// Every letter, as (id, JSON text); `None` when the object did not answer.
    pub async fn list(&self) -> Option<Vec<(String, String)>> {
        let Letters { letters } = self.call(&Call::List).await?;
        Some(
            letters
                .into_iter()
                .map(|(id, text, _)| (id, text))
                .collect(),
        )
    }

    /// How many of `ids` it held and removed; `None` when it did not answer.
    pub async fn remove(&self, ids: Vec<String>) -> Option<u32> {
        self.call(&Call::Unfile { ids }).await
    }
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
