//! Workers KV, every key and operation: what the worker remembers about candidates and
//! positions. The fast path in front of Hireflix's own uniqueness, never the guarantee (KV is
//! eventually consistent, without compare-and-swap). Dead letters too, when their own object
//! is not bound or refuses one.

pub(crate) mod keys;
mod record;

pub use record::Record;

use crate::clock::now_ms;
use crate::domain::CandidateKey;
use crate::hireflix::Position;
use crate::letters::{Call, LetterBox, Letters};
use crate::log;
use worker::{Context, KvStore};

/// The last good position list is kept a week, so the form works while Hireflix is down; the
/// Cron Trigger refreshes it every 5 minutes.
const POSITIONS_TTL_SECONDS: u64 = 7 * 86_400;

#[derive(Clone)]
pub struct Store {
    kv: KvStore,
    ttl_seconds: u64,
    letters: Option<LetterBox>,
}

impl Store {
    pub fn new(kv: KvStore, ttl_seconds: u64, letters: Option<LetterBox>) -> Self {
        Store {
            kv,
            ttl_seconds,
            letters,
        }
    }

    /// The last good positions list, and when it was read from Hireflix.
    pub async fn positions(&self) -> Option<(u64, Vec<Position>)> {
        let get = self.kv.get(keys::POSITIONS);
        get.json::<(u64, Vec<Position>)>().await.ok().flatten()
    }

    /// A failed write only costs a later Hireflix call.
    pub async fn cache_positions(&self, positions: &[Position]) {
        let text = serde_json::to_string(&(now_ms(), positions)).unwrap_or_default();
        self.put_text(keys::POSITIONS, &text, POSITIONS_TTL_SECONDS)
            .await;
    }

    pub async fn health(&self) -> Option<String> {
        self.kv.get(keys::HEALTH).text().await.ok().flatten()
    }

    /// KV's shortest expiry, a minute, is also how long a deep check's answer stands.
    pub async fn remember_health(&self, answer: &str) {
        self.put_text(keys::HEALTH, answer, 60).await;
    }

    /// Files a dead letter (JSON) under the candidate, or the message id when it was
    /// unreadable, in its object (`crate::letters`: a flood of posts can spend KV's 1,000 daily
    /// writes on Workers Free), else in KV; `false` when neither took it.
    pub async fn file_dead_letter(
        &self,
        key: Option<&CandidateKey>,
        message_id: &str,
        letter: &str,
        ttl_seconds: u64,
    ) -> bool {
        let kv_key = keys::dead_letter(key, message_id);
        if let Some(letters) = &self.letters {
            let expires_ms = now_ms().saturating_add(ttl_seconds.saturating_mul(1_000));
            let file = Call::File {
                id: kv_key.clone(),
                text: letter.into(),
                expires_ms,
            };
            if letters.call(&file).await == Some(true) {
                return true;
            }
        }
        self.put_text(&kv_key, letter, ttl_seconds).await
    }

    /// Every readable dead letter, `(id, JSON)`, and whether that is all of them: their object
    /// answered and every KV page and letter was read (an erasure must not report a partial
    /// list as all there was).
    pub async fn dead_letters(&self) -> (Vec<(String, String)>, bool) {
        let listed = match &self.letters {
            Some(object) => object.call(&Call::List).await.map(|l: Letters| l.letters),
            None => Some(Vec::new()),
        };
        let mut complete = listed.is_some();
        let listed = listed.unwrap_or_default().into_iter();
        let mut letters: Vec<_> = listed.map(|(id, text, _)| (id, text)).collect();
        let mut cursor: Option<String> = None;
        // Bounded: 10 pages of 1,000 keys is far more than a queue should ever dead-letter.
        for _ in 0..10 {
            let mut list = self.kv.list().prefix(keys::DEAD_LETTER_PREFIX.into());
            if let Some(at) = cursor.take() {
                list = list.cursor(at);
            }
            let Ok(page) = list.execute().await else {
                return (letters, false);
            };
            for key in page.keys {
                match self.kv.get(&key.name).text().await {
                    Ok(Some(text)) => letters.push((key.name, text)),
                    Ok(None) => {} // removed since the page was listed
                    Err(_) => complete = false,
                }
            }
            cursor = page.cursor.filter(|_| !page.list_complete);
            if cursor.is_none() {
                break;
            }
        }
        (letters, complete && cursor.is_none())
    }

    /// Erases a candidate's record by its key: `Some(true)` when there was one, `None` when the
    /// delete failed.
    pub async fn erase(&self, key: &str) -> Option<bool> {
        let held = matches!(self.kv.get(key).text().await, Ok(Some(_)));
        match self.kv.delete(key).await {
            Ok(()) => Some(held),
            Err(cause) => {
                failed("delete", key, &cause);
                None
            }
        }
    }

    /// Removes a dead letter by the id `dead_letters` gave; only ever a dead letter's key.
    pub async fn remove_dead_letter(&self, id: &str) -> bool {
        if !id.starts_with(keys::DEAD_LETTER_PREFIX) {
            return false;
        }
        let ids = vec![id.to_string()];
        let from_object = match &self.letters {
            Some(object) => object.call::<u32>(&Call::Unfile { ids }).await,
            None => None,
        };
        // It may be a letter filed in KV: removing a missing key is no error.
        self.kv.delete(id).await.is_ok() || from_object.is_some_and(|n| n > 0)
    }

    /// Every KV write, as bytes: `KvStore::put` sends even a string through serde-wasm-bindgen
    /// and a float formatter, about 15 KB of wasm.
    async fn put_text(&self, key: &str, text: &str, ttl_seconds: u64) -> bool {
        let put = match self.kv.put_bytes(key, text.as_bytes()) {
            Ok(put) => put.expiration_ttl(ttl_seconds).execute().await,
            Err(e) => Err(e),
        };
        put.map_err(|cause| failed("put", key, &cause)).is_ok()
    }
}

/// A failed KV write, for an operator (the daily write quota, say): the key's kind only.
fn failed(op: &str, key: &str, cause: &worker::kv::KvError) {
    let kind = key.split(':').next().unwrap_or_default();
    let cause = cause.to_string();
    log::Event::KvWriteFailed {
        op,
        key: kind,
        cause: &cause,
    }
    .emit();
}

/// What an invite remembers of a candidate: in KV ([`Store`], one type for the form and the
/// queue: one copy in the wasm) or, in tests, in memory.
#[allow(async_fn_in_trait)] // As `crate::hireflix::Inviter`.
pub trait Memory {
    /// Unreadable counts as absent: the invite path is idempotent, at worst one more call.
    async fn candidate(&self, key: &CandidateKey) -> Option<Record>;

    /// `false` when the write failed.
    async fn remember(&self, key: &CandidateKey, record: &Record) -> bool;

    /// A failed delete leaves a record that expires.
    async fn forget(&self, key: &CandidateKey);

    /// A write nobody waits for: losing it costs one more Hireflix call, never an interview.
    /// With `after_response` it lands after the response: the candidate does not wait on KV,
    /// and Hireflix's uniqueness covers a resubmission before the write lands.
    async fn remember_soon(&self, key: &CandidateKey, record: Record, _: Option<&Context>) {
        self.remember(key, &record).await;
    }

    async fn nap(&self, ms: u32) {
        worker::Delay::from(std::time::Duration::from_millis(u64::from(ms))).await;
    }
}

impl Memory for Store {
    async fn candidate(&self, key: &CandidateKey) -> Option<Record> {
        let get = self.kv.get(&keys::candidate(key));
        get.json::<Record>().await.ok().flatten()
    }

    async fn remember(&self, key: &CandidateKey, record: &Record) -> bool {
        let text = serde_json::to_string(record).unwrap_or_default();
        self.put_text(&keys::candidate(key), &text, self.ttl_seconds)
            .await
    }

    async fn forget(&self, key: &CandidateKey) {
        let key = keys::candidate(key);
        if let Err(cause) = self.kv.delete(&key).await {
            failed("delete", &key, &cause);
        }
    }

    async fn remember_soon(&self, key: &CandidateKey, record: Record, after: Option<&Context>) {
        let Some(ctx) = after else {
            self.remember(key, &record).await;
            return;
        };
        let (store, key) = (self.clone(), key.clone());
        ctx.wait_until(async move {
            store.remember(&key, &record).await;
        });
    }
}
