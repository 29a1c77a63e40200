//! Where a candidate came from: the campaign parameters of the link that brought them
//! (`utm_*` and `ref`), carried with the application into its log line. They come from
//! anyone's URL, so each value is trimmed, stripped of control characters and capped, and a
//! value that looks like an email address is dropped: log lines never hold one.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The parameters carried, in the order the log line shows them.
pub const NAMES: [&str; 6] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "ref",
];

/// Longest value kept, in characters: campaign names are short; anything longer is cut.
const MAX_CHARS: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution(Vec<(&'static str, String)>);

impl Attribution {
    /// From name/value pairs (a query string or a posted body); the first value of a name wins.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut found: [Option<String>; NAMES.len()] = Default::default();
        for (name, value) in pairs {
            let slot = NAMES
                .iter()
                .position(|n| *n == name.as_ref())
                .and_then(|i| found.get_mut(i));
            if let Some(slot @ None) = slot {
                // The first value is the one, even when it is empty or refused.
                *slot = Some(clean(value.as_ref()).unwrap_or_default());
            }
        }
        Attribution(
            NAMES
                .into_iter()
                .zip(found)
                .filter_map(|(name, value)| value.filter(|v| !v.is_empty()).map(|v| (name, v)))
                .collect(),
        )
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(n, v)| (*n, v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn clean(raw: &str) -> Option<String> {
    let value: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_CHARS)
        .collect();
    let value = value.trim();
    (!value.is_empty() && !looks_like_email(value)).then(|| value.to_string())
}

/// Anything with an `@` (or its encodings) between other characters: no campaign needs one,
/// and a false positive only loses a campaign name.
fn looks_like_email(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    ["@", "%40", "\u{ff20}", "&#64;", "(at)", "[at]"]
        .iter()
        .any(|at| lower.contains(at))
}

/// As flat fields of the log line: `"utm_source":"newsletter"`.
impl Serialize for Attribution {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_names_are_kept_trimmed_first_wins_in_a_fixed_order() {
        let a = Attribution::from_pairs([
            ("ref", " friend-42 "),
            ("utm_source", "newsletter"),
            ("utm_source", "second"),
            ("session", "x"),
            ("utm_campaign", "  "),
        ]);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            [("utm_source", "newsletter"), ("ref", "friend-42")]
        );
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"utm_source":"newsletter","ref":"friend-42"}"#
        );
    }

    #[test]
    fn emails_are_dropped_and_long_values_capped() {
        let long = "x".repeat(500);
        let a = Attribution::from_pairs([
            ("utm_source", "ann@example.com"),
            ("utm_medium", "ann%40example.com"),
            ("utm_term", "ann (at) example.com"),
            ("utm_content", long.as_str()),
            ("ref", "tab\tand\u{7}bell"),
        ]);
        let kept: Vec<_> = a.iter().collect();
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert_eq!(kept[0], ("utm_content", "x".repeat(100).as_str()));
        assert_eq!(kept[1], ("ref", "tabandbell"));
    }

    proptest! {
        #[test]
        fn no_value_holds_an_at_sign_or_a_control_character(values in proptest::collection::vec(".{0,200}", 6)) {
            let a = Attribution::from_pairs(NAMES.iter().zip(values.iter()));
            for (_, value) in a.iter() {
                prop_assert!(!value.contains('@'));
                prop_assert!(!value.chars().any(char::is_control));
                prop_assert!(value.chars().count() <= MAX_CHARS);
                prop_assert!(!value.is_empty());
            }
        }
    }
}
