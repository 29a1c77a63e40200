//! The queue consumers: `invites` retries queued invites in one batched GraphQL request,
//! `dead_letters` files what cannot succeed for an operator. Every message is decided on its
//! own: the handler never fails as a whole, which would retry the entire batch.

mod dead_letters;
mod invites;
mod message;
mod step;

pub use message::DeadLetter;

use crate::app::App;
use crate::config::names;
use crate::ledger::LedgerClient;
use crate::log;
use serde_json::Value;
use worker::RawMessage;
use worker::{Env, Message, MessageBatch, MessageExt, QueueRetryOptions, QueueRetryOptionsBuilder};

/// How long a batch waits when the worker is misconfigured: an operator is needed.
const MISCONFIGURED_RETRY_SECONDS: u32 = 300;

pub async fn consume(batch: MessageBatch<Value>, env: Env) {
    // Read one by one: `batch.messages()` fails the whole batch for one body that is not JSON.
    let (mut messages, mut unreadable) = (Vec::new(), Vec::new());
    for raw in batch.raw_iter() {
        match serde_wasm_bindgen::from_value::<Value>(raw.body()) {
            Ok(_) => messages.extend(Message::<Value>::try_from(raw).ok()),
            Err(_) => unreadable.push(raw),
        }
    }
    let (app, queue) = (App::for_env(&env), batch.queue());
    set_aside(unreadable, &queue, &app).await;
    let dead_letters = queue == names::DEAD_LETTER_QUEUE_NAME;
    let letter_store = app.store.as_ref().filter(|_| dead_letters);
    match (letter_store, &app.services) {
        // Filing needs only KV or the ledger's object: it must work while the rest is
        // misconfigured, or the letters would run out of retries and be dropped.
        (Some(store), _) => {
            let (secret, ttl) = (&app.config.app_secret, app.config.dead_letter_ttl_seconds);
            let ledger = LedgerClient::connect(app.env(), &app.config);
            dead_letters::keep(messages, store, &ledger, secret, ttl).await;
        }
        (None, Ok(services)) if !dead_letters => {
            invites::retry(messages, &app, services).await;
        }
        _ => {
            log::Event::QueueMisconfigured { queue: &queue }.emit();
            batch.retry_all_with_options(&after(MISCONFIGURED_RETRY_SECONDS));
        }
    }
}

/// Bodies that are not even JSON become dead letters at once, keeping only their type.
async fn set_aside(raws: Vec<RawMessage>, queue: &str, app: &App) {
    for raw in raws {
        let kind = raw.body().js_typeof().as_string().unwrap_or_default();
        let letter = DeadLetter::new("unreadable_body".into(), None, Some(kind));
        log::Event::UnreadableMessage {
            candidate: None,
            queue: Some(queue),
            reason: &letter.reason,
        }
        .emit();
        match (&app.store, queue == names::DEAD_LETTER_QUEUE_NAME) {
            (Some(store), true) => {
                let ttl = app.config.dead_letter_ttl_seconds;
                dead_letters::file(&raw, letter, store, "", ttl).await;
            }
            (None, true) => dead_letters::retry_later(&raw),
            (_, false) => {
                let dlq = app.env().queue(names::DEAD_LETTER_QUEUE).ok();
                invites::dead_letter(&raw, dlq.as_ref(), letter).await;
            }
        }
    }
}

fn after(delay_seconds: u32) -> QueueRetryOptions {
    let options = QueueRetryOptionsBuilder::new();
    options.with_delay_seconds(delay_seconds).build()
}

fn retry_in(message: &impl MessageExt, delay_seconds: u32) {
    message.retry_with_options(&after(delay_seconds));
}
