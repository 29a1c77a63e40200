//! What the queues carry, read again: a [`QueuedInvite`], and a dead letter.

use crate::apply::invite::Candidate;
use crate::apply::QueuedInvite;
use crate::domain::{CandidateKey, Email, PositionId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The fields every queued application has (`phoneNumber` may be absent).
const REQUIRED: &str = "positionId firstName lastName email attempt requestId";

/// A message body as a queued application (parsed again, like any data from outside), or the
/// dead letter saying why not: field names and kinds of error, never a value. One posted more
/// than `max_wait_ms` ago is no invite any more: `waited_too_long`, as the line says its own.
pub fn read(
    body: &Value,
    now_ms: u64,
    max_wait_ms: u64,
    secret: &str,
) -> Result<Candidate, Box<DeadLetter>> {
    let unreadable =
        |reason: String| Box::new(DeadLetter::new(reason, None, Some(body.to_string())));
    let invite = QueuedInvite::deserialize(body).map_err(|_| {
        let missing: Vec<&str> = REQUIRED
            .split(' ')
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
    if invite.waited_too_long(max_wait_ms, now_ms) {
        let reason = "waited_too_long".to_string();
        return Err(Box::new(DeadLetter::new(reason, Some(invite), None)));
    }
    let key = CandidateKey::new(secret, &position, &application.email);
    Ok(Candidate {
        position,
        application,
        key,
        invite,
    })
}

/// The application (or the message that was none) and why it could not become an interview;
/// the same on the dead-letter queue, in the store and in the admin API. Typed: the queue
/// serialiser turns a `Value` object into a JS `Map`, which does not read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub reason: String,
    /// When it was filed (ms); not yet on the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<QueuedInvite>,
    /// Otherwise the message as JSON text (or only its type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

impl DeadLetter {
    pub fn new(reason: String, invite: Option<QueuedInvite>, unreadable: Option<String>) -> Self {
        DeadLetter {
            reason,
            failed_at: None,
            invite,
            unreadable,
        }
    }

    /// Our letters keep their reason; anything else the platform moved here when its deliveries
    /// ran out.
    pub fn read(body: &Value) -> DeadLetter {
        DeadLetter::deserialize(body).unwrap_or_else(|_| {
            let invite = QueuedInvite::deserialize(body).ok();
            let unreadable = invite.is_none().then(|| body.to_string());
            DeadLetter::new("delivery_retries_exhausted".into(), invite, unreadable)
        })
    }

    /// Whose application this is, from its position and email alone.
    pub fn candidate(&self) -> Option<(PositionId, Email)> {
        let (position, email) = match (&self.invite, &self.unreadable) {
            (Some(invite), _) => (invite.position_id.clone(), invite.email.clone()),
            (None, Some(text)) => {
                let body: Value = serde_json::from_str(text).ok()?;
                let field = |name: &str| body.get(name)?.as_str().map(String::from);
                (field("positionId")?, field("email")?)
            }
            (None, None) => return None,
        };
        Some((PositionId::parse(&position)?, Email::parse(&email).ok()?))
    }

    /// When the application was made; 0 when it does not say: older than any erasure.
    pub fn applied_ms(&self) -> u64 {
        self.invite.as_ref().map_or(0, |invite| invite.applied_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::Tally;
    use crate::domain::ApplicationForm;
    use serde_json::json;

    #[test]
    fn a_message_round_trips_and_is_revalidated() {
        let form = ApplicationForm::from_pairs([
            ("firstName", "Ann"),
            ("lastName", "Lee"),
            ("email", "ann@example.com"),
        ]);
        let position = PositionId::parse("68b43e38b19cf131a17c543f").unwrap();
        let invite = QueuedInvite {
            attempt: 1,
            ..QueuedInvite::new(&position, &form, "req")
        };
        let json = serde_json::to_string(&invite).unwrap();
        let back: QueuedInvite = serde_json::from_str(&json).unwrap();
        assert_eq!(back, invite);
        assert!(read(&serde_json::to_value(&back).unwrap(), 0, 0, "s").is_ok());
        assert_eq!(Tally::Counted.next(&back).attempt, 2);
        assert!(
            !json.contains("quotaRefusals"),
            "unchanged shape for ordinary messages"
        );
        let spared = Tally::Spared.next(&Tally::Spared.next(&back));
        assert_eq!((spared.attempt, spared.counted_attempts()), (3, 1));
        let json = serde_json::to_string(&spared).unwrap();
        assert!(json.contains(r#""quotaRefusals":2"#));
        let tampered = QueuedInvite {
            email: "not an email".into(),
            ..invite
        };
        assert!(read(&serde_json::to_value(&tampered).unwrap(), 0, 0, "s").is_err());
    }

    fn body(first_name: &str, email: &str) -> Value {
        serde_json::json!({ "positionId": "68b43e38b19cf131a17c543f", "firstName": first_name,
            "lastName": "Lee", "email": email, "phoneNumber": "", "attempt": 2, "requestId": "r" })
    }

    #[test]
    fn an_unreadable_message_says_why_and_whose_it_is() {
        assert!(read(&body("Ann", "ann@example.com"), 0, 0, "s").is_ok());
        // Valid when queued, refused by today's rules: the reason names the field and the rule.
        let stale = read(&body("Ann2", "ann@example.com"), 0, 0, "s").unwrap_err();
        assert_eq!(stale.reason, "invalid_fields: firstName not_a_name");
        let (position, email) = stale.candidate().unwrap();
        assert_eq!(position.as_str(), "68b43e38b19cf131a17c543f");
        assert_eq!(email.as_str(), "ann@example.com");
        let no_email = read(&body("Ann", "nope"), 0, 0, "s").unwrap_err();
        assert_eq!(no_email.reason, "invalid_fields: email not_an_email");
        assert_eq!(no_email.candidate(), None);
        let shapeless = read(
            &serde_json::json!({ "positionId": "68b43e38b19cf131a17c543f", "email": "a@b.co" }),
            0,
            0,
            "s",
        )
        .unwrap_err();
        assert_eq!(
            shapeless.reason,
            "not_an_invite: missing firstName, lastName, attempt, requestId"
        );
        assert!(shapeless.candidate().is_some());
        let mistyped = read(
            &serde_json::json!({ "positionId": 1, "firstName": "A", "lastName": "B",
            "email": "secret@example.com", "attempt": "x", "requestId": "r" }),
            0,
            0,
            "s",
        )
        .unwrap_err();
        assert_eq!(mistyped.reason, "not_an_invite: mistyped fields");
        assert!(!mistyped.reason.contains("secret"));
        assert_eq!(
            read(&Value::from(7), 0, 0, "s").unwrap_err().candidate(),
            None
        );
    }

    fn invite(first_name: &str) -> Value {
        json!({ "positionId": "68b43e38b19cf131a17c543f", "firstName": first_name, "lastName": "Lee",
            "email": "ann@example.com", "phoneNumber": "", "attempt": 3, "requestId": "r" })
    }

    #[test]
    fn our_letters_keep_their_reason_and_their_candidate() {
        let gave_up =
            DeadLetter::read(&json!({ "invite": invite("Ann"), "reason": "position_not_ready" }));
        assert_eq!(gave_up.reason, "position_not_ready");
        assert!(gave_up.candidate().is_some());
        let filed = DeadLetter {
            failed_at: Some(5),
            ..gave_up
        };
        let filed = serde_json::to_value(&filed).unwrap();
        assert_eq!(filed["invite"], invite("Ann"));
        assert_eq!(filed["failedAt"], 5);

        let unreadable = json!({
            "unreadable": invite("Ann2").to_string(),
            "reason": "invalid_fields: firstName not_a_name",
        });
        let letter = DeadLetter::read(&unreadable);
        assert_eq!(letter.reason, "invalid_fields: firstName not_a_name");
        let (position, email) = letter.candidate().unwrap();
        assert_eq!(
            (position.as_str(), email.as_str()),
            ("68b43e38b19cf131a17c543f", "ann@example.com")
        );
        let entry = serde_json::to_value(&letter).unwrap();
        assert_eq!(entry["unreadable"], unreadable["unreadable"]);
        assert!(entry.get("invite").is_none());

        let unknowable =
            DeadLetter::read(&json!({ "unreadable": "bigint", "reason": "unreadable_body" }));
        assert_eq!(unknowable.reason, "unreadable_body");
        assert_eq!(unknowable.candidate(), None);
    }

    #[test]
    fn a_letter_says_when_its_application_was_made_and_an_old_one_counts_as_oldest() {
        let made = |text: &str| DeadLetter::new("r".into(), None, Some(text.into())).applied_ms();
        let mut body = invite("Ann");
        assert_eq!(
            DeadLetter::read(&body).applied_ms(),
            0,
            "queued before the field"
        );
        body["appliedMs"] = json!(1_700_000_000_000u64);
        assert_eq!(DeadLetter::read(&body).applied_ms(), 1_700_000_000_000);
        assert_eq!(
            made(&body.to_string()),
            0,
            "not an application: as old as can be"
        );
    }

    #[test]
    fn a_message_the_platform_moved_is_filed_as_such() {
        let letter = DeadLetter::read(&invite("Ann"));
        assert_eq!(letter.reason, "delivery_retries_exhausted");
        assert_eq!(
            letter.invite.map(|i| serde_json::to_value(i).unwrap()),
            Some(invite("Ann"))
        );
        // Not even an application: kept as text, still tied to its candidate where it can be.
        let odd = json!({ "positionId": "68b43e38b19cf131a17c543f", "email": "ann@example.com" });
        let letter = DeadLetter::read(&odd);
        assert_eq!(letter.unreadable, Some(odd.to_string()));
        assert!(letter.candidate().is_some());
    }

    #[test]
    fn an_application_posted_longer_ago_than_the_longest_wait_is_a_dead_letter_whatever_held_it() {
        // The shipped 72 hours and the hour of grace; posted at 1, 10, 20 and 30 days, each
        // parked since (a spent quota, a full budget, Hireflix down).
        const HOUR: u64 = 3_600_000;
        let max_wait = 73 * HOUR;
        let now = 1_771_065_000_000;
        let mut message = invite("Ann");
        message["attempt"] = json!(4);
        message["admitted"] = json!(true);
        message["appliedMs"] = json!(now - max_wait - 1);
        let letter = read(&message, now, max_wait, "s").unwrap_err();
        assert_eq!(letter.reason, "waited_too_long", "the line's own reason");
        let kept = letter.invite.as_ref().unwrap();
        assert_eq!((kept.email.as_str(), kept.attempt), ("ann@example.com", 4));
        assert!(
            letter.candidate().is_some(),
            "its queued record is forgotten"
        );
        message["appliedMs"] = json!(now - max_wait);
        assert!(
            read(&message, now, max_wait, "s").is_ok(),
            "not longer than the wait"
        );
        // Queued before messages said when they were posted: as before, never too old.
        let unstamped = invite("Ann");
        assert!(read(&unstamped, now, max_wait, "s").is_ok());
    }
}
