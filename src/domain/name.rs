//! A candidate's first or last name. Hireflix puts names into the emails it sends in our name,
//! so a name cannot carry anyone's text: letters of any script with their marks, spaces,
//! apostrophes, hyphens and full stops after an initial. No digits, `:`, `/`, `@`, domain
//! names or bidi/zero-width controls; as UTS #39, one script per name and no letter that
//! renders as `.`, `:` or `/` (`wwwꓸevilꓸcom`).

use super::FieldError;

/// Written by build.rs from `unicode-properties`, `unicode-script` and `unicode-security`
/// (their own tables cost too much wasm): `LETTERS`, `MARKS`, `SCRIPTS`, `LOOKALIKES`, `VIRAMAS`.
mod tables {
    include!(concat!(env!("OUT_DIR"), "/name_tables.rs"));
}

/// The value (0 if `!valued`) of the range holding `c`, in a table of LEB128 (gap from the last
/// range, length[, value]) triples. A linear walk: 50 characters, some 700 ranges.
fn find(table: &[u8], valued: bool, c: char) -> Option<u32> {
    let c = c as u32;
    let mut bytes = table.iter();
    let mut next = 0u32;
    while let (Some(gap), Some(len)) = (leb128(&mut bytes), leb128(&mut bytes)) {
        let value = if valued { leb128(&mut bytes)? } else { 0 };
        let start = next.saturating_add(gap);
        let end = start.saturating_add(len);
        // The ranges are sorted: `c` is in this one or none.
        if c <= end {
            return (c >= start).then_some(value);
        }
        next = end.saturating_add(1);
    }
    None
}

/// The script of a letter or mark as build.rs numbers them in `SCRIPTS`; 0: any script.
fn script(c: char) -> u32 {
    find(&tables::SCRIPTS, true, c).unwrap_or(0)
}

/// One script, UTS #39's way: Han may go with kana, Hangul or Bopomofo (one of them).
fn one_script(name: &str) -> bool {
    use tables::{BOPOMOFO, HAN, HANGUL, HIRAGANA, KATAKANA};
    let (mut other, mut han, mut kana, mut hangul, mut bopomofo) = (None, 0, 0, 0, 0);
    for script in name.chars().map(script).filter(|&s| s != 0) {
        match script {
            HAN => han = 1,
            HIRAGANA | KATAKANA => kana = 1,
            HANGUL => hangul = 1,
            BOPOMOFO => bopomofo = 1,
            _ if other.is_some_and(|o| o != script) => return false,
            _ => other = Some(script),
        }
    }
    let companions = kana + hangul + bopomofo;
    !(other.is_some() && han + companions > 0) && companions <= 1
}

/// A zero-width joiner or non-joiner only after a virama, a non-joiner also between Arabic
/// letters (Persian writes names so), and a middle dot only between two l's (Catalan `l·l`).
fn in_context(chars: &[char], i: usize) -> bool {
    let before = i.checked_sub(1).and_then(|b| chars.get(b));
    let after = chars.get(i + 1);
    let arabic = |c: Option<&char>| c.is_some_and(|&c| script(c) == tables::ARABIC);
    let virama = before.is_some_and(|c| tables::VIRAMAS.contains(c));
    match chars.get(i) {
        Some('\u{200D}') => virama,
        Some('\u{200C}') => virama || (arabic(before) && arabic(after)),
        Some('\u{00B7}') => matches!(before, Some('l' | 'L')) && matches!(after, Some('l' | 'L')),
        _ => true,
    }
}

fn leb128(bytes: &mut std::slice::Iter<'_, u8>) -> Option<u32> {
    let mut value = 0u32;
    for (shift, &byte) in (0..5u32).map(|i| i * 7).zip(bytes.by_ref()) {
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// NFC by the JS runtime's `normalize` (ICU), so no Unicode tables in the wasm; natively,
/// unicode-rs. Text below U+0300 (the first character whose NFC quick check is not "yes")
/// already is: nearly every Latin name skips the round trip through JS.
fn nfc(text: String) -> String {
    if text.chars().all(|c| c < '\u{0300}') {
        return text;
    }
    #[cfg(target_arch = "wasm32")]
    let text = String::from(js_sys::JsString::from(text.as_str()).normalize("NFC"));
    #[cfg(not(target_arch = "wasm32"))]
    let text = unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect();
    text
}

/// Hireflix accepts names of 1 to 50 characters.
const MAX_CHARS: usize = 50;

/// NFC, trimmed, inner white space folded to one space, 1 to 50 allowed characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

/// What one character of a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Mark,
    /// A space, `'`, `’`, `-`, `‐`, `‑`: between the parts of a name.
    Between,
    FullStop,
    /// ZWJ, ZWNJ and the middle dot: inside a word, and only in their context (`in_context`).
    InWord,
}

fn class(c: char) -> Option<Class> {
    match c {
        ' ' | '\'' | '\u{2019}' | '-' | '\u{2010}' | '\u{2011}' => Some(Class::Between),
        '.' => Some(Class::FullStop),
        '\u{200C}' | '\u{200D}' | '\u{00B7}' => Some(Class::InWord),
        _ if tables::LOOKALIKES.contains(&c) => None,
        // Letters and marks that show nothing: the Hangul fillers, the combining grapheme joiner
        // and the variation selectors are the usual ways to smuggle invisible text.
        '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => None,
        '\u{180B}'..='\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' => None,
        _ if find(&tables::LETTERS, false, c).is_some() => Some(Class::Letter),
        _ if find(&tables::MARKS, false, c).is_some() => Some(Class::Mark),
        _ => None,
    }
}

impl Name {
    pub fn parse(raw: &str) -> Result<Name, FieldError> {
        let name = nfc(raw.split_whitespace().collect::<Vec<_>>().join(" "));
        if name.is_empty() {
            return Err(FieldError::Missing);
        }
        let classes: Option<Vec<Class>> = name.chars().map(class).collect();
        let classes = classes.ok_or(FieldError::NotAName)?;
        let chars: Vec<char> = name.chars().collect();
        let in_contexts = (0..chars.len()).all(|i| in_context(&chars, i));
        if !is_name_shaped(&classes) || !in_contexts || !one_script(&name) {
            return Err(FieldError::NotAName);
        }
        if classes.len() > MAX_CHARS {
            return Err(FieldError::TooLong);
        }
        Ok(Name(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At least one letter; a mark only on a letter (or its marks); a full stop only between
/// initials (`J.R.R.`) or at a word's end (`Jr.`), so `evil.com` and `t.co` fail.
fn is_name_shaped(classes: &[Class]) -> bool {
    if !classes.contains(&Class::Letter) {
        return false;
    }
    let at = |i: usize| classes.get(i).copied();
    for (i, &c) in classes.iter().enumerate() {
        let on_letter = matches!(
            i.checked_sub(1).and_then(at),
            Some(Class::Letter | Class::Mark)
        );
        if matches!(c, Class::Mark | Class::InWord | Class::FullStop) && !on_letter {
            return false;
        }
        if c == Class::FullStop && at(i + 1) == Some(Class::Letter) {
            // Before a letter: an initial (`J.`) before the next initial (`R.`).
            let run_before = classes.get(..i).unwrap_or_default().iter().rev();
            let run_after = classes.get(i + 1..).unwrap_or_default().iter();
            let (after_letters, after_len) = letters_in_word(run_after);
            let initials = letters_in_word(run_before).0 == 1
                && after_letters == 1
                && at(i + 1 + after_len) == Some(Class::FullStop);
            if !initials {
                return false;
            }
        }
    }
    true
}

/// The letters in the run of letters and marks (which ride on their letter) that `classes`
/// starts with, and the run's length.
fn letters_in_word<'c>(classes: impl Iterator<Item = &'c Class>) -> (usize, usize) {
    let word = classes.take_while(|c| matches!(c, Class::Letter | Class::Mark));
    word.fold((0, 0), |(letters, length), c| {
        (letters + usize::from(*c == Class::Letter), length + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_below_u0300_is_already_nfc() {
        // Every character the fast path lets through, alone and after each other kind.
        let below: Vec<char> = ('\0'..'\u{0300}').collect();
        for c in &below {
            for d in ['a', 'É', '\u{02ff}', ' '] {
                let text: String = [*c, d].iter().collect();
                let composed: String = text.nfc().collect();
                assert_eq!(nfc(text.clone()), composed, "{:?}", text);
            }
        }
        // A combining mark takes the slow path and composes.
        assert_eq!(nfc("e\u{0301}".into()), "\u{e9}");
    }
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

    /// Real names, as their bearers write them.
    const REAL_NAMES: &[&str] = &[
        "Ann",
        "Mary Ann",
        "Jean-Luc",
        "O'Brien",
        "O\u{2019}Brien",
        "D'Angelo-Smith",
        "Zoë",
        "José-Luis",
        "Nguyễn Thị Minh Khai",
        "Søren Kierkegaard",
        "Łukasz Żółć",
        "Ærøskøbing",
        "Σωκράτης",
        "Владимир",
        "Ґанна",
        "محمد",
        "عبد الله",
        "דוד",
        "王小明",
        "李",
        "山田 太郎",
        "やまだ",
        "ヤマダ ユーコ",
        "김민준",
        "देवनागरी",
        "अनुष्का शर्मा",
        "প্রিয়াঙ্কা",
        "தமிழ்செல்வி",
        "ಕನ್ನಡ",
        "สมชาย",
        "ሰላም",
        "Ṣadé Adù",
        "J. R. R. Tolkien",
        "J.R.R.",
        "Martin Luther King Jr.",
        "St. John",
        "'t Hooft",
        "Ōtsuka",
        "Ngũgĩ wa Thiong'o",
    ];

    #[test]
    fn real_names_from_many_scripts_are_kept_as_written() {
        for name in REAL_NAMES {
            assert_eq!(Name::parse(name).map(|n| n.0), Ok(name.nfc().collect()));
        }
    }

    #[test]
    fn trims_and_folds_white_space() {
        assert_eq!(
            Name::parse("  Ann \t Marie\u{a0}\u{3000}Lee ")
                .unwrap()
                .as_str(),
            "Ann Marie Lee"
        );
    }

    #[test]
    fn composed_and_decomposed_spellings_are_one_name() {
        let decomposed = "Zoe\u{308} Nguye\u{302}\u{303}n";
        assert_eq!(Name::parse(decomposed).unwrap().as_str(), "Zoë Nguyễn");
        assert_eq!(Name::parse(decomposed), Name::parse("Zoë Nguyễn"));
    }

    #[test]
    fn empty_says_what_is_missing() {
        assert_eq!(Name::parse("   "), Err(FieldError::Missing));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(Name::parse(&"é".repeat(50)).is_ok());
        assert_eq!(Name::parse(&"é".repeat(51)), Err(FieldError::TooLong));
    }

    #[test]
    fn text_that_is_not_a_name_is_refused() {
        for bad in [
            "Ann\u{0}",
            "Ann\u{1b}[31m",
            "Ann2",
            "Ann ٣",
            "R2-D2",
            "Call 0800 123",
            "https://evil.example",
            "evil.com",
            "Visit evil.com",
            "t.co",
            "www.example",
            "a.b.co",
            "ann@example.com",
            "Re: your interview",
            "Ann/Lee",
            "Ann\u{202e}eeL",
            "Ann\u{2066}Lee\u{2069}",
            "Ann\u{200f}",
            "Ann\u{200b}Lee",
            "An\u{200d}n",
            "Ann\u{feff}",
            "Ann\u{ad}Lee",
            "Ann\u{3164}",
            "Ann\u{fe0f}",
            "\u{301}Ann",
            "Ann \u{301}",
            "...",
            "-",
            ".Ann",
            "Ann..",
            "Ann!",
            "Ann <b>",
            "Ann & Lee",
            "Ann_Lee",
            "Ⅻ",
            "Ann 😀",
        ] {
            assert_eq!(Name::parse(bad), Err(FieldError::NotAName), "{bad:?}");
        }
    }

    #[test]
    fn one_script_per_name_as_uts_39_has_it() {
        for good in [
            "José María O'Brien",
            "王小明",
            "Zoë Saldaña-Núñez",
            "Nguyễn Thị Minh Khai",
            "山田 はなこ",
            "ヤマダ 太郎",
            "김 民俊",
            "陳 ㄅㄆ",
        ] {
            assert!(Name::parse(good).is_ok(), "{good}");
        }
        for mixed in [
            "Vladimir Владимир",
            "\u{410}nn",
            "Ann Σ",
            "はなこ 김",
            "Ann 王",
        ] {
            assert_eq!(Name::parse(mixed), Err(FieldError::NotAName), "{mixed}");
        }
    }

    #[test]
    fn letters_that_render_as_a_full_stop_colon_or_slash_are_refused() {
        for bad in [
            "www\u{a4f8}evil\u{a4f8}com",
            "evil\u{a4f8}com\u{2d0}\u{3033}\u{3033}help",
            "\u{a4ea}\u{a4ea}\u{a4ea}\u{a4f8}\u{a4f0}\u{a4e6}\u{a4f2}\u{a4e1}",
            "Ann\u{2d0}",
            "Ann\u{a4fd}",
        ] {
            assert_eq!(Name::parse(bad), Err(FieldError::NotAName), "{bad:?}");
        }
        // Katakana's ノ reads as a slash too, and is a letter of everyday names.
        assert!(Name::parse("ノリコ").is_ok());
    }

    #[test]
    fn zero_width_joiners_and_the_middle_dot_only_where_a_script_needs_them() {
        for good in [
            "\u{633}\u{6cc}\u{645}\u{6cc}\u{646}\u{200c}\u{62f}\u{62e}\u{62a}",
            "\u{d28}\u{d4d}\u{200d}",
            "\u{915}\u{94d}\u{200d}\u{937}",
            "\u{915}\u{94d}\u{200c}\u{937}",
            "Marcel\u{b7}l\u{ed}",
            "Gal\u{b7}la",
        ] {
            assert!(Name::parse(good).is_ok(), "{good:?}");
        }
        for bad in [
            "An\u{200d}n",
            "An\u{200c}n",
            "\u{200d}Ann",
            "\u{915}\u{200d}\u{937}",
            "Ann\u{b7}Lee",
            "Gal\u{b7}",
            "\u{b7}l",
        ] {
            assert_eq!(Name::parse(bad), Err(FieldError::NotAName), "{bad:?}");
        }
    }

    #[test]
    fn the_script_table_is_the_crates_script_property() {
        use std::collections::HashMap;
        use unicode_script::{Script, UnicodeScript};
        let any = |c: char| {
            matches!(
                c.script(),
                Script::Common | Script::Inherited | Script::Unknown
            )
        };
        // The first and last letter or mark of every range (all of them take minutes unoptimised).
        let edges = [&tables::LETTERS[..], &tables::MARKS[..]]
            .into_iter()
            .flat_map(decode)
            .flat_map(|(s, e)| [s, e])
            .filter_map(char::from_u32);
        let mut named: HashMap<u32, Script> = HashMap::new();
        for c in edges {
            assert_eq!(script(c) == 0, any(c), "{c:?}");
            if !any(c) {
                let known = *named.entry(script(c)).or_insert(c.script());
                assert_eq!(known, c.script(), "one number, one script: {c:?}");
            }
        }
        let scripts: Vec<Script> = named.values().copied().collect();
        let distinct: std::collections::HashSet<_> = scripts.iter().collect();
        assert_eq!(distinct.len(), scripts.len(), "one script, one number");
        assert_eq!(script('王'), tables::HAN);
        assert_eq!(script('\u{633}'), tables::ARABIC);
        assert_eq!(
            script('\u{b5}'),
            0,
            "a Common letter between Latin ones is any script"
        );
    }

    /// A valid name and a place in it.
    fn name_and_position() -> impl Strategy<Value = (String, usize)> {
        proptest::sample::select(REAL_NAMES).prop_flat_map(|name| {
            let len = name.chars().count();
            (Just(name.to_string()), 0..=len)
        })
    }

    fn insert(name: &str, at: usize, text: &str) -> String {
        let mut out: String = name.chars().take(at).collect();
        out.push_str(text);
        out.extend(name.chars().skip(at));
        out
    }

    /// The ranges a table holds, decoded as `find` walks them.
    fn decode(table: &[u8]) -> Vec<(u32, u32)> {
        let mut bytes = table.iter();
        let mut next = 0u32;
        let mut ranges = Vec::new();
        while let (Some(gap), Some(len)) = (leb128(&mut bytes), leb128(&mut bytes)) {
            ranges.push((next + gap, next + gap + len));
            next = next + gap + len + 1;
        }
        assert!(bytes.next().is_none(), "no trailing bytes");
        ranges
    }

    #[test]
    fn the_generated_tables_are_the_crates_general_categories() {
        for (table, group) in [
            (&tables::LETTERS[..], GeneralCategoryGroup::Letter),
            (&tables::MARKS[..], GeneralCategoryGroup::Mark),
        ] {
            let ranges = decode(table);
            let inside = |c: u32| ranges.iter().any(|&(s, e)| (s..=e).contains(&c));
            let mut expected = Vec::new();
            for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
                if c.general_category_group() == group {
                    expected.push(c as u32);
                }
            }
            let found: Vec<u32> = ranges
                .iter()
                .flat_map(|&(s, e)| s..=e)
                .filter(|&c| char::from_u32(c).is_some())
                .collect();
            assert_eq!(found, expected, "{group:?}");
            // And the walk agrees with the ranges at their edges.
            for &(s, e) in &ranges {
                for c in [s.saturating_sub(1), s, e, e + 1] {
                    if let Some(ch) = char::from_u32(c) {
                        assert_eq!(find(table, false, ch).is_some(), inside(c), "{c:X}");
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_accepted_names_hold_only_what_names_hold(raw in "\\PC{0,80}") {
            if let Ok(name) = Name::parse(&raw) {
                let s = name.as_str();
                prop_assert!((1..=MAX_CHARS).contains(&s.chars().count()));
                prop_assert_eq!(s.trim(), s);
                prop_assert!(s.chars().all(|c| class(c).is_some()));
                prop_assert!(!s.chars().any(|c| c.is_numeric() || c.is_control()));
                prop_assert_eq!(Name::parse(s), Ok(name.clone()), "a fixed point");
            }
        }

        #[test]
        fn real_names_pass_whatever_the_spacing_and_composition(
            first in proptest::sample::select(REAL_NAMES),
            gap in "[ \t\u{a0}]{1,3}",
        ) {
            // A double name, in the one script a name is written in.
            let joined = format!(" {first}{gap}{first} ");
            let decomposed: String = joined.nfd().collect();
            let name = Name::parse(&joined);
            prop_assume!(name != Err(FieldError::TooLong));
            prop_assert!(name.is_ok(), "{joined:?}");
            prop_assert_eq!(Name::parse(&decomposed), name);
        }

        #[test]
        fn a_digit_of_any_script_is_refused((name, at) in name_and_position(), digit in "\\p{Nd}") {
            prop_assert_eq!(Name::parse(&insert(&name, at, &digit)), Err(FieldError::NotAName));
        }

        #[test]
        fn link_and_address_characters_are_refused(
            (name, at) in name_and_position(),
            text in "[:/@<>&_!?#%=+*\"|\\\\()\\[\\]{}~^$;,]",
        ) {
            prop_assert_eq!(Name::parse(&insert(&name, at, &text)), Err(FieldError::NotAName));
        }

        #[test]
        fn bidirectional_and_zero_width_controls_are_refused(
            (name, at) in name_and_position(),
            control in "[\u{200b}\u{200e}\u{200f}\u{202a}-\u{202e}\u{2060}-\u{2064}\u{2066}-\u{2069}\u{feff}\u{061c}\u{ad}\u{34f}\u{fe00}-\u{fe0f}\u{3164}]",
        ) {
            prop_assert_eq!(Name::parse(&insert(&name, at, &control)), Err(FieldError::NotAName));
        }

        #[test]
        fn other_controls_and_symbols_are_refused(
            (name, at) in name_and_position(),
            other in "[\\p{Cc}\\p{Cf}\\p{Co}\\p{S}\\p{Nl}\\p{No}]",
        ) {
            prop_assume!(!other.chars().all(char::is_whitespace));
            // The joiners have rules of their own (in_context): tested by themselves.
            prop_assume!(!other.contains(['\u{200c}', '\u{200d}']));
            prop_assert_eq!(Name::parse(&insert(&name, at, &other)), Err(FieldError::NotAName));
        }

        #[test]
        fn no_domain_name_can_be_written(
            label in "[a-zA-Zа-я]{1,12}",
            tld in "[a-zA-Zа-я]{2,6}",
            before in "([A-Z][a-z]{1,8} ){0,2}",
        ) {
            let host = format!("{before}{label}.{tld}");
            prop_assert_eq!(Name::parse(&host), Err(FieldError::NotAName), "{}", host);
            let sub = format!("{before}www.{label}.{tld}");
            prop_assert_eq!(Name::parse(&sub), Err(FieldError::NotAName), "{}", sub);
        }
    }
}
