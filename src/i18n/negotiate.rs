//! Which language a request gets: `?lang=`, then `Accept-Language`, then `DEFAULT_LANGUAGE`.
//!
//! Not the `accept-language` crate (3.1): it keeps `q=0` languages (RFC 9110: not acceptable),
//! matches whole tags only (`es-MX` would not find `es`), and its sort panics on a few dozen
//! entries with `q=NaN` (tried 2026-12), which would abort the worker.

use super::{english, Words, LANGUAGES};

/// A browser sends a handful.
const MAX_ENTRIES: usize = 32;

/// `es`, `ES`, `es-MX`, `es_419`: one Spanish serves every region.
pub fn by_code(tag: &str) -> Option<&'static Words> {
    let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
    LANGUAGES
        .iter()
        .copied()
        .find(|w| w.code.eq_ignore_ascii_case(primary))
}

pub fn choose(query: Option<&str>, header: Option<&str>, default: Option<&str>) -> &'static Words {
    let default = default.and_then(by_code).unwrap_or_else(english);
    let by_header = header.and_then(|h| from_header(h, default));
    query.and_then(by_code).or(by_header).unwrap_or(default)
}

/// `*` stands for the default; among equal q-values the header's order decides. No sort: it
/// costs the wasm kilobytes.
fn from_header(header: &str, default: &'static Words) -> Option<&'static Words> {
    let mut best: Option<(u16, &'static Words)> = None;
    for entry in header.split(',').take(MAX_ENTRIES) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let quality = parts
            .find_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| qvalue(value.trim()))
            })
            .unwrap_or(Some(1000));
        let Some(quality) = quality.filter(|q| *q > 0) else {
            continue;
        };
        let words = match tag {
            "*" => Some(default),
            tag => by_code(tag),
        };
        if let Some(words) = words.filter(|_| best.is_none_or(|(q, _)| quality > q)) {
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
