//! A candidate's phone number in E.164 form.
//!
//! Hand-written rather than the `phonenumber` crate: that crate carries the whole libphonenumber
//! metadata (over a megabyte of wasm), while Hireflix asks only for the international format.
//! We normalise what people type into `+<country><number>` and reject what cannot be one.

use super::FieldError;

/// E.164 allows at most 15 digits; the shortest numbers in use (small territories) have 7.
const DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// `Ok(None)` when the field was left empty: the phone is optional.
    pub fn parse(raw: &str) -> Result<Option<Phone>, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        // "+44 (0)20 ..." is how many Europeans write it; the (0) is dialled only nationally.
        let without_trunk = trimmed.replacen("(0)", "", 1);
        let mut digits = String::with_capacity(16);
        let mut international = false;
        for (i, c) in without_trunk.chars().enumerate() {
            match c {
                '+' if i == 0 => international = true,
                '0'..='9' => digits.push(c),
                ' ' | '\u{a0}' | '-' | '.' | '(' | ')' | '/' => {}
                _ => return Err(FieldError::PhoneCharacters),
            }
        }
        if !international {
            match digits.strip_prefix("00") {
                Some(rest) => digits = rest.to_string(),
                None => return Err(FieldError::PhoneWithoutCountryCode),
            }
        }
        if digits.starts_with('0') || !DIGITS.contains(&digits.len()) {
            return Err(FieldError::PhoneIncomplete);
        }
        Ok(Some(Phone(format!("+{digits}"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(raw: &str) -> String {
        Phone::parse(raw).unwrap().unwrap().as_str().to_string()
    }

    #[test]
    fn normalises_common_ways_of_writing_a_number() {
        assert_eq!(e164("+44 20 7946 0958"), "+442079460958");
        assert_eq!(e164("+44 (0)20 7946-0958"), "+442079460958");
        assert_eq!(e164("0044 20 7946 0958"), "+442079460958");
        assert_eq!(e164("+1 (415) 555.2671"), "+14155552671");
        assert_eq!(e164(" +34\u{a0}612 345 678 "), "+34612345678");
    }

    #[test]
    fn a_national_number_is_told_to_add_its_country_code() {
        assert_eq!(
            Phone::parse("020 7946 0958"),
            Err(FieldError::PhoneWithoutCountryCode)
        );
        assert_eq!(Phone::parse("+44"), Err(FieldError::PhoneIncomplete));
        assert_eq!(Phone::parse("call me"), Err(FieldError::PhoneCharacters));
    }

    #[test]
    fn empty_is_no_phone() {
        assert_eq!(Phone::parse("  "), Ok(None));
    }

    #[test]
    fn rejects_what_cannot_be_an_international_number() {
        for bad in [
            "020 7946 0958",
            "07946 095812",
            "+0 20 7946 0958",
            "+44",
            "+123456",
            "+1234567890123456",
            "+44 20 7946 0958 ext 2",
            "call me",
            "+44+20",
            "4420794609",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_accepted_is_e164(raw in "\\PC{0,40}") {
            if let Ok(Some(phone)) = Phone::parse(&raw) {
                let s = phone.as_str();
                prop_assert!(s.starts_with('+'));
                prop_assert!(DIGITS.contains(&(s.len() - 1)));
                prop_assert!(s[1..].chars().all(|c| c.is_ascii_digit()));
                prop_assert_eq!(Phone::parse(s), Ok(Some(phone.clone())));
            }
        }

        #[test]
        fn separators_do_not_matter(groups in proptest::collection::vec("[0-9]{2,4}", 3..5), sep in "[ .-]") {
            let plain = format!("+4{}", groups.concat());
            let spaced = format!("+4{}", groups.join(&sep));
            prop_assert_eq!(Phone::parse(&plain), Phone::parse(&spaced));
        }
    }
}
