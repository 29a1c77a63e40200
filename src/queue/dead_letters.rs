//! The dead-letter consumer: files each letter in KV under the candidate's key, with its
//! reason, for an operator to read or replay, and clears the candidate's "queued" record.
//! Letters the platform moved here itself carry no reason of ours.
//!
//! A letter is acked only once KV has taken it; otherwise it comes back after a growing delay.
//! KV's daily write quota (1,000 a day on Workers Free) can refuse it for hours: the invite
//! ledger's Durable Object, whose storage has no such quota, is the better home, once that
//! branch has landed.

use super::message::identify;
use super::step::redeliver_delay_seconds;
use crate::domain::{CandidateKey, Email, PositionId};
use crate::log::now_ms;
use crate::store::Store;
use serde_json::{json, Map, Value};
use worker::{Message, MessageExt, QueueRetryOptionsBuilder};

pub async fn keep(
    messages: Vec<Message<Value>>,
    store: &Store,
    secret: Option<&str>,
    ttl_seconds: u64,
) {
    for message in messages {
        let letter = read_letter(message.body());
        // Without APP_SECRET a letter cannot be tied to its candidate: filed by message id.
        let key = letter
            .candidate
            .as_ref()
            .zip(secret)
            .map(|((position, email), secret)| CandidateKey::new(secret, position, email));
        if let Some(key) = &key {
            // A letter leaves its "queued" record behind: without this a resubmission would
            // hear "queued" for as long as the record lives.
            store.forget(key).await;
        }
        let entry = letter.entry(now_ms());
        let stored = store
            .file_dead_letter(key.as_ref(), &message.id(), &entry.to_string(), ttl_seconds)
            .await;
        worker::console_log!(
            "{}",
            json!({
                "event": "dead_letter_filed",
                "level": if stored { "warn" } else { "error" },
                "candidate": key.as_ref().map(CandidateKey::log_tag),
                "reason": letter.reason,
                "stored": stored,
            })
        );
        if stored {
            message.ack();
        } else {
            retry_later(&message);
        }
    }
}

/// Never again at once: a store that refused one write refuses the next too.
pub fn retry_later(message: &impl MessageExt) {
    let age_ms = now_ms().saturating_sub(message.timestamp().as_millis());
    let delay = redeliver_delay_seconds(age_ms / 1_000);
    message.retry_with_options(
        &QueueRetryOptionsBuilder::new()
            .with_delay_seconds(delay)
            .build(),
    );
}

/// A letter as the dead-letter queue holds it, read for filing.
#[derive(Debug, Clone, PartialEq)]
struct Letter {
    reason: String,
    /// The application, for a replay.
    invite: Option<Value>,
    /// A message that was no application: as the consumer saw it, JSON text.
    unreadable: Option<Value>,
    candidate: Option<(PositionId, Email)>,
}

impl Letter {
    fn entry(&self, failed_at: u64) -> Value {
        let mut entry = Map::new();
        entry.insert("reason".into(), Value::from(self.reason.as_str()));
        entry.insert("failedAt".into(), Value::from(failed_at));
        if let Some(invite) = &self.invite {
            entry.insert("invite".into(), invite.clone());
        }
        if let Some(unreadable) = &self.unreadable {
            entry.insert("unreadable".into(), unreadable.clone());
        }
        Value::Object(entry)
    }
}

/// Our letters (`super::message::DeadLetter`) keep their reason, whether they hold an
/// application or a message that could not be read as one; anything else is a message the
/// platform moved here when its deliveries ran out.
fn read_letter(body: &Value) -> Letter {
    let Some(reason) = body.get("reason").and_then(Value::as_str) else {
        return Letter {
            reason: "delivery_retries_exhausted".into(),
            invite: Some(body.clone()),
            unreadable: None,
            candidate: identify(body),
        };
    };
    let invite = body.get("invite").cloned();
    let unreadable = body.get("unreadable").cloned();
    // An unreadable message travels as JSON text; its position and email may still read.
    let parsed_unreadable = unreadable
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|text| serde_json::from_str::<Value>(text).ok());
    let candidate = invite
        .as_ref()
        .and_then(identify)
        .or_else(|| parsed_unreadable.as_ref().and_then(identify));
    Letter {
        reason: reason.to_string(),
        invite,
        unreadable,
        candidate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(first_name: &str) -> Value {
        json!({ "positionId": "68b43e38b19cf131a17c543f", "firstName": first_name, "lastName": "Lee",
            "email": "ann@example.com", "phoneNumber": "", "attempt": 3, "requestId": "r" })
    }

    #[test]
    fn our_letters_keep_their_reason_and_their_candidate() {
        let gave_up =
            read_letter(&json!({ "invite": invite("Ann"), "reason": "position_not_ready" }));
        assert_eq!(gave_up.reason, "position_not_ready");
        assert!(gave_up.candidate.is_some());
        assert_eq!(gave_up.entry(5)["invite"], invite("Ann"));

        let unreadable = json!({
            "unreadable": invite("Ann2").to_string(),
            "reason": "invalid_fields: firstName not_a_name",
        });
        let letter = read_letter(&unreadable);
        assert_eq!(letter.reason, "invalid_fields: firstName not_a_name");
        let (position, email) = letter.candidate.clone().unwrap();
        assert_eq!(
            (position.as_str(), email.as_str()),
            ("68b43e38b19cf131a17c543f", "ann@example.com")
        );
        let entry = letter.entry(5);
        assert_eq!(entry["unreadable"], unreadable["unreadable"]);
        assert_eq!(entry["failedAt"], 5);
        assert!(entry.get("invite").is_none());

        let unknowable =
            read_letter(&json!({ "unreadable": "bigint", "reason": "unreadable_body" }));
        assert_eq!(unknowable.reason, "unreadable_body");
        assert_eq!(unknowable.candidate, None);
    }

    #[test]
    fn a_message_the_platform_moved_is_filed_as_such() {
        let letter = read_letter(&invite("Ann"));
        assert_eq!(letter.reason, "delivery_retries_exhausted");
        assert_eq!(letter.invite, Some(invite("Ann")));
        assert!(letter.candidate.is_some());
    }
}
