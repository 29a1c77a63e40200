//! Every word a candidate reads, by language. The domain and the pipeline speak in kinds
//! (`FieldError`, `Decision`, `Problem`); the pages look the words up here. A language is one
//! file holding one `Words` value: the compiler refuses a language with a missing string.

mod en;

use crate::domain::{Field, FieldError};

/// A page that only says something: a heading and a paragraph.
pub struct Message {
    pub heading: &'static str,
    pub body: &'static str,
}

pub struct Words {
    pub positions_title: &'static str,
    pub no_positions: &'static str,
    pub see_open_positions: &'static str,
    pub back_to_form: &'static str,

    pub form_eyebrow: &'static str,
    /// The form's heading when Hireflix cannot be asked for the position's name.
    pub any_position: &'static str,
    pub form_intro: &'static str,
    pub title_apply: &'static str,
    pub title_error: &'static str,
    pub error_summary: &'static str,
    pub optional: &'static str,
    pub submit: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: &'static str,
    pub email_hint: &'static str,
    pub phone: &'static str,
    pub phone_hint: &'static str,

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

    pub rate_limited: &'static str,
    pub unavailable: &'static str,
    pub link_unusable: &'static str,
    pub refused_by_hireflix: &'static str,
    /// The Turnstile check: a label for the error summary, and what went wrong.
    pub human_check: &'static str,
    pub human_check_missing: &'static str,
    pub human_check_refused: &'static str,
    pub human_check_unavailable: &'static str,
    pub human_check_needs_javascript: &'static str,
    /// The label of the field people never see (read only by bots).
    pub honeypot_label: &'static str,

    pub invited_by_email: Message,
    pub queued: Message,
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
    pub fn label(&self, field: Field) -> &'static str {
        match field {
            Field::FirstName => self.first_name,
            Field::LastName => self.last_name,
            Field::Email => self.email,
            Field::PhoneNumber => self.phone,
        }
    }

    pub fn hint(&self, field: Field) -> Option<&'static str> {
        match field {
            Field::Email => Some(self.email_hint),
            Field::PhoneNumber => Some(self.phone_hint),
            Field::FirstName | Field::LastName => None,
        }
    }

    /// What to tell the candidate about one field. Hireflix's own words pass through as they
    /// are: they are the only account of what it refused.
    pub fn field_error<'a>(&'a self, field: Field, error: &'a FieldError) -> &'a str {
        match (error, field) {
            (FieldError::Missing, Field::FirstName) => self.first_name_missing,
            (FieldError::Missing, Field::LastName) => self.last_name_missing,
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

/// The words of the request's language.
pub fn words() -> &'static Words {
    &en::WORDS
}
