//! Every word a candidate reads, by language. The domain and the pipeline speak in kinds
//! (`FieldError`, `Answer`); the pages look the words up here. A language is one
//! file holding one `Words` value: the compiler refuses a language with a missing string.
//!
//! Adding a language: copy `en.rs` to `<code>.rs` (an ISO 639-1 code such as `fr`), translate
//! every string and set `code` and `name`, then add the code to the `languages!` line below.

mod negotiate;

pub use negotiate::{by_code, choose};

use crate::domain::{Field, FieldError};

/// Declares each language's module and lists them all, in the order the switch shows them.
macro_rules! languages {
    ($($code:ident),+ $(,)?) => {
        $(mod $code;)+
        pub static LANGUAGES: &[&Words] = &[$(&$code::WORDS),+];
    };
}

languages!(en, es);

/// Recorded with each consent when `CONSENT_NOTICE_VERSION` is not set: change it whenever the
/// consent or data notice changes meaning in any language.
pub const NOTICE_VERSION: &str = "2026-11";

/// A page that only says something: a heading and a paragraph.
#[derive(Debug, PartialEq, Eq)]
pub struct Message {
    pub heading: &'static str,
    pub body: &'static str,
}

pub struct Words {
    /// ISO 639-1, as `<html lang>`, `Content-Language` and `?lang=` spell it.
    pub code: &'static str,
    /// The language's own name for itself, as the switch shows it.
    pub name: &'static str,
    /// The switch's accessible name.
    pub language: &'static str,
    /// The header's text when `BRAND_NAME` is not set.
    pub careers: &'static str,
    /// Every page's `<meta name="description">` (the form's is the job's line when there is one).
    pub meta_description: &'static str,
    pub privacy_notice: &'static str,
    pub contact: &'static str,
    pub opens_in_new_tab: &'static str,

    pub positions_title: &'static str,
    pub no_positions: &'static str,
    pub see_open_positions: &'static str,
    pub back_to_form: &'static str,

    pub form_eyebrow: &'static str,
    /// The form's heading when Hireflix cannot be asked for the position's name.
    pub any_position: &'static str,
    pub form_intro: &'static str,
    /// What happens when the button is pressed, said before it is.
    pub next_heading: &'static str,
    pub next_video: &'static str,
    pub next_camera: &'static str,
    pub next_email: &'static str,
    /// The data notice beside the button; the privacy link follows it.
    pub data_notice: &'static str,
    pub consent_label: &'static str,
    pub title_apply: &'static str,
    pub title_error: &'static str,
    pub error_summary: &'static str,
    pub optional: &'static str,
    pub submit: &'static str,
    /// The button's words while the application is on its way (public/apply.js).
    pub sending: &'static str,
    /// The accessible name of a landing page's frame (public/embed.js), before the position.
    pub frame_title: &'static str,
    /// The label of the position applied for, on the pages that answer a post.
    pub position: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub email_hint: &'static str,
    pub phone: &'static str,
    pub phone_hint: &'static str,
    /// Where a phone number without a country code is from, unless `DEFAULT_PHONE_REGION` says.
    pub phone_region: &'static str,
    /// The consent box's name in the error summary.
    pub consent: &'static str,

    pub first_name_missing: &'static str,
    pub last_name_missing: &'static str,
    pub name_too_long: &'static str,
    pub not_a_name: &'static str,
    pub email_missing: &'static str,
    pub email_too_long: &'static str,
    pub not_an_email: &'static str,
    pub phone_characters: &'static str,
    pub phone_without_country_code: &'static str,
    pub phone_incomplete: &'static str,
    pub consent_missing: &'static str,

    pub rate_limited: &'static str,
    pub unavailable: &'static str,
    pub refused_by_hireflix: &'static str,
    /// The Turnstile check: a label for the error summary, and what went wrong.
    pub human_check: &'static str,
    pub human_check_missing: &'static str,
    pub human_check_refused: &'static str,
    pub human_check_unavailable: &'static str,
    pub human_check_needs_javascript: &'static str,
    /// The label of the field people never see (read only by bots).
    pub honeypot_label: &'static str,

    /// Under every "it will come by email" page: what to do when nothing comes, with and
    /// without `CONTACT_EMAIL` (the address follows the first).
    pub nothing_arrived_write_to: &'static str,
    pub nothing_arrived: &'static str,
    /// The waiting page's panel: the place in the position's line, and by when the email comes.
    pub place_in_line: &'static str,
    pub expected_by: &'static str,
    /// The form's notice when the position's line is full or its wait too long (one sentence
    /// for both), followed by `try_again_from` and the time (`2026-12-02 15:00 UTC`).
    pub position_paused: &'static str,
    pub try_again_from: &'static str,

    pub invited_by_email: Message,
    pub queued: Message,
    pub in_line: Message,
    pub link_unusable: Message,
    pub position_not_found: Message,
    pub position_closed: Message,
    pub origin_not_allowed: Message,
    pub page_not_found: Message,
    pub positions_unavailable: Message,
    pub misconfigured: Message,
    pub too_large: Message,
    pub unsupported_type: Message,
    pub unreadable: Message,
}

impl Words {
    /// What to tell the candidate about one field. Hireflix's own words pass through as they
    /// are: they are the only account of what it refused.
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

/// English: the language of last resort, and of tests that need any language.
pub fn english() -> &'static Words {
    &en::WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
