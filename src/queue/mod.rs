//! The queue consumers: `invites` retries queued invites in one batched GraphQL request, and
//! `dead_letters` files what cannot succeed for an operator.
//!
//! Every message is decided on its own, and the handler never fails as a whole: an `Err`
//! would retry the entire batch.

mod dead_letters;
mod invites;
mod message;
mod step;

pub use message::DeadLetter;

use crate::config::{names, Config, DEFAULT_SUBMISSION_TTL_SECONDS};
use crate::ledger::LetterBox;
use crate::log;
use crate::store::Store;
use serde_json::Value;
use worker::{Env, Message, MessageBatch, MessageExt, QueueRetryOptionsBuilder, RawMessage};

/// How long a batch waits when the worker itself is misconfigured: an operator is needed.
const MISCONFIGURED_RETRY_SECONDS: u32 = 300;

pub async fn consume(batch: MessageBatch<Value>, env: Env) {
    // Each message is read on its own: `batch.messages()` fails the whole batch for one body
    // that is not JSON, and retrying the batch would hold every other message back with it.
    let mut messages = Vec::new();
    let mut unreadable = Vec::new();
    for raw in batch.raw_iter() {
        if serde_wasm_bindgen::from_value::<Value>(raw.body()).is_ok() {
            // The same conversion again, so it cannot fail now.
            if let Ok(message) = Message::<Value>::try_from(raw) {
                messages.push(message);
            }
        } else {
            unreadable.push(raw);
        }
    }
    if !unreadable.is_empty() {
        set_aside(unreadable, &batch.queue(), &env).await;
    }
    let config = Config::from_env(&env);
    match (env.kv(names::KV), config) {
        // Filing a dead letter needs only the ledger's object (or KV without it): it must work
        // while the rest is misconfigured, or the letters would run out of retries and be
        // dropped.
        (Ok(kv), config) if batch.queue() == names::DEAD_LETTER_QUEUE_NAME => {
            let ttl = config.map_or(DEFAULT_SUBMISSION_TTL_SECONDS, |c| c.submission_ttl_seconds);
            let secret = Config::app_secret_from_env(&env);
            let letter_ttl = Config::dead_letter_ttl_from_env(&env);
            let store = Store::new(kv, ttl).with_letters(LetterBox::connect(&env));
            dead_letters::keep(messages, &store, secret.as_deref(), letter_ttl).await;
        }
        (Ok(kv), Ok(config)) => {
            let store = Store::new(kv, config.submission_ttl_seconds);
            invites::retry(messages, &env, &config, &store).await;
        }
        _ => {
            let queue = batch.queue();
            log::Event::QueueMisconfigured { queue: &queue }.emit();
            let delay = QueueRetryOptionsBuilder::new()
                .with_delay_seconds(MISCONFIGURED_RETRY_SECONDS)
                .build();
            batch.retry_all_with_options(&delay);
        }
    }
}

/// Bodies that are not even JSON (sent by something other than this worker) become dead
/// letters at once: no retry can make them readable. What they held is not kept, only its type.
async fn set_aside(raws: Vec<RawMessage>, queue: &str, env: &Env) {
    for raw in raws {
        let kind = raw.body().js_typeof().as_string().unwrap_or_default();
        let letter = DeadLetter::new("unreadable_body".into(), None, Some(kind));
        log::Event::UnreadableMessage {
            candidate: None,
            queue: Some(queue),
            reason: &letter.reason,
        }
        .emit();
        let kept = if queue == names::DEAD_LETTER_QUEUE_NAME {
            match env.kv(names::KV) {
                Ok(kv) => {
                    let text = serde_json::to_string(&letter).unwrap_or_default();
                    let ttl = Config::dead_letter_ttl_from_env(env);
                    Store::new(kv, ttl)
                        .with_letters(LetterBox::connect(env))
                        .file_dead_letter(None, &raw.id(), &text, ttl)
                        .await
                }
                Err(_) => false,
            }
        } else {
            match env.queue(names::DEAD_LETTER_QUEUE) {
                Ok(dlq) => dlq.send(letter).await.is_ok(),
                Err(_) => false,
            }
        };
        if kept {
            raw.ack();
        } else {
            dead_letters::retry_later(&raw);
        }
    }
}
