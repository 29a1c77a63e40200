//! HMAC-SHA256 under `APP_SECRET`: every value that stands for a candidate where their email
//! cannot (KV keys, log tags, Hireflix's externalId, the names tag, link passes).
//!
//! Keyed, not a plain hash: anyone can hash a list of addresses, so a plain SHA-256 of an
//! email in a KV key, a log line or Hireflix's externalId told whoever saw it whether that
//! address had applied. Without the secret these values are unlinkable to any address.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = hmac::Hmac<Sha256>;

/// Hex HMAC-SHA256 of `label` followed by `parts`, each part ended by a NUL so that no two
/// lists of parts give the same message. `label` names the use and its version
/// (`b"hireflix-apply/candidate/v2\0"`), so values made for one use never match another's.
pub fn hmac_hex(secret: &str, label: &[u8], parts: &[&[u8]]) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        // HMAC takes a key of any length; this arm cannot be reached.
        return String::new();
    };
    mac.update(label);
    for part in parts {
        mac.update(part);
        mac.update(b"\0");
    }
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two secrets (a link pass, the admin token) through their digests, so the time
/// taken says nothing about how much of either was right, nor about its length.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4231_test_case_2() {
        // Key "Jefe", data "what do ya want for nothing?": here the data is label + nothing.
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            expected,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hmac_hex("Jefe", b"what do ya want for nothing?", &[]),
            expected
        );
    }

    #[test]
    fn parts_are_delimited_and_the_secret_matters() {
        let a = hmac_hex("secret-one", b"use/v1\0", &[b"ab", b"c"]);
        assert_ne!(a, hmac_hex("secret-one", b"use/v1\0", &[b"a", b"bc"]));
        assert_ne!(a, hmac_hex("secret-two", b"use/v1\0", &[b"ab", b"c"]));
        assert_ne!(a, hmac_hex("secret-one", b"use/v2\0", &[b"ab", b"c"]));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", "a"));
    }
}
