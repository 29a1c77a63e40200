//! A candidate's email address.

use super::FieldError;
use crate::http_url::is_dns_label;
use std::fmt;

/// Longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
const MAX_LEN: usize = 254;

/// Trimmed, domain lower-cased. WHATWG's "valid e-mail address" (`<input type=email>`), so
/// the browser and the worker agree, and a dot in the domain (Hireflix needs one).
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::Missing);
        }
        if trimmed.len() > MAX_LEN {
            return Err(FieldError::TooLong);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c);
        let local_ok = |l: &str| !l.is_empty() && l.len() <= 64 && l.chars().all(allowed);
        let domain_ok = |d: &str| d.contains('.') && d.split('.').all(is_dns_label);
        let parts = trimmed.rsplit_once('@');
        let valid = parts.filter(|(local, domain)| local_ok(local) && domain_ok(domain));
        let (local, domain) = valid.ok_or(FieldError::NotAnEmail)?;
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The whole address lower-cased (ASCII: the grammar admits nothing else): local parts are
    /// case-sensitive in theory, never in practice.
    pub fn dedupe_form(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

// Never print the address itself by accident: logs must not hold plain emails.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_trims_ordinary_addresses() {
        let email = Email::parse("  Ann.Lee+jobs@Example.COM \n").unwrap();
        assert_eq!(email.as_str(), "Ann.Lee+jobs@example.com");
        assert_eq!(email.dedupe_form(), "ann.lee+jobs@example.com");
    }

    #[test]
    fn rejects_what_a_mail_server_would_bounce() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@localhost",
            "ann@exa mple.com",
            "ann lee@example.com",
            "ann@@example.com",
            "ann@-example.com",
            "ann@example..com",
            "ann@example.com.",
            "\"ann\"@example.com",
            "ann@ex_ample.com",
            "ann\u{0}@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long).is_err());
        let long_domain = format!("a@{}.com", "b".repeat(250));
        assert!(Email::parse(&long_domain).is_err());
    }

    #[test]
    fn debug_output_never_shows_the_address() {
        let email = Email::parse("secret@example.com").unwrap();
        assert!(!format!("{email:?}").contains("secret"));
    }

    proptest! {
        #[test]
        fn never_panics_and_accepted_is_canonical(raw in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&raw) {
                // Parsing its own output gives the same address: the form is a fixed point.
                let again = Email::parse(email.as_str()).unwrap();
                prop_assert_eq!(again.as_str(), email.as_str());
                prop_assert!(email.as_str().len() <= MAX_LEN);
            }
        }

        #[test]
        fn generated_valid_addresses_parse(
            local in "[a-z0-9][a-z0-9._+-]{0,20}",
            host in "[a-z0-9]{1,20}",
            tld in "[a-z]{2,6}",
            pad in " {0,3}",
        ) {
            let raw = format!("{pad}{local}@{host}.{tld}{pad}");
            let email = Email::parse(&raw).unwrap();
            prop_assert_eq!(email.as_str(), format!("{local}@{host}.{tld}"));
        }

        #[test]
        fn case_and_whitespace_do_not_change_the_dedupe_form(
            local in "[a-z0-9]{1,20}",
            host in "[a-z0-9]{1,20}",
        ) {
            let lower = Email::parse(&format!("{local}@{host}.com")).unwrap();
            let upper = Email::parse(&format!("  {}@{}.COM ", local.to_uppercase(), host.to_uppercase())).unwrap();
            prop_assert_eq!(lower.dedupe_form(), upper.dedupe_form());
        }
    }
}
