//! Every word a candidate reads, one file a language holding one `Words` (the compiler refuses
//! a missing string; README says how to add a language), and which language a request gets.

/// One language's `WORDS`: `words` strings, `messages` a heading and a body each. English's
/// (`declare`) also declares `Words`, so each name is written once besides each translation.
macro_rules! catalogue {
    (
        declare words { $($(#[$w:meta])* $word:ident: $text:literal,)* }
        messages { $($(#[$m:meta])* $message:ident: ($heading:literal, $body:literal),)* }
    ) => {
        pub struct Words {
            $($(#[$w])* pub $word: &'static str,)*
            $($(#[$m])* pub $message: super::Message,)*
        }

        catalogue! {
            words { $($word: $text,)* }
            messages { $($message: ($heading, $body),)* }
        }
    };
    (
        words { $($word:ident: $text:literal,)* }
        messages { $($message:ident: ($heading:literal, $body:literal),)* }
    ) => {
        pub static WORDS: super::Words = super::Words {
            $($word: $text,)*
            $($message: super::Message { heading: $heading, body: $body },)*
        };
    };
}

mod en;
mod es;

use crate::domain::{Field, FieldError};
pub use en::Words;

/// In the order the switch shows them.
pub static LANGUAGES: &[&Words] = &[&en::WORDS, &es::WORDS];

/// Recorded with each consent unless `CONSENT_NOTICE_VERSION` is set: change it whenever the
/// consent or data notice changes meaning in any language.
pub const NOTICE_VERSION: &str = "2026-11";

#[derive(Debug, PartialEq, Eq)]
pub struct Message {
    pub heading: &'static str,
    pub body: &'static str,
}

impl Words {
    /// Hireflix's own words pass through: they are the only account of what it refused.
    pub fn field_error<'a>(&'a self, field: Field, error: &'a FieldError) -> &'a str {
        match (error, field) {
            (FieldError::Missing, Field::FirstName) => self.first_name_missing,
            (FieldError::Missing, Field::LastName) => self.last_name_missing,
            (FieldError::Missing, Field::Consent) => self.consent_missing,
            (FieldError::Missing, _) => self.email_missing,
            (FieldError::TooLong, Field::Email) => self.email_too_long,
            (FieldError::TooLong, _) => self.name_too_long,
            (FieldError::NotAName, _) => self.not_a_name,
            (FieldError::NotAnEmail, _) => self.not_an_email,
            (FieldError::PhoneCharacters, _) => self.phone_characters,
            (FieldError::PhoneWithoutCountryCode, _) => self.phone_without_country_code,
            (FieldError::PhoneIncomplete, _) => self.phone_incomplete,
            (FieldError::RefusedByHireflix(words), _) => words,
        }
    }
}

/// The language of last resort.
pub fn english() -> &'static Words {
    &en::WORDS
}

/// A browser sends a handful.
const MAX_ENTRIES: usize = 32;

/// `es`, `ES`, `es-MX`, `es_419`: one Spanish serves every region.
pub fn by_code(tag: &str) -> Option<&'static Words> {
    let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
    let primary_is = |w: &&Words| w.code.eq_ignore_ascii_case(primary);
    LANGUAGES.iter().copied().find(primary_is)
}

/// `?lang=`, then `Accept-Language`, then `DEFAULT_LANGUAGE`.
pub fn choose(query: Option<&str>, header: Option<&str>, default: Option<&str>) -> &'static Words {
    let default = default.and_then(by_code).unwrap_or_else(english);
    let by_header = header.and_then(|h| from_header(h, default));
    query.and_then(by_code).or(by_header).unwrap_or(default)
}

/// `*` stands for the default; among equal q-values the header's order decides (a sort costs
/// the wasm kilobytes). Not the `accept-language` crate (3.1): it keeps `q=0` languages (RFC
/// 9110: not acceptable), matches whole tags only (`es-MX` would not find `es`), and its sort
/// panics on a few dozen entries with `q=NaN`.
fn from_header(header: &str, default: &'static Words) -> Option<&'static Words> {
    let mut best: Option<(u16, &'static Words)> = None;
    for entry in header.split(',').take(MAX_ENTRIES) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let is_q = |(name, _): &(&str, &str)| name.trim().eq_ignore_ascii_case("q");
        let q = parts.find_map(|p| p.split_once('=').filter(is_q));
        let quality = q.map_or(Some(1000), |(_, value)| qvalue(value.trim()));
        let better = |quality: &u16| *quality > 0 && best.is_none_or(|(q, _)| *quality > q);
        let words = match tag {
            "*" => Some(default),
            tag => by_code(tag),
        };
        if let (Some(quality), Some(words)) = (quality.filter(better), words) {
            best = Some((quality, words));
        }
    }
    best.map(|(_, words)| words)
}

/// In thousandths; RFC 9110: `0` or `1` with up to three decimals.
fn qvalue(raw: &str) -> Option<u16> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = fraction.len() <= 3 && fraction.bytes().all(|b| b.is_ascii_digit());
    let thousandths: u16 = format!("{whole}{fraction:0<3}").parse().ok()?;
    (digits && matches!(whole, "0" | "1") && thousandths <= 1000).then_some(thousandths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_unique_lower_case_two_letter_codes() {
        for (i, w) in LANGUAGES.iter().enumerate() {
            assert_eq!(w.code.len(), 2, "{}", w.code);
            assert!(w.code.bytes().all(|b| b.is_ascii_lowercase()), "{}", w.code);
            assert!(
                LANGUAGES[..i].iter().all(|o| o.code != w.code),
                "{}",
                w.code
            );
            assert!(!w.name.is_empty());
        }
    }

    /// A translation that left a string in English is caught here (the few words that are
    /// the same in both are listed).
    #[test]
    fn spanish_is_translated() {
        let (en, es) = (by_code("en").unwrap(), by_code("es").unwrap());
        let pairs = [
            (en.careers, es.careers),
            (en.privacy_notice, es.privacy_notice),
            (en.form_intro, es.form_intro),
            (en.next_camera, es.next_camera),
            (en.data_notice, es.data_notice),
            (en.consent_label, es.consent_label),
            (en.submit, es.submit),
            (en.sending, es.sending),
            (en.consent_missing, es.consent_missing),
            (en.nothing_arrived_write_to, es.nothing_arrived_write_to),
            (en.queued.body, es.queued.body),
            (en.in_line.body, es.in_line.body),
            (en.position_paused, es.position_paused),
            (en.try_again_from, es.try_again_from),
            (en.link_unusable.body, es.link_unusable.body),
            (en.invited_by_email.body, es.invited_by_email.body),
            (en.unreadable.body, es.unreadable.body),
        ];
        for (english, spanish) in pairs {
            assert_ne!(english, spanish);
        }
    }

    fn code(words: &'static Words) -> &'static str {
        words.code
    }

    #[test]
    fn the_query_wins_then_the_header_then_the_default() {
        assert_eq!(code(choose(Some("es"), Some("en"), None)), "es");
        assert_eq!(
            code(choose(Some("xx"), Some("es"), None)),
            "es",
            "unknown ?lang= is ignored"
        );
        assert_eq!(code(choose(None, Some("es-MX,es;q=0.9"), None)), "es");
        assert_eq!(code(choose(None, None, Some("es"))), "es");
        assert_eq!(code(choose(None, Some("de-DE, fr"), Some("es"))), "es");
        assert_eq!(code(choose(None, None, Some("klingon"))), "en");
        assert_eq!(code(choose(None, None, None)), "en");
    }

    #[test]
    fn q_values_order_the_header() {
        assert_eq!(code(choose(None, Some("en;q=0.5, es;q=0.8"), None)), "es");
        assert_eq!(code(choose(None, Some("es;q=0.5, en"), None)), "en");
        assert_eq!(
            code(choose(None, Some("fr, es;q=0.1, en;q=0.05"), None)),
            "es"
        );
        assert_eq!(
            code(choose(None, Some("es;q=0, en;q=0.1"), None)),
            "en",
            "q=0 is refused"
        );
        assert_eq!(code(choose(None, Some("es;q=0"), Some("en"))), "en");
        assert_eq!(code(choose(None, Some("de, *;q=0.5"), Some("es"))), "es");
        assert_eq!(
            code(choose(None, Some("es;q=2, en;q=0.3"), None)),
            "en",
            "a bad q drops its entry"
        );
        assert_eq!(code(choose(None, Some("ES-es ; Q=0.9"), None)), "es");
        assert_eq!(
            code(choose(None, Some("en-GB,en;q=0.9,es;q=0.8"), Some("es"))),
            "en"
        );
    }

    #[test]
    fn qvalues_follow_the_grammar() {
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("0.8"), Some(800));
        assert_eq!(qvalue("0.123"), Some(123));
        assert_eq!(qvalue("0"), Some(0));
        for bad in ["1.5", "0.1234", "2", "", "-0.5", "0.x", "."] {
            assert_eq!(qvalue(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_header_gives_a_language(header in ".{0,300}", query in proptest::option::of(".{0,10}")) {
            let choice = choose(query.as_deref(), Some(&header), Some("en"));
            prop_assert!(LANGUAGES.iter().any(|w| std::ptr::eq(*w, choice)));
        }
    }
}
