//! The promise behind "your invite will arrive by email": invites that hit a transient failure
//! wait in a Cloudflare Queue and are retried, batched, until they succeed or are set aside in
//! the dead-letter queue with their reason.

use crate::domain::{Application, ApplicationForm, PositionId};
use serde::{Deserialize, Serialize};

pub const INVITE_QUEUE_BINDING: &str = "INVITE_QUEUE";
pub const DLQ_BINDING: &str = "INVITE_DLQ";
pub const DLQ_NAME: &str = "hireflix-apply-invites-dlq";

/// Retries never wait longer than this, so a recovered Hireflix is used within the hour.
const MAX_DELAY_SECONDS: u32 = 3_600;

/// An application waiting for Hireflix. It holds the candidate's data because the invite needs
/// it; queues are private to the account, and the message leaves once the invite is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedInvite {
    pub position_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(default)]
    pub phone_number: String,
    /// Hireflix calls made so far for this application.
    pub attempt: u32,
    pub request_id: String,
}

impl QueuedInvite {
    pub fn new(
        position: &PositionId,
        form: &ApplicationForm,
        attempt: u32,
        request_id: &str,
    ) -> Self {
        QueuedInvite {
            position_id: position.as_str().to_string(),
            first_name: form.first_name.clone(),
            last_name: form.last_name.clone(),
            email: form.email.clone(),
            phone_number: form.phone_number.clone(),
            attempt,
            request_id: request_id.to_string(),
        }
    }

    /// Parsed again on the way out: a message is data from outside like any other.
    pub fn application(&self) -> Option<(PositionId, Application)> {
        let position = PositionId::parse(&self.position_id)?;
        let form = ApplicationForm {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone_number: self.phone_number.clone(),
        };
        Some((position, form.parse().ok()?))
    }

    pub fn next_attempt(&self) -> QueuedInvite {
        QueuedInvite {
            attempt: self.attempt.saturating_add(1),
            ..self.clone()
        }
    }
}

/// What the dead-letter queue holds: the application and why it could not become an interview.
/// A typed struct, not a `serde_json::Value`: the queue serialiser turns a `Value` object into
/// a JS `Map`, which does not come back as the same JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The application, when the message was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<QueuedInvite>,
    /// The message as JSON text, when it could not be read as an application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
    pub reason: String,
}

/// Exponential backoff: base, 2×base, 4×base, ... capped at an hour.
pub fn backoff_seconds(base: u32, attempts_made: u32) -> u32 {
    let factor = 1u32
        .checked_shl(attempts_made.saturating_sub(1).min(16))
        .unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(MAX_DELAY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        let delays: Vec<u32> = (1..=9).map(|n| backoff_seconds(30, n)).collect();
        assert_eq!(delays, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff_seconds(30, 1000), 3600);
        assert_eq!(backoff_seconds(0, 5), 0);
    }

    #[test]
    fn a_message_round_trips_and_is_revalidated() {
        let form = ApplicationForm::from_pairs([
            ("firstName", "Ann"),
            ("lastName", "Lee"),
            ("email", "ann@example.com"),
        ]);
        let position = PositionId::parse("68b43e38b19cf131a17c543f").unwrap();
        let invite = QueuedInvite::new(&position, &form, 1, "req");
        let json = serde_json::to_string(&invite).unwrap();
        let back: QueuedInvite = serde_json::from_str(&json).unwrap();
        assert_eq!(back, invite);
        assert!(back.application().is_some());
        assert_eq!(back.next_attempt().attempt, 2);
        let tampered = QueuedInvite {
            email: "not an email".into(),
            ..invite
        };
        assert!(tampered.application().is_none());
    }
}
