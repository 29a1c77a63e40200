//! The stable identity of one candidate applying to one position.

use super::{Email, PositionId};
use sha2::{Digest, Sha256};

/// Derived from the position and the normalised email, and nothing else, so every resubmission
/// and every retry of the same application maps to the same key. The email only enters as a
/// SHA-256 digest: neither KV keys nor Hireflix's externalId hold the address itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateKey {
    position: PositionId,
    digest: String,
}

impl CandidateKey {
    pub fn new(position: &PositionId, email: &Email) -> Self {
        let mut hasher = Sha256::new();
        // Domain-separated so the digest cannot be confused with any other hash of an email.
        hasher.update(b"hireflix-apply/v1\0");
        hasher.update(position.as_str().as_bytes());
        hasher.update(b"\0");
        hasher.update(email.dedupe_form().as_bytes());
        let digest = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        CandidateKey {
            position: position.clone(),
            digest,
        }
    }

    /// Sent to Hireflix as the interview's externalId: Hireflix refuses a second interview with
    /// the same externalId in a position, which makes a retried invite safe.
    pub fn external_id(&self) -> String {
        format!("hfa1-{}", self.digest)
    }

    pub fn position(&self) -> &PositionId {
        &self.position
    }

    /// The hex digest that stands for the candidate wherever an email cannot.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// A short, non-reversible tag that lets log lines of one application be joined up.
    pub fn log_tag(&self) -> &str {
        self.digest.get(..12).unwrap_or(&self.digest)
    }
}

/// A short hash of a person's names, folded for spacing and ASCII case, so a KV record can say
/// whose interview it holds without holding the names. An interview link is only handed to a
/// submission whose names match: knowing someone's email is not enough to open their interview.
/// ASCII folding, not Unicode: Unicode case tables cost about 12 KB of wasm, and "ZOË" against
/// "Zoë" failing to match only means the candidate is told to use the link Hireflix emailed.
pub fn names_tag(first_name: &str, last_name: &str) -> String {
    let fold = |name: &str| {
        name.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    };
    let mut hasher = Sha256::new();
    hasher.update(b"hireflix-apply/names/v1\0");
    hasher.update(fold(first_name).as_bytes());
    hasher.update(b"\0");
    hasher.update(fold(last_name).as_bytes());
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(position: &str, email: &str) -> CandidateKey {
        CandidateKey::new(
            &PositionId::parse(position).unwrap(),
            &Email::parse(email).unwrap(),
        )
    }

    const P1: &str = "68b43e38b19cf131a17c543f";
    const P2: &str = "68b43e38b19cf131a17c5440";

    #[test]
    fn same_candidate_however_typed_gets_the_same_key() {
        assert_eq!(key(P1, "Ann@Example.com"), key(P1, "  ann@example.COM "));
    }

    #[test]
    fn names_match_whatever_their_case_and_spacing() {
        assert_eq!(
            names_tag("Zoë", "Van  Dijk"),
            names_tag(" ZOë ", "van dijk")
        );
        assert_ne!(names_tag("Ann", "Lee"), names_tag("Anne", "Lee"));
        assert_ne!(names_tag("Ann", "Lee"), names_tag("Ann Lee", ""));
        assert_eq!(names_tag("Ann", "Lee").len(), 16);
    }

    #[test]
    fn positions_and_people_are_kept_apart() {
        assert_ne!(key(P1, "ann@example.com"), key(P2, "ann@example.com"));
        assert_ne!(key(P1, "ann@example.com"), key(P1, "bob@example.com"));
    }

    #[test]
    fn keys_never_contain_the_address_and_fit_hireflix_limits() {
        let k = key(P1, "ann@example.com");
        for s in [k.digest(), &k.external_id(), k.log_tag()] {
            assert!(!s.contains("ann") && !s.contains('@'), "{s}");
        }
        assert!(k.external_id().len() <= 255);
        // Fixed vector (computed with sha256sum): changing the derivation would orphan every
        // stored KV record and let a retry create a second interview under a new externalId.
        assert_eq!(
            k.external_id(),
            "hfa1-ec7be12802ac4c0e09bb872bdd6376cf66bb53c50dc2b858f10d471148ef6c27"
        );
        assert_eq!(k.external_id().len(), 5 + 64);
    }
}
