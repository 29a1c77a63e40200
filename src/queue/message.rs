//! What the queues carry: an application waiting for Hireflix, and a dead letter.

use crate::domain::{Application, ApplicationForm, Consent, PositionId};
use serde::{Deserialize, Serialize};

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
    /// Tries made so far for this application: Hireflix calls, and checks the invite ledger
    /// could not answer.
    pub attempt: u32,
    pub request_id: String,
    /// Of those, calls Hireflix refused because the plan's quota was spent: they do not count
    /// against `MAX_INVITE_ATTEMPTS`, so a spent quota never uses an application up.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub quota_refusals: u32,
    /// The candidate's consent, for the record written once Hireflix has the invite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
            quota_refusals: 0,
            consent: None,
        }
    }

    pub fn with_quota_refusals(self, quota_refusals: u32) -> Self {
        QueuedInvite {
            quota_refusals,
            ..self
        }
    }

    pub fn with_consent(self, consent: Option<Consent>) -> Self {
        QueuedInvite { consent, ..self }
    }

    /// The tries that count against `MAX_INVITE_ATTEMPTS`.
    pub fn counted_attempts(&self) -> u32 {
        self.attempt.saturating_sub(self.quota_refusals)
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

    /// After a call refused for quota: one more call made, none more counted.
    pub fn spared_attempt(&self) -> QueuedInvite {
        QueuedInvite {
            quota_refusals: self.quota_refusals.saturating_add(1),
            ..self.next_attempt()
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(
            !json.contains("quotaRefusals"),
            "unchanged shape for ordinary messages"
        );
        let spared = back.spared_attempt().spared_attempt();
        assert_eq!((spared.attempt, spared.counted_attempts()), (3, 1));
        let json = serde_json::to_string(&spared).unwrap();
        assert!(json.contains(r#""quotaRefusals":2"#));
        let tampered = QueuedInvite {
            email: "not an email".into(),
            ..invite
        };
        assert!(tampered.application().is_none());
    }
}
