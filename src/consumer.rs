//! The queue consumer: retries queued invites in one batched GraphQL request, and files what
//! cannot succeed in the dead-letter queue, where its own consumer keeps it for an operator.
//!
//! Every message is decided on its own (ack, re-queue with a longer delay, or dead-letter),
//! and the handler never fails as a whole: an `Err` would retry the entire batch.

use crate::apply::Pipeline;
use crate::candidate_key::CandidateKey;
use crate::config::{Config, DEFAULT_SUBMISSION_TTL_SECONDS};
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{HireflixClient, InviteOutcome, Transient};
use crate::log::{now_ms, ApplicationLog, Source};
use crate::retry::{
    backoff_seconds, DeadLetter, QueuedInvite, DLQ_BINDING, DLQ_NAME, INVITE_QUEUE_BINDING,
};
use crate::store::Store;
use serde_json::{json, Value};
use worker::{
    Env, Message, MessageBatch, MessageBuilder, MessageExt, Queue, QueueRetryOptionsBuilder,
};

/// How long a batch waits when the worker itself is misconfigured: an operator is needed.
const MISCONFIGURED_RETRY_SECONDS: u32 = 300;
/// A batch of invites is one request that Hireflix works through in turn, so it gets the
/// single-invite timeout per invite, up to this (no candidate is waiting on the queue).
const BATCH_TIMEOUT_CAP_MS: u32 = 30_000;

pub async fn consume(batch: MessageBatch<Value>, env: Env) {
    let Ok(messages) = batch.messages() else {
        batch.retry_all();
        return;
    };
    let config = Config::from_env(&env);
    match (env.kv("SUBMISSIONS"), config) {
        // Filing a dead letter needs only KV: it must work while the rest is misconfigured,
        // or the letters would run out of retries and be dropped.
        (Ok(kv), config) if batch.queue() == DLQ_NAME => {
            let ttl = config.map_or(DEFAULT_SUBMISSION_TTL_SECONDS, |c| c.submission_ttl_seconds);
            keep_dead_letters(messages, &Store::new(kv, ttl)).await;
        }
        (Ok(kv), Ok(config)) => {
            let store = Store::new(kv, config.submission_ttl_seconds);
            retry_invites(messages, &env, &config, &store).await;
        }
        _ => {
            worker::console_error!(
                "{}",
                json!({ "event": "queue_misconfigured", "queue": batch.queue() })
            );
            let delay = QueueRetryOptionsBuilder::new()
                .with_delay_seconds(MISCONFIGURED_RETRY_SECONDS)
                .build();
            batch.retry_all_with_options(&delay);
        }
    }
}

struct Pending {
    message: Message<Value>,
    invite: QueuedInvite,
    position: crate::domain::PositionId,
    application: crate::domain::Application,
    key: CandidateKey,
    external_id: String,
}

async fn retry_invites(messages: Vec<Message<Value>>, env: &Env, config: &Config, store: &Store) {
    let queue = env.queue(INVITE_QUEUE_BINDING).ok();
    let dlq = env.queue(DLQ_BINDING).ok();
    let mut pending = Vec::with_capacity(messages.len());
    for message in messages {
        let parsed = serde_json::from_value::<QueuedInvite>(message.body().clone())
            .ok()
            .and_then(|invite| invite.application().map(|(p, a)| (invite, p, a)));
        match parsed {
            Some((invite, position, application)) => {
                let key = CandidateKey::new(&position, &application.email);
                let external_id = key.external_id();
                pending.push(Pending {
                    message,
                    invite,
                    position,
                    application,
                    key,
                    external_id,
                });
            }
            None => {
                let letter = DeadLetter {
                    invite: None,
                    unreadable: Some(message.body().to_string()),
                    reason: "unreadable_message".into(),
                };
                dead_letter(&message, dlq.as_ref(), letter).await;
            }
        }
    }
    if pending.is_empty() {
        return;
    }

    let batch_size = u32::try_from(pending.len()).unwrap_or(u32::MAX);
    let timeout = config
        .hireflix_timeout_ms
        .saturating_mul(batch_size)
        .min(BATCH_TIMEOUT_CAP_MS)
        .max(config.hireflix_timeout_ms);
    let client = HireflixClient::new(&config.api_url, config.api_key.clone(), timeout);
    let inputs: Vec<InviteInput> = pending
        .iter()
        .map(|p| InviteInput {
            position: &p.position,
            application: &p.application,
            external_id: &p.external_id,
        })
        .collect();
    let started = now_ms();
    // The whole batch in one request, each invite under its own alias.
    let mut outcomes = client.invite(&inputs).await;
    if inputs.len() > 1 && outcomes.iter().all(failed_as_a_whole) {
        // One invite Hireflix cannot process can void the `data` of the whole batch: try each
        // alone, so the others are not held back with it on every retry.
        let mut one_by_one = Vec::with_capacity(inputs.len());
        for input in &inputs {
            let outcome = client
                .invite(std::slice::from_ref(input))
                .await
                .into_iter()
                .next();
            one_by_one.push(outcome.unwrap_or(InviteOutcome::Transient(Transient::Malformed)));
        }
        outcomes = one_by_one;
    }
    let hireflix_ms = now_ms().saturating_sub(started);

    for ((item, input), outcome) in pending.iter().zip(&inputs).zip(outcomes) {
        let pipeline = Pipeline {
            client: &client,
            store,
            queue: queue.as_ref(),
            request_id: &item.invite.request_id,
            source: Source::Queue,
            background: None,
        };
        let outcome = pipeline.settle(&item.key, input, outcome).await;
        let attempts_made = item.invite.attempt.saturating_add(1);
        let log = |outcome: &'static str, reason: Option<&'static str>| {
            ApplicationLog {
                event: "application",
                request_id: &item.invite.request_id,
                position_id: item.position.as_str(),
                candidate: item.key.log_tag(),
                source: Source::Queue,
                outcome,
                reason,
                hireflix_ms: Some(hireflix_ms),
                attempt: attempts_made,
            }
            .emit()
        };
        match outcome {
            InviteOutcome::Invited(_) => {
                log("invited", None);
                item.message.ack();
            }
            InviteOutcome::AlreadyExists => {
                // Hireflix has their interview and has emailed it: nothing more to do.
                log("already_invited", Some("no_matching_interview"));
                item.message.ack();
            }
            InviteOutcome::InvitedWithoutLink(reason) => {
                // Made, and emailed by Hireflix; only the link is unusable. Forget "queued".
                log("invited_without_link", Some(reason));
                let _ = store.kv().delete(&item.key.kv_key()).await;
                item.message.ack();
            }
            InviteOutcome::Transient(reason) if attempts_made >= config.max_invite_attempts => {
                log("dead_letter", Some(reason.as_str()));
                let _ = store.kv().delete(&item.key.kv_key()).await;
                let why = format!(
                    "gave_up_after_{attempts_made}_attempts: {}",
                    reason.as_str()
                );
                dead_letter(&item.message, dlq.as_ref(), item.letter(why)).await;
            }
            InviteOutcome::Transient(reason) => {
                log("requeued", Some(reason.as_str()));
                let delay = backoff_seconds(config.retry_base_delay_seconds, attempts_made);
                requeue(
                    &item.message,
                    queue.as_ref(),
                    &item.invite.next_attempt(),
                    delay,
                )
                .await;
            }
            InviteOutcome::Permanent(permanent) => {
                log("dead_letter", Some(permanent.as_str()));
                // Forget "queued" so a resubmission hears the real answer at once.
                let _ = store.kv().delete(&item.key.kv_key()).await;
                let letter = item.letter(permanent.as_str().into());
                dead_letter(&item.message, dlq.as_ref(), letter).await;
            }
        }
    }
}

/// A failure of the request itself (a GraphQL error or an unreadable answer), not of one invite.
fn failed_as_a_whole(outcome: &InviteOutcome) -> bool {
    matches!(
        outcome,
        InviteOutcome::Transient(Transient::Upstream | Transient::Malformed)
    )
}

impl Pending {
    fn letter(&self, reason: String) -> DeadLetter {
        DeadLetter {
            invite: Some(self.invite.next_attempt()),
            unreadable: None,
            reason,
        }
    }
}

/// A fresh message carries the attempt count and its own, growing, delay. Only once it is
/// safely sent is the old one acked; if sending fails the platform retries the old one.
async fn requeue(message: &Message<Value>, queue: Option<&Queue>, next: &QueuedInvite, delay: u32) {
    let sent = match queue {
        Some(queue) => queue
            .send(
                MessageBuilder::new(next.clone())
                    .delay_seconds(delay)
                    .build(),
            )
            .await
            .is_ok(),
        None => false,
    };
    if sent {
        message.ack();
    } else {
        message.retry_with_options(
            &QueueRetryOptionsBuilder::new()
                .with_delay_seconds(delay)
                .build(),
        );
    }
}

async fn dead_letter(message: &Message<Value>, dlq: Option<&Queue>, letter: DeadLetter) {
    let sent = match dlq {
        Some(dlq) => dlq.send(letter).await.is_ok(),
        None => false,
    };
    if sent {
        message.ack();
    } else {
        // Never drop it: after max_retries the platform moves it to the DLQ itself.
        message.retry();
    }
}

/// Files each dead letter in KV under the candidate's key, with its reason, for an operator to
/// read or replay. Letters the platform moved here itself carry no reason of ours.
async fn keep_dead_letters(messages: Vec<Message<Value>>, store: &Store) {
    for message in messages {
        let body = message.body().clone();
        let (invite, reason) = match (
            body.get("invite"),
            body.get("reason").and_then(Value::as_str),
        ) {
            (Some(invite), Some(reason)) => (invite.clone(), reason.to_string()),
            _ => (body.clone(), "delivery_retries_exhausted".to_string()),
        };
        let key = serde_json::from_value::<QueuedInvite>(invite.clone())
            .ok()
            .and_then(|q| q.application())
            .map(|(position, application)| CandidateKey::new(&position, &application.email));
        let kv_key = key.as_ref().map_or_else(
            || format!("failed:v1:unreadable:{}", message.id()),
            CandidateKey::failed_kv_key,
        );
        if let Some(key) = &key {
            // A letter the platform moved here left its "queued" record behind: without this a
            // resubmission would hear "queued" for as long as the record lives.
            let _ = store.kv().delete(&key.kv_key()).await;
        }
        let entry = json!({ "reason": reason, "failedAt": now_ms(), "invite": invite });
        let stored = store
            .put_text(&kv_key, &entry.to_string(), store.ttl_seconds())
            .await;
        worker::console_log!(
            "{}",
            json!({
                "event": "dead_letter_filed",
                "candidate": key.as_ref().map(CandidateKey::log_tag),
                "reason": reason,
                "stored": stored,
            })
        );
        if stored {
            message.ack();
        } else {
            message.retry();
        }
    }
}
