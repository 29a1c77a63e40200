//! Every KV key the worker reads or writes, built here and nowhere else. Keys hold ids and
//! keyed digests only, never an email or a name. The version marks the key format, so a change
//! can tell old records from new ones: candidate keys are `v2` (HMAC under `APP_SECRET`); `v1`
//! keys (plain SHA-256) are no longer read and expire on their own.

use crate::domain::CandidateKey;

/// The account's positions, shared by every isolate, with when they were read (`v1`: the
/// list alone, expiring after 5 minutes).
pub const POSITIONS: &str = "positions:v2";

/// The last deep health check's answer about Hireflix.
pub const HEALTH: &str = "health:v1";

/// One candidate's state in one position.
pub fn candidate(key: &CandidateKey) -> String {
    format!("app:v2:{}:{}", key.position(), key.digest())
}

/// Every dead letter's key starts with this.
pub const DEAD_LETTER_PREFIX: &str = "failed:";

/// A dead letter filed for an operator.
pub fn dead_letter(key: &CandidateKey) -> String {
    format!("failed:v2:{}:{}", key.position(), key.digest())
}

/// A dead letter that could not be read as an application, by its queue message id.
pub fn unreadable_dead_letter(message_id: &str) -> String {
    format!("failed:v2:unreadable:{message_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, PositionId};

    #[test]
    fn keys_name_the_position_and_hide_the_person() {
        let position = PositionId::parse("68b43e38b19cf131a17c543f").unwrap();
        let email = Email::parse("ann@example.com").unwrap();
        let key = CandidateKey::new(
            "test-app-secret-9f3c1d2e7a6b5c4d3e2f1a0b",
            &position,
            &email,
        );
        let (record, letter) = (candidate(&key), dead_letter(&key));
        assert!(record.starts_with("app:v2:68b43e38b19cf131a17c543f:"));
        assert!(letter.starts_with("failed:v2:68b43e38b19cf131a17c543f:"));
        for k in [record, letter] {
            assert!(!k.contains("ann") && !k.contains('@'), "{k}");
        }
    }
}
