//! Every word a candidate reads, one file a language holding one `Words` (the compiler refuses
//! a missing string). Adding one: copy `en.rs` to `<ISO 639-1 code>.rs`, translate it, set
//! `code` and `name`, and add it to `LANGUAGES`.

mod en;
mod es;
mod negotiate;

pub use negotiate::{by_code, choose};

use crate::domain::{Field, FieldError};

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

pub struct Words {
    /// ISO 639-1, as `<html lang>`, `Content-Language` and `?lang=` spell it.
    pub code: &'static str,
    /// Its own name for itself.
    pub name: &'static str,
    /// The switch's accessible name.
    pub language: &'static str,
    /// Without `BRAND_NAME`.
    pub careers: &'static str,
    pub meta_description: &'static str,
    pub privacy_notice: &'static str,
    pub contact: &'static str,
    pub opens_in_new_tab: &'static str,

    pub positions_title: &'static str,
    pub no_positions: &'static str,
    pub see_open_positions: &'static str,
    pub back_to_form: &'static str,

    pub form_eyebrow: &'static str,
    /// When Hireflix cannot be asked for the position's name.
    pub any_position: &'static str,
    pub form_intro: &'static str,
    pub next_heading: &'static str,
    pub next_video: &'static str,
    pub next_camera: &'static str,
    pub next_email: &'static str,
    pub data_notice: &'static str,
    pub consent_label: &'static str,
    pub title_apply: &'static str,
    pub title_error: &'static str,
    pub error_summary: &'static str,
    pub optional: &'static str,
    pub submit: &'static str,
    /// public/apply.js, while the application is on its way.
    pub sending: &'static str,
    /// public/embed.js: a landing page's frame's accessible name, before the position.
    pub frame_title: &'static str,
    pub position: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub email_hint: &'static str,
    pub phone: &'static str,
    pub phone_hint: &'static str,
    /// Unless `DEFAULT_PHONE_REGION` says.
    pub phone_region: &'static str,
    /// In the error summary.
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
    pub human_check: &'static str,
    pub human_check_missing: &'static str,
    pub human_check_refused: &'static str,
    pub human_check_unavailable: &'static str,
    pub human_check_needs_javascript: &'static str,
    pub honeypot_label: &'static str,

    /// With and without `CONTACT_EMAIL` (the address follows the first).
    pub nothing_arrived_write_to: &'static str,
    pub nothing_arrived: &'static str,
    pub place_in_line: &'static str,
    pub expected_by: &'static str,
    /// Followed by `try_again_from` and the time (`2026-12-02 15:00 UTC`).
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
