//! The stable identity of one candidate applying to one position.

use super::hmac::hmac_hex;
use super::{Email, PositionId};

/// A link pass's cookie lifetime; the server refuses it after.
pub const LINK_PASS_MAX_AGE_SECONDS: u64 = 30 * 86_400;

/// An HMAC of the position and the normalised email, and nothing else, so every resubmission
/// and retry of one application maps to one key. Version 1 (a plain SHA-256) is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateKey {
    position: PositionId,
    digest: String,
}

impl CandidateKey {
    pub fn new(secret: &str, position: &PositionId, email: &Email) -> Self {
        let digest = hmac_hex(
            secret,
            b"hireflix-apply/candidate/v2\0",
            &[position.as_str().as_bytes(), email.dedupe_form().as_bytes()],
        );
        CandidateKey {
            position: position.clone(),
            digest,
        }
    }

    /// The interview's externalId: Hireflix refuses a second one in a position, which makes a
    /// retried invite safe. `hfa2-`: the keyed version.
    pub fn external_id(&self) -> String {
        format!("hfa2-{}", self.digest)
    }

    pub fn position(&self) -> &PositionId {
        &self.position
    }

    /// The hex digest that stands for the candidate wherever an email cannot.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// A browser's cookie once shown this candidate's interview link, to be shown it again:
    /// `issued.id.mac`, over the position, this key, the link, the issue time (Unix seconds)
    /// and a random id (each browser's pass its own).
    pub fn link_pass(&self, secret: &str, interview_url: &str, issued_s: u64, id: &str) -> String {
        let issued = issued_s.to_string();
        let mac = hmac_hex(
            secret,
            b"hireflix-apply/link-pass/v2\0",
            &[
                self.position.as_str().as_bytes(),
                self.digest.as_bytes(),
                interview_url.as_bytes(),
                issued.as_bytes(),
                id.as_bytes(),
            ],
        );
        format!("{issued}.{id}.{mac}")
    }

    /// A short, non-reversible tag that lets log lines of one application be joined up.
    pub fn log_tag(&self) -> &str {
        self.digest.get(..12).unwrap_or(&self.digest)
    }
}

/// A short keyed hash of a person's names, folded for spacing and ASCII case, so a KV record
/// says whose interview it holds without the names. ASCII, not Unicode: the case tables cost
/// about 12 KB of wasm, and "ZOË" missing "Zoë" only sends them to Hireflix's email.
pub fn names_tag(secret: &str, first_name: &str, last_name: &str) -> String {
    let fold = |name: &str| {
        name.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    };
    let mut tag = hmac_hex(
        secret,
        b"hireflix-apply/names/v2\0",
        &[fold(first_name).as_bytes(), fold(last_name).as_bytes()],
    );
    tag.truncate(16);
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-app-secret-9f3c1d2e7a6b5c4d3e2f1a0b";

    fn key(position: &str, email: &str) -> CandidateKey {
        CandidateKey::new(
            SECRET,
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
        let tag = |first, last| names_tag(SECRET, first, last);
        assert_eq!(tag("Zoë", "Van  Dijk"), tag(" ZOë ", "van dijk"));
        assert_ne!(tag("Ann", "Lee"), tag("Anne", "Lee"));
        assert_ne!(tag("Ann", "Lee"), tag("Ann Lee", ""));
        assert_ne!(tag("Ann", "Lee"), names_tag("another-secret", "Ann", "Lee"));
        assert_eq!(tag("Ann", "Lee").len(), 16);
    }

    #[test]
    fn a_link_pass_is_for_one_candidate_one_interview_one_issue() {
        const A: &str = "https://app.hireflix.com/a";
        let ann = key(P1, "ann@example.com");
        let pass = ann.link_pass(SECRET, A, 1_764_000_000, "00ff");
        assert!(pass.starts_with("1764000000.00ff."), "{pass}");
        assert_eq!(pass.len(), 16 + 64);
        assert_eq!(
            pass,
            key(P1, "ANN@example.com").link_pass(SECRET, A, 1_764_000_000, "00ff")
        );
        for other in [
            ann.link_pass(SECRET, "https://app.hireflix.com/b", 1_764_000_000, "00ff"),
            key(P2, "ann@example.com").link_pass(SECRET, A, 1_764_000_000, "00ff"),
            key(P1, "bob@example.com").link_pass(SECRET, A, 1_764_000_000, "00ff"),
            ann.link_pass(
                "another-secret-000000000000000000",
                A,
                1_764_000_000,
                "00ff",
            ),
        ] {
            assert_ne!(pass, other);
        }
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
        // Fixed vector (computed with `openssl dgst -sha256 -hmac`): changing the derivation
        // would orphan every stored KV record and give queued invites a new externalId.
        assert_eq!(
            k.external_id(),
            "hfa2-c67cff768c64b7bbc5b1b0c5418ee4ee4595168006de122c210087597787fe86"
        );
        assert_eq!(k.external_id().len(), 5 + 64);
    }

    #[test]
    fn without_the_secret_a_key_cannot_be_matched_to_an_address() {
        let position = PositionId::parse(P1).unwrap();
        let email = Email::parse("ann@example.com").unwrap();
        let ours = CandidateKey::new(SECRET, &position, &email);
        let theirs = CandidateKey::new("a-guessed-secret-0000000000000000", &position, &email);
        assert_ne!(ours.digest(), theirs.digest());
        // Not the version 1 derivation, a plain SHA-256 anyone could compute from the address.
        assert_ne!(
            ours.digest(),
            "ec7be12802ac4c0e09bb872bdd6376cf66bb53c50dc2b858f10d471148ef6c27"
        );
    }
}
