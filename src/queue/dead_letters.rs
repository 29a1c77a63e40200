//! The dead-letter consumer: files each letter in KV under the candidate's key, with its
//! reason, for an operator to read or replay. Letters the platform moved here itself carry no
//! reason of ours.

use super::message::QueuedInvite;
use crate::domain::CandidateKey;
use crate::log::now_ms;
use crate::store::Store;
use serde_json::{json, Value};
use worker::{Message, MessageExt};

pub async fn keep(messages: Vec<Message<Value>>, store: &Store) {
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
        if let Some(key) = &key {
            // A letter the platform moved here left its "queued" record behind: without this a
            // resubmission would hear "queued" for as long as the record lives.
            store.forget(key).await;
        }
        let entry = json!({ "reason": reason, "failedAt": now_ms(), "invite": invite });
        let stored = store
            .file_dead_letter(key.as_ref(), &message.id(), &entry.to_string())
            .await;
        worker::console_log!(
            "{}",
            json!({
                "event": "dead_letter_filed",
                "level": if stored { "warn" } else { "error" },
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
