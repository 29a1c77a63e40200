//! What KV remembers about each candidate: the fast path in front of Hireflix's own
//! uniqueness, never the guarantee (KV is eventually consistent and has no compare-and-swap).

use crate::candidate_key::CandidateKey;
use crate::hireflix::InterviewUrl;
use serde::{Deserialize, Serialize};
use worker::KvStore;

/// One candidate's state in one position. Values hold no email, no name, no key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Record {
    /// Hireflix has an interview for them: send them straight to it, if the names match
    /// (`who` is [`crate::candidate_key::names_tag`] of the interview's names).
    Invited { url: String, who: String },
    /// Accepted and waiting in the retry queue; Hireflix will email the invite.
    Queued,
}

impl Record {
    pub fn invited(url: &InterviewUrl, who: String) -> Self {
        Record::Invited {
            url: url.as_str().to_string(),
            who,
        }
    }
}

#[derive(Clone)]
pub struct Store {
    kv: KvStore,
    ttl_seconds: u64,
}

impl Store {
    pub fn new(kv: KvStore, ttl_seconds: u64) -> Self {
        Store { kv, ttl_seconds }
    }

    /// A record that cannot be read or parsed counts as absent: the invite path behind it is
    /// idempotent, so the worst case is one more Hireflix call.
    pub async fn get(&self, key: &CandidateKey) -> Option<Record> {
        self.kv
            .get(&key.kv_key())
            .json::<Record>()
            .await
            .ok()
            .flatten()
    }

    /// Stores the record for the configured time; `false` when KV refused the write.
    pub async fn put(&self, key: &CandidateKey, record: &Record) -> bool {
        let text = serde_json::to_string(record).unwrap_or_default();
        self.put_text(&key.kv_key(), &text, self.ttl_seconds).await
    }

    /// Every KV write goes through here, as bytes: `KvStore::put` sends even a string through
    /// serde-wasm-bindgen and a float formatter, about 15 KB of wasm for nothing.
    pub async fn put_text(&self, key: &str, text: &str, ttl_seconds: u64) -> bool {
        match self.kv.put_bytes(key, text.as_bytes()) {
            Ok(put) => put.expiration_ttl(ttl_seconds).execute().await.is_ok(),
            Err(_) => false,
        }
    }

    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    pub fn kv(&self) -> &KvStore {
        &self.kv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_have_a_stable_json_shape() {
        let invited = Record::Invited {
            url: "https://app.hireflix.com/x".into(),
            who: "ab12".into(),
        };
        assert_eq!(
            serde_json::to_string(&invited).unwrap(),
            r#"{"state":"invited","url":"https://app.hireflix.com/x","who":"ab12"}"#
        );
        assert_eq!(
            serde_json::to_string(&Record::Queued).unwrap(),
            r#"{"state":"queued"}"#
        );
        assert_eq!(
            serde_json::from_str::<Record>(r#"{"state":"queued","extra":1}"#).unwrap(),
            Record::Queued
        );
        assert!(serde_json::from_str::<Record>(r#"{"state":"weird"}"#).is_err());
    }
}
