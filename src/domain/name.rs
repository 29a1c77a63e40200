//! A candidate's first or last name.

use super::FieldError;

/// Hireflix accepts names of 1 to 50 characters.
const MAX_CHARS: usize = 50;

/// A trimmed name of 1 to 50 characters with no control characters; inner runs of white
/// space are folded to one space so "Ann  Lee" and "Ann Lee" are the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Name, FieldError> {
        if raw.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(FieldError::NotAName);
        }
        let folded = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if folded.is_empty() {
            return Err(FieldError::Missing);
        }
        if folded.chars().count() > MAX_CHARS {
            return Err(FieldError::TooLong);
        }
        Ok(Name(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_and_folds_white_space() {
        assert_eq!(
            Name::parse("  Ann \t Marie ").unwrap().as_str(),
            "Ann Marie"
        );
    }

    #[test]
    fn keeps_letters_of_every_script() {
        for name in [
            "Zoë",
            "José-Luis",
            "O'Brien",
            "王小明",
            "Σωκράτης",
            "Nguyễn",
        ] {
            assert_eq!(Name::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn empty_says_what_is_missing() {
        assert_eq!(Name::parse("   "), Err(FieldError::Missing));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(Name::parse(&"é".repeat(50)).is_ok());
        assert!(Name::parse(&"é".repeat(51)).is_err());
    }

    #[test]
    fn rejects_control_characters() {
        assert!(Name::parse("Ann\u{0}").is_err());
        assert!(Name::parse("Ann\u{1b}[31m").is_err());
    }

    proptest! {
        #[test]
        fn accepted_names_are_within_limits(raw in "\\PC{0,80}") {
            if let Ok(name) = Name::parse(&raw) {
                let count = name.as_str().chars().count();
                prop_assert!((1..=MAX_CHARS).contains(&count));
                prop_assert_eq!(name.as_str().trim(), name.as_str());
                prop_assert!(!name.as_str().chars().any(char::is_control));
            }
        }
    }
}
