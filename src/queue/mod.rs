//! The queue consumers: `invites` retries queued invites in one batched GraphQL request, and
//! `dead_letters` files what cannot succeed for an operator.
//!
//! Every message is decided on its own, and the handler never fails as a whole: an `Err`
//! would retry the entire batch.

mod dead_letters;
mod invites;
mod message;
mod step;

pub use message::QueuedInvite;

use crate::config::{names, Config, DEFAULT_SUBMISSION_TTL_SECONDS};
use crate::store::Store;
use serde_json::{json, Value};
use worker::{Env, MessageBatch, QueueRetryOptionsBuilder};

/// How long a batch waits when the worker itself is misconfigured: an operator is needed.
const MISCONFIGURED_RETRY_SECONDS: u32 = 300;

pub async fn consume(batch: MessageBatch<Value>, env: Env) {
    let Ok(messages) = batch.messages() else {
        batch.retry_all();
        return;
    };
    let config = Config::from_env(&env);
    match (env.kv(names::KV), config) {
        // Filing a dead letter needs only KV: it must work while the rest is misconfigured,
        // or the letters would run out of retries and be dropped.
        (Ok(kv), config) if batch.queue() == names::DEAD_LETTER_QUEUE_NAME => {
            let ttl = config.map_or(DEFAULT_SUBMISSION_TTL_SECONDS, |c| c.submission_ttl_seconds);
            dead_letters::keep(messages, &Store::new(kv, ttl)).await;
        }
        (Ok(kv), Ok(config)) => {
            let store = Store::new(kv, config.submission_ttl_seconds);
            invites::retry(messages, &env, &config, &store).await;
        }
        _ => {
            worker::console_error!(
                "{}",
                json!({ "event": "queue_misconfigured", "level": "error", "queue": batch.queue() })
            );
            let delay = QueueRetryOptionsBuilder::new()
                .with_delay_seconds(MISCONFIGURED_RETRY_SECONDS)
                .build();
            batch.retry_all_with_options(&delay);
        }
    }
}
