//! Every KV key, built here only: ids and keyed digests, never an email or a name. Candidate
//! keys are `v2` (HMAC); `v1` keys (plain SHA-256) are no longer read and expire.

use crate::domain::CandidateKey;

/// The account's positions, with when they were read (`v1`: the list alone).
pub const POSITIONS: &str = "positions:v2";

pub const HEALTH: &str = "health:v1";

pub fn candidate(key: &CandidateKey) -> String {
    format!("app:v2:{}:{}", key.position(), key.digest())
}

/// The record a ledger row names (`position:digest`, its erasure); anything else is no key,
/// so the ledger's answer can only ever name a candidate record.
pub fn recorded(row: &str) -> Option<String> {
    let hex = |(at, b): (usize, u8)| {
        if at == 24 {
            b == b':'
        } else {
            matches!(b, b'0'..=b'9' | b'a'..=b'f')
        }
    };
    (row.len() == 24 + 1 + 64 && row.bytes().enumerate().all(hex)).then(|| format!("app:v2:{row}"))
}

pub const DEAD_LETTER_PREFIX: &str = "failed:";

/// Under the candidate, or the queue message's id when it could not be read as an application.
pub fn dead_letter(key: Option<&CandidateKey>, message_id: &str) -> String {
    match key {
        Some(key) => format!("failed:v2:{}:{}", key.position(), key.digest()),
        None => format!("failed:v2:unreadable:{message_id}"),
    }
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
        let (record, letter) = (candidate(&key), dead_letter(Some(&key), "m"));
        assert!(record.starts_with("app:v2:68b43e38b19cf131a17c543f:"));
        assert!(letter.starts_with("failed:v2:68b43e38b19cf131a17c543f:"));
        for k in [record.clone(), letter] {
            assert!(!k.contains("ann") && !k.contains('@'), "{k}");
        }
        // What the ledger's row kept for this key reads back as the same record, and nothing
        // else reads as a key at all.
        let digest = key.digest();
        let kept = format!("{position}:{digest}");
        assert_eq!(recorded(&kept), Some(record));
        for bad in [
            String::new(),
            format!("{position}:"),
            format!("{position}{digest}"),
            format!("nope:{digest}"),
            format!("{position}:{}", digest.to_ascii_uppercase()),
            format!("{position}:{}", &digest[1..]),
            format!("{position}:{digest}0"),
            format!("{position}:{digest}:x"),
            format!("{position}:../{}", &digest[3..]),
        ] {
            assert_eq!(recorded(&bad), None, "{bad}");
        }
    }
}
