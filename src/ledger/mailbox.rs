//! Which mailbox an address delivers to (`v.ictim+1@googlemail.com` lands in
//! `victim@gmail.com`), so a form cannot send one inbox an interview per spelling.

use crate::domain::hmac::hmac_hex;
use crate::domain::Email;

/// Lower-cased; a `+tag` dropped (Gmail, Outlook, iCloud, Fastmail and Proton honour it); for
/// Gmail the dots too, `googlemail.com` read as `gmail.com`. Only widely documented rules: one
/// we do not know lets two spellings through as two mailboxes.
pub fn canonical(email: &Email) -> String {
    let lower = email.dedupe_form();
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return lower;
    };
    let untagged = match local.split_once('+') {
        // `+tag@` alone is a real (if odd) address, not a tag of nobody.
        Some((base, _)) if !base.is_empty() => base,
        _ => local,
    };
    match domain {
        "gmail.com" | "googlemail.com" => {
            let undotted: String = untagged.chars().filter(|&c| c != '.').collect();
            // Dots alone would leave nothing: keep the spelling.
            let local = if undotted.is_empty() {
                untagged
            } else {
                &undotted
            };
            format!("{local}@gmail.com")
        }
        _ => format!("{untagged}@{domain}"),
    }
}

/// What the ledger knows of an address: HMACs under the app secret, so a stolen ledger cannot
/// be matched against a list of addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxKeys {
    /// Of the [`canonical`] mailbox: budgets and "one invite per position" count this.
    pub mailbox: String,
    /// Of the exact address: a resubmission, which Hireflix deduplicates itself.
    pub spelling: String,
}

impl MailboxKeys {
    /// The value follows the label with no delimiter: v1's derivation, kept.
    pub fn new(secret: &str, email: &Email) -> MailboxKeys {
        let keyed = |label: &[u8], value: String| {
            hmac_hex(secret, &[label, value.as_bytes()].concat(), &[])
        };
        MailboxKeys {
            mailbox: keyed(b"hireflix-apply/mailbox/v1\0", canonical(email)),
            spelling: keyed(b"hireflix-apply/spelling/v1\0", email.dedupe_form()),
        }
    }
}

/// Ledger instances the mailboxes are spread over (1,000 invites a second: 16 each). Fixed:
/// changing it would lose where mailboxes were.
pub const BUCKETS: u64 = 64;

/// The bucket of a mailbox's HMAC (hex): its first byte, modulo [`BUCKETS`].
pub fn bucket(mailbox: &str) -> u64 {
    let byte = mailbox
        .get(..2)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok());
    byte.unwrap_or(0) % BUCKETS
}

/// A reservation as the worker holds it: the bucket's row id with the bucket in it.
pub fn reservation(bucket: u64, row: u64) -> u64 {
    row.saturating_mul(BUCKETS).saturating_add(bucket % BUCKETS)
}

/// `(bucket, row)` of a reservation.
pub fn row_of(reservation: u64) -> (u64, u64) {
    (reservation % BUCKETS, reservation / BUCKETS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn canon(raw: &str) -> String {
        canonical(&Email::parse(raw).unwrap())
    }

    #[test]
    fn gmail_spellings_are_one_mailbox() {
        for spelling in [
            "victim@gmail.com",
            "v.ictim@gmail.com",
            "victim+1@gmail.com",
            "VICTIM@googlemail.com",
            "V.I.C.T.I.M+jobs+more@GoogleMail.com",
            " vic.tim+x@GMAIL.COM ",
        ] {
            assert_eq!(canon(spelling), "victim@gmail.com", "{spelling}");
        }
    }

    #[test]
    fn other_domains_keep_their_dots_but_lose_tags() {
        assert_eq!(canon("Ann.Lee+jobs@Example.com"), "ann.lee@example.com");
        assert_ne!(canon("ann.lee@example.com"), canon("annlee@example.com"));
        assert_ne!(canon("victim@gmail.com"), canon("victim@gmail.co"));
        assert_eq!(canon("+tag@example.com"), "+tag@example.com");
        assert_eq!(canon("...@gmail.com"), "...@gmail.com");
    }

    #[test]
    fn keys_hide_the_address_and_depend_on_the_secret() {
        let email = Email::parse("v.ictim+1@gmail.com").unwrap();
        let keys = MailboxKeys::new(SECRET, &email);
        let plain = MailboxKeys::new(SECRET, &Email::parse("victim@gmail.com").unwrap());
        assert_eq!(keys.mailbox, plain.mailbox);
        assert_ne!(keys.spelling, plain.spelling);
        assert_eq!(keys.mailbox.len(), 64);
        assert!(!keys.mailbox.contains("victim") && !keys.spelling.contains("victim"));
        let other = MailboxKeys::new("another-secret-another-secret-xx", &email);
        assert_ne!(other.mailbox, keys.mailbox);
        // The ledger keeps these: the derivation must not change (Python's hmac module).
        assert_eq!(
            plain.mailbox,
            "cae0ea3c827b2a625e5a179ccca7a9349ea94f5b5e83cbccf6e1139e7a626fe1"
        );
    }

    #[test]
    fn mailboxes_spread_over_the_buckets_and_reservations_name_theirs() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..2_000 {
            let email = Email::parse(&format!("person{n}@example.com")).unwrap();
            seen.insert(bucket(&MailboxKeys::new(SECRET, &email).mailbox));
        }
        assert_eq!(seen.len() as u64, BUCKETS, "every bucket used");
        assert_eq!(bucket("not hex"), 0);
        assert_eq!(row_of(reservation(63, 12_345)), (63, 12_345));
    }

    proptest! {
        #[test]
        fn canonical_is_idempotent_and_still_an_address(
            local in "[a-zA-Z0-9][a-zA-Z0-9.+_-]{0,20}",
            domain in prop::sample::select(vec!["gmail.com", "googlemail.com", "example.com", "Mail.Example.org"]),
        ) {
            let Ok(email) = Email::parse(&format!("{local}@{domain}")) else { return Ok(()) };
            let once = canonical(&email);
            let again = Email::parse(&once).map(|e| canonical(&e));
            prop_assert_eq!(again.as_deref(), Ok(once.as_str()));
            prop_assert_eq!(once.clone(), once.to_ascii_lowercase());
        }

        #[test]
        fn tags_and_gmail_dots_never_make_a_new_mailbox(
            user in "[a-z0-9]{1,12}", tag in "[a-z0-9]{0,8}", dots in prop::collection::vec(0usize..12, 0..4),
        ) {
            let mut dotted = user.clone();
            for at in dots {
                let at = at.min(dotted.len());
                if dotted.is_char_boundary(at) { dotted.insert(at, '.'); }
            }
            let spelled = format!("{dotted}+{tag}@googlemail.com");
            if let Ok(email) = Email::parse(&spelled) {
                prop_assert_eq!(canonical(&email), format!("{user}@gmail.com"));
            }
        }
    }
}
