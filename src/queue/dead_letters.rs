//! The dead-letter consumer: files each letter under the candidate's key, with its reason and
//! time, for an operator to read or replay, and clears the candidate's "queued" record. A
//! letter is acked only once the store (the ledger's object, or KV without it) has taken it;
//! otherwise it comes back after a growing delay.

use super::message::DeadLetter;
use super::step::redeliver_delay_seconds;
use crate::clock::now_ms;
use crate::domain::{CandidateKey, PositionId};
use crate::ledger::{LedgerClient, Note};
use crate::log::{self, Outcome, Reason, Source};
use crate::store::{Memory, Store};
use serde_json::Value;
use worker::{Message, MessageExt};

/// A letter whose candidate was erased after making it is dropped with one line, and the
/// "queued" record left alone (one there now is a later application's). A question to the
/// ledger that is not answered keeps the letter: never dropped on a guess.
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
                dropped(&letter, &position);
                message.ack();
                continue;
            }
        }
        file(&message, letter, store, secret, ttl_seconds).await;
    }
}

/// One line, with neither the candidate nor their tag.
fn dropped(letter: &DeadLetter, position: &PositionId) {
    let request_id = letter.invite.as_ref().map_or("", |i| i.request_id.as_str());
    let line = log::Application::new(
        request_id,
        position.as_str(),
        Source::Queue,
        Outcome::Erased,
    );
    log::Event::Application(log::Application {
        reason: Some(Reason::Ledger(Note::Erased)),
        ..line
    })
    .emit();
}

/// Files `letter` for `message`, acked once stored; by message id without a candidate key.
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

/// The letter's candidate, whose "queued" record is forgotten: a resubmission would hear
/// "queued" for as long as it lives.
pub async fn release(letter: &DeadLetter, store: &Store, secret: &str) -> Option<CandidateKey> {
    let key = letter.key(secret)?;
    store.forget(&key).await;
    Some(key)
}

/// Never again at once: a store that refused one write refuses the next too.
pub fn retry_later(message: &impl MessageExt) {
    let age_ms = now_ms().saturating_sub(message.timestamp().as_millis());
    super::retry_in(message, redeliver_delay_seconds(age_ms / 1_000));
}
