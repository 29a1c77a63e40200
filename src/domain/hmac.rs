//! HMAC-SHA256 under `APP_SECRET` for every value that stands for a candidate where their
//! email cannot: keyed, since anyone can hash a list of addresses and look for them.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::cell::RefCell;

type HmacSha256 = hmac::Hmac<Sha256>;

thread_local! {
    /// The HMAC state after its key: keying costs two SHA-256 blocks, as much as a message.
    static KEYED: RefCell<Option<(String, HmacSha256)>> = const { RefCell::new(None) };
}

fn keyed(secret: &str) -> HmacSha256 {
    KEYED.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some((_, mac)) = slot.as_ref().filter(|(key, _)| key == secret) {
            return mac.clone();
        }
        // HMAC takes a key of any length: `new_from_slice` never refuses one.
        let mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
        *slot = Some((secret.to_string(), mac.clone()));
        mac
    })
}

/// Hex HMAC of `label` (the use and its version) then `parts`, each ended by a NUL so no two
/// lists of parts give the same message.
pub fn hmac_hex(secret: &str, label: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = keyed(secret);
    mac.update(label);
    for part in parts {
        mac.update(part);
        mac.update(b"\0");
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two secrets through their digests: the time says nothing of either, nor its length.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    let differ = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    differ == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uncached(secret: &str, message: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(message);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn the_kept_key_gives_what_a_fresh_key_gives_and_follows_the_secret() {
        let first = hmac_hex("secret-one", b"label\0", &[b"a", b"b"]);
        assert_eq!(first, uncached("secret-one", b"label\0a\0b\0"));
        // Asked again (the kept state) and under another secret (the state replaced).
        assert_eq!(hmac_hex("secret-one", b"label\0", &[b"a", b"b"]), first);
        let other = hmac_hex("secret-two", b"label\0", &[b"a", b"b"]);
        assert_eq!(other, uncached("secret-two", b"label\0a\0b\0"));
        assert_ne!(other, first);
        assert_eq!(first.len(), 64);
    }

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
