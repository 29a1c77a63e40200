//! The dead-letter consumer: files each letter under the candidate's key, with its reason and
//! time, for an operator to read or replay. A letter is acked only once stored.

use super::message::DeadLetter;
use super::step::redeliver_delay_seconds;
use crate::clock::now_ms;
use crate::domain::CandidateKey;
use crate::ledger::{LedgerClient, Note};
use crate::log::{self, Outcome, Reason, Source};
use crate::store::{Memory, Store};
use serde_json::Value;
use worker::{Message, MessageExt};

/// A letter whose candidate was erased after making it is dropped with one line, without the
/// candidate or their tag, and the "queued" record left alone (one there now is a later
/// application's). A question the ledger does not answer keeps the letter.
pub async fn keep(
    messages: Vec<Message<Value>>,
    store: &Store,
    ledger: &LedgerClient,
    secret: &str,
    ttl_seconds: u64,
) {
    for message in messages {
        let letter = DeadLetter::read(message.body());
        if let Some((position, email)) = letter.candidate() {
            if ledger.erased_since(&email, letter.applied_ms()).await == Some(true) {
                let request_id = letter.invite.as_ref().map_or("", |i| &i.request_id);
                let (id, erased) = (position.as_str(), Outcome::Erased);
                log::Event::Application(log::Application {
                    reason: Some(Reason::Ledger(Note::Erased)),
                    ..log::Application::new(request_id, id, Source::Queue, erased)
                })
                .emit();
                message.ack();
                continue;
            }
        }
        file(&message, letter, store, secret, ttl_seconds).await;
    }
}

/// Files `letter` for `message` (by message id without a candidate key).
pub async fn file(
    message: &impl MessageExt,
    letter: DeadLetter,
    store: &Store,
    secret: &str,
    ttl_seconds: u64,
) {
    let letter = DeadLetter {
        failed_at: Some(now_ms()),
        ..letter
    };
    let key = release(&letter, store, secret).await;
    let text = serde_json::to_string(&letter).unwrap_or_default();
    let stored = store
        .file_dead_letter(key.as_ref(), &message.id(), &text, ttl_seconds)
        .await;
    log::Event::DeadLetterFiled {
        candidate: key.as_ref().map(CandidateKey::log_tag),
        reason: &letter.reason,
        stored,
    }
    .emit();
    if stored {
        message.ack();
    } else {
        retry_later(message);
    }
}

/// The letter's candidate (`None` without `APP_SECRET`), whose "queued" record is forgotten (or
/// a resubmission would hear "queued" for as long as it lives).
pub async fn release(letter: &DeadLetter, store: &Store, secret: &str) -> Option<CandidateKey> {
    let (position, email) = letter.candidate().filter(|_| !secret.is_empty())?;
    let key = CandidateKey::new(secret, &position, &email);
    store.forget(&key).await;
    Some(key)
}

/// Never again at once: a store that refused one write refuses the next too.
pub fn retry_later(message: &impl MessageExt) {
    let age_ms = now_ms().saturating_sub(message.timestamp().as_millis());
    super::retry_in(message, redeliver_delay_seconds(age_ms / 1_000));
}
