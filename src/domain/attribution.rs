//! Where a candidate came from: the campaign parameters of the link that brought them (`utm_*`
//! and `ref`), for the application's log line. A link can carry a phone number or an address as
//! easily as a campaign name, so only short values of URL-safe characters (what campaign names
//! are made of) are kept; any other value is dropped whole, never cut or cleaned into one.

use serde::ser::{Serialize, Serializer};

pub const NAMES: [&str; 6] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "ref",
];

const MAX_CHARS: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution(Vec<(&'static str, String)>);

impl Attribution {
    /// The first value of a name is the one, even when it is empty or refused.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let found = first_values(NAMES, pairs).map(|v| v.and_then(|v| clean(v.as_ref())));
        let kept = NAMES.into_iter().zip(found);
        Attribution(
            kept.filter_map(|(name, value)| Some((name, value?)))
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

/// The first value of each of `names` in name/value pairs (a query string or a posted body).
pub(super) fn first_values<const N: usize, K: AsRef<str>, V>(
    names: [&str; N],
    pairs: impl IntoIterator<Item = (K, V)>,
) -> [Option<V>; N] {
    let mut found = [(); N].map(|()| None);
    for (name, value) in pairs {
        let at = names.iter().position(|n| *n == name.as_ref());
        if let Some(slot @ None) = at.and_then(|i| found.get_mut(i)) {
            *slot = Some(value);
        }
    }
    found
}

/// The value, trimmed, if it may go into a log line. Digits and separators only, 7 digits or
/// more, reads as a phone number (`447700900123`, `020-7946-0958`): dropped, even if it was a
/// numeric campaign id.
fn clean(raw: &str) -> Option<String> {
    let value = raw.trim();
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"._~-".contains(&b);
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let phone_like = digits >= 7 && !value.bytes().any(|b| b.is_ascii_alphabetic());
    (!value.is_empty() && value.len() <= MAX_CHARS && value.bytes().all(allowed) && !phone_like)
        .then(|| value.to_string())
}

/// As flat fields of the log line: `"utm_source":"newsletter"`.
impl Serialize for Attribution {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
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
    fn only_short_url_safe_values_are_kept_anything_else_dropped_whole() {
        let long = "x".repeat(65);
        let a = Attribution::from_pairs([
            ("utm_source", "ann@example.com"),
            ("utm_medium", "ann%40example.com"),
            ("utm_term", "ann (at) example.com"),
            ("utm_content", "Ann Lee 12 Baker Street London"),
            ("ref", "+44 20 7946 0958"),
            ("utm_campaign", long.as_str()),
        ]);
        assert!(a.is_empty(), "{a:?}");
        let phones = ["447700900123", "020-7946-0958", "0803.123.4567", "7946095"];
        for phone in phones {
            let a = Attribution::from_pairs([("ref", phone), ("utm_term", "q4-2026")]);
            assert_eq!(a.iter().collect::<Vec<_>>(), [("utm_term", "q4-2026")]);
        }
        let kept = Attribution::from_pairs([("utm_campaign", "spring2026-ad1234567")]);
        assert_eq!(
            kept.iter().count(),
            1,
            "digits with letters read as a campaign"
        );
        let a = Attribution::from_pairs([
            ("utm_source", "linkedin.com"),
            ("utm_campaign", "spring_2026~eu-west"),
            ("utm_content", "x".repeat(64).as_str()),
            ("ref", "tab\tand\u{7}bell"),
        ]);
        let kept: Vec<_> = a.iter().collect();
        assert_eq!(
            kept,
            [
                ("utm_source", "linkedin.com"),
                ("utm_campaign", "spring_2026~eu-west"),
                ("utm_content", "x".repeat(64).as_str()),
            ]
        );
    }

    proptest! {
        #[test]
        fn every_value_kept_is_short_and_url_safe(values in proptest::collection::vec(".{0,200}", 6)) {
            let a = Attribution::from_pairs(NAMES.iter().zip(values.iter()));
            for (_, value) in a.iter() {
                prop_assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b"._~-".contains(&b)), "{}", value);
                prop_assert!(value.len() <= MAX_CHARS);
                prop_assert!(!value.is_empty());
            }
        }
    }
}
