//! A candidate's phone number in E.164 form (`+<country><number>`, a national number read in
//! a default region). Not the `phonenumber` crate: with its metadata and `regex` it is 478 KB
//! gzip in wasm, twice the worker's budget, and Hireflix asks only for this format.

use super::FieldError;

/// E.164 allows at most 15 digits; the shortest numbers in use (small territories) have 7.
const DIGITS: Lengths = 7..=15;

type Text = &'static str;
type Lengths = std::ops::RangeInclusive<usize>;

/// A country whose national numbers we read.
#[derive(Debug, PartialEq, Eq)]
pub struct Region {
    pub code: Text,
    calling_code: Text,
    trunk: Text,
    lengths: Lengths,
}

const fn region(code: Text, calling_code: Text, trunk: Text, lengths: Lengths) -> Region {
    Region {
        code,
        calling_code,
        trunk,
        lengths,
    }
}

/// Lengths (without the trunk prefix) from the ITU-T E.164 national plans; Italy keeps its 0.
pub const REGIONS: [Region; 12] = [
    region("GB", "44", "0", 9..=10),
    region("IE", "353", "0", 7..=9),
    region("US", "1", "1", 10..=10),
    region("CA", "1", "1", 10..=10),
    region("ES", "34", "", 9..=9),
    region("MX", "52", "", 10..=10),
    region("FR", "33", "0", 9..=9),
    region("DE", "49", "0", 6..=13),
    region("IT", "39", "", 6..=11),
    region("PT", "351", "", 9..=9),
    region("NL", "31", "0", 9..=9),
    region("AU", "61", "0", 9..=9),
];

impl Region {
    pub fn by_code(code: &str) -> Option<&'static Region> {
        REGIONS
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
    }

    fn international(&self, national: &str) -> Option<String> {
        let number = match self.trunk {
            // North America's 1 is optional (no number there starts with 1).
            "1" => national
                .strip_prefix('1')
                .filter(|n| self.lengths.contains(&n.len()))
                .unwrap_or(national),
            // Elsewhere a national number is written with its trunk prefix, always.
            trunk => national.strip_prefix(trunk)?,
        };
        let fits = self.lengths.contains(&number.len())
            && (self.trunk.is_empty() || !number.starts_with(self.trunk));
        fits.then(|| format!("{}{number}", self.calling_code))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// `Ok(None)` when empty (optional). Without `+` or `00`, a national number of `region`.
    pub fn parse(raw: &str, region: Option<&Region>) -> Result<Option<Phone>, FieldError> {
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
            digits = match (digits.strip_prefix("00"), region) {
                (Some(rest), _) => rest.to_string(),
                (None, Some(region)) => region
                    .international(&digits)
                    .ok_or(FieldError::PhoneWithoutCountryCode)?,
                (None, None) => return Err(FieldError::PhoneWithoutCountryCode),
            };
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
        in_region(raw, "GB").unwrap().unwrap().as_str().to_string()
    }

    fn in_region(raw: &str, code: &str) -> Result<Option<Phone>, FieldError> {
        Phone::parse(raw, Region::by_code(code))
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
    fn a_national_number_is_read_in_the_default_region() {
        let e164 = |raw, code| in_region(raw, code).unwrap().unwrap().as_str().to_string();
        assert_eq!(e164("020 7946 0958", "GB"), "+442079460958");
        assert_eq!(e164("07700 900123", "gb"), "+447700900123");
        assert_eq!(e164("612 34 56 78", "ES"), "+34612345678");
        assert_eq!(e164("(415) 555-2671", "US"), "+14155552671");
        assert_eq!(e164("1 415 555 2671", "US"), "+14155552671");
        assert_eq!(e164("06 1234 5678", "IT"), "+390612345678");
        assert_eq!(e164("01 23 45 67 89", "FR"), "+33123456789");
        // An international number is read as such whatever the region.
        assert_eq!(e164("+61 412 345 678", "ES"), "+61412345678");
    }

    #[test]
    fn a_number_that_fits_no_national_plan_is_told_to_add_its_country_code() {
        for (raw, code) in [
            ("020 7946 09", "GB"),
            ("7946 0958", "GB"),
            ("0612 34 56 78", "ES"),
            ("555 2671", "US"),
        ] {
            assert_eq!(
                in_region(raw, code),
                Err(FieldError::PhoneWithoutCountryCode),
                "{raw} in {code}"
            );
        }
        assert_eq!(
            Phone::parse("020 7946 0958", None),
            Err(FieldError::PhoneWithoutCountryCode)
        );
        assert_eq!(e164_err("+44"), FieldError::PhoneIncomplete);
        assert_eq!(e164_err("call me"), FieldError::PhoneCharacters);
    }

    fn e164_err(raw: &str) -> FieldError {
        in_region(raw, "GB").unwrap_err()
    }

    #[test]
    fn empty_is_no_phone() {
        assert_eq!(in_region("  ", "GB"), Ok(None));
    }

    #[test]
    fn only_known_regions() {
        assert!(Region::by_code("XX").is_none());
        assert_eq!(Region::by_code(" es ").map(|r| r.code), Some("ES"));
    }

    #[test]
    fn rejects_what_cannot_be_an_international_number() {
        for bad in [
            "07946 0958123",
            "+0 20 7946 0958",
            "+44",
            "+123456",
            "+1234567890123456",
            "+44 20 7946 0958 ext 2",
            "call me",
            "+44+20",
            "4420794609",
        ] {
            assert!(in_region(bad, "GB").is_err(), "{bad:?} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_accepted_is_e164(raw in "\\PC{0,40}", r in 0..REGIONS.len()) {
            if let Ok(Some(phone)) = Phone::parse(&raw, REGIONS.get(r)) {
                let s = phone.as_str();
                prop_assert!(s.starts_with('+'));
                prop_assert!(DIGITS.contains(&(s.len() - 1)));
                prop_assert!(s[1..].chars().all(|c| c.is_ascii_digit()));
                prop_assert_eq!(Phone::parse(s, None), Ok(Some(phone.clone())));
            }
        }

        #[test]
        fn separators_do_not_matter(groups in proptest::collection::vec("[0-9]{2,4}", 3..5), sep in "[ .-]") {
            let plain = groups.concat();
            let spaced = groups.join(&sep);
            prop_assert_eq!(in_region(&plain, "GB"), in_region(&spaced, "GB"));
            prop_assert_eq!(in_region(&format!("+4{plain}"), "GB"), in_region(&format!("+4{spaced}"), "GB"));
        }
    }
}
