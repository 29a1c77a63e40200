//! What the queues carry: an application waiting for Hireflix, and a dead letter.

use crate::domain::{Application, ApplicationForm, Consent, Email, PositionId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

    /// The position and the application, parsed again as [`read`] does; `None` when it no
    /// longer reads as one.
    pub fn application(&self) -> Option<(PositionId, Application)> {
        let position = PositionId::parse(&self.position_id)?;
        Some((position, self.form().parse().ok()?))
    }

    fn form(&self) -> ApplicationForm {
        ApplicationForm {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone_number: self.phone_number.clone(),
        }
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

/// Why a queue message is no application we can invite: its reason in words fit for a log line
/// and a dead letter (field names and kinds of error, never a value), and whose it is when its
/// position and email still read, so their "queued" record can be cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub reason: String,
    pub candidate: Option<(PositionId, Email)>,
}

/// The fields every queued application has (`phoneNumber` may be absent).
const REQUIRED: [&str; 6] = [
    "positionId",
    "firstName",
    "lastName",
    "email",
    "attempt",
    "requestId",
];

/// Reads a message body as a queued application, or says exactly why it is not one (say, a
/// deploy tightened validation while it waited). Parsed again on the way out: a message is
/// data from outside like any other.
pub fn read(body: &Value) -> Result<(QueuedInvite, PositionId, Application), Unreadable> {
    let unreadable = |reason: String| Unreadable {
        reason,
        candidate: identify(body),
    };
    let invite = QueuedInvite::deserialize(body).map_err(|_| {
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|field| body.get(field).is_none())
            .collect();
        unreadable(if missing.is_empty() {
            "not_an_invite: mistyped fields".to_string()
        } else {
            format!("not_an_invite: missing {}", missing.join(", "))
        })
    })?;
    let position = PositionId::parse(&invite.position_id)
        .ok_or_else(|| unreadable("invalid_position_id".to_string()))?;
    let application = invite.form().parse().map_err(|errors| {
        let each: Vec<String> = errors
            .iter()
            .map(|(field, error)| format!("{} {}", field.wire_name(), error.kind()))
            .collect();
        unreadable(format!("invalid_fields: {}", each.join(", ")))
    })?;
    Ok((invite, position, application))
}

/// Whose message this is, from its position and email alone, whatever else is wrong with it.
pub fn identify(body: &Value) -> Option<(PositionId, Email)> {
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    let position = PositionId::parse(field("positionId")?)?;
    let email = Email::parse(field("email")?).ok()?;
    Some((position, email))
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
        assert!(read(&serde_json::to_value(&back).unwrap()).is_ok());
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
        assert!(read(&serde_json::to_value(&tampered).unwrap()).is_err());
    }

    fn body(first_name: &str, email: &str) -> Value {
        serde_json::json!({ "positionId": "68b43e38b19cf131a17c543f", "firstName": first_name,
            "lastName": "Lee", "email": email, "phoneNumber": "", "attempt": 2, "requestId": "r" })
    }

    #[test]
    fn an_unreadable_message_says_why_and_whose_it_is() {
        assert!(read(&body("Ann", "ann@example.com")).is_ok());
        // Valid when queued, refused by today's rules: the reason names the field and the rule.
        let stale = read(&body("Ann2", "ann@example.com")).unwrap_err();
        assert_eq!(stale.reason, "invalid_fields: firstName not_a_name");
        let (position, email) = stale.candidate.unwrap();
        assert_eq!(position.as_str(), "68b43e38b19cf131a17c543f");
        assert_eq!(email.as_str(), "ann@example.com");
        let no_email = read(&body("Ann", "nope")).unwrap_err();
        assert_eq!(no_email.reason, "invalid_fields: email not_an_email");
        assert_eq!(no_email.candidate, None);
        let shapeless = read(
            &serde_json::json!({ "positionId": "68b43e38b19cf131a17c543f", "email": "a@b.co" }),
        )
        .unwrap_err();
        assert_eq!(
            shapeless.reason,
            "not_an_invite: missing firstName, lastName, attempt, requestId"
        );
        assert!(shapeless.candidate.is_some());
        let mistyped = read(
            &serde_json::json!({ "positionId": 1, "firstName": "A", "lastName": "B",
            "email": "secret@example.com", "attempt": "x", "requestId": "r" }),
        )
        .unwrap_err();
        assert_eq!(mistyped.reason, "not_an_invite: mistyped fields");
        assert!(!mistyped.reason.contains("secret"));
        assert_eq!(read(&Value::from(7)).unwrap_err().candidate, None);
    }
}
