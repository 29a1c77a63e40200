//! The application form: what the candidate typed, and the valid application it parses into.

use super::attribution::first_values;
use super::phone::Region;
use super::{Email, Name, Phone};
use strum_macros::IntoStaticStr;

/// Named as Hireflix's public links name their prefill parameters, so a link written for
/// Hireflix's page prefills ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "camelCase")]
pub enum Field {
    FirstName,
    LastName,
    Email,
    PhoneNumber,
    /// The consent box (`REQUIRE_CONSENT`): not sent to Hireflix, so not in `ALL`.
    Consent,
}

impl Field {
    pub const ALL: [Field; 4] = [
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::PhoneNumber,
    ];

    pub fn wire_name(self) -> &'static str {
        self.into()
    }
}

/// Exactly what the candidate typed, kept verbatim so a rejected form comes back as it was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: String,
}

impl ApplicationForm {
    pub fn from_pairs<K: AsRef<str>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let found = first_values(Field::ALL.map(Field::wire_name), pairs);
        let [first_name, last_name, email, phone_number] =
            found.map(|v| v.map_or_else(String::new, Into::into));
        ApplicationForm {
            first_name,
            last_name,
            email,
            phone_number,
        }
    }

    /// Hand-written prefill links carry a bare `+` (`email=ann+jobs@x.com`), decoded as a
    /// space neither field can hold: put it back. Prefills only.
    pub fn repair_unencoded_plus(mut self) -> Self {
        let email = self.email.trim();
        if email.contains(' ') && !email.contains("  ") {
            self.email = email.replace(' ', "+");
        }
        if let Some(rest) = self.phone_number.strip_prefix(' ') {
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                self.phone_number = format!("+{rest}");
            }
        }
        self
    }

    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::Email => &self.email,
            Field::PhoneNumber => &self.phone_number,
            Field::Consent => "",
        }
    }

    /// A national number of `region` in E.164 form, so the form shown again says how it was
    /// read; anything else stays as typed.
    pub fn with_phone_normalised(mut self, region: Option<&Region>) -> Self {
        if Phone::parse(&self.phone_number, None).is_err() {
            if let Ok(Some(phone)) = Phone::parse(&self.phone_number, region) {
                self.phone_number = phone.as_str().to_string();
            }
        }
        self
    }

    /// Every error at once: the candidate fixes the form in one round trip.
    pub fn parse(&self) -> Result<Application, FieldErrors> {
        let mut errors = FieldErrors::default();
        let first_name = errors.check(Field::FirstName, Name::parse(&self.first_name));
        let last_name = errors.check(Field::LastName, Name::parse(&self.last_name));
        let email = errors.check(Field::Email, Email::parse(&self.email));
        let phone = errors.check(Field::PhoneNumber, Phone::parse(&self.phone_number, None));
        match (first_name, last_name, email, phone) {
            (Some(first_name), Some(last_name), Some(email), Some(phone)) => Ok(Application {
                first_name,
                last_name,
                email,
                phone,
            }),
            _ => Err(errors),
        }
    }
}

/// Every field checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub first_name: Name,
    pub last_name: Name,
    pub email: Email,
    pub phone: Option<Phone>,
}

/// What is wrong with one field; the words are the pages' business.
#[derive(Debug, Clone, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum FieldError {
    Missing,
    TooLong,
    /// A name with characters no name has.
    NotAName,
    NotAnEmail,
    PhoneCharacters,
    PhoneWithoutCountryCode,
    PhoneIncomplete,
    /// Hireflix refused the value in its own words, which are passed on as they are.
    RefusedByHireflix(String),
}

impl FieldError {
    /// For log lines and dead letters: never the refused value.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

/// Every field that is wrong, in the form's order, one error each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Field, FieldError)>);

impl FieldErrors {
    /// Adds an error for a field, unless the field already has one.
    pub fn with(mut self, field: Field, error: FieldError) -> Self {
        if self.get(field).is_none() {
            self.0.push((field, error));
        }
        self
    }

    fn check<T>(&mut self, field: Field, parsed: Result<T, FieldError>) -> Option<T> {
        parsed
            .map_err(|e| *self = std::mem::take(self).with(field, e))
            .ok()
    }

    pub fn get(&self, field: Field) -> Option<&FieldError> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, e)| e)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Field, &FieldError)> {
        self.0.iter().map(|(f, e)| (*f, e))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(first: &str, last: &str, email: &str, phone: &str) -> ApplicationForm {
        ApplicationForm::from_pairs([
            ("firstName", first),
            ("lastName", last),
            ("email", email),
            ("phoneNumber", phone),
        ])
    }

    #[test]
    fn fields_keep_the_names_hireflix_prefill_links_use() {
        let names = [
            Field::FirstName,
            Field::LastName,
            Field::Email,
            Field::PhoneNumber,
            Field::Consent,
        ];
        let names = names.map(Field::wire_name).join(" ");
        assert_eq!(names, "firstName lastName email phoneNumber consent");
    }

    #[test]
    fn error_kinds_keep_their_names_in_logs() {
        let named = [
            (FieldError::Missing, "missing"),
            (FieldError::TooLong, "too_long"),
            (FieldError::NotAName, "not_a_name"),
            (FieldError::NotAnEmail, "not_an_email"),
            (FieldError::PhoneCharacters, "phone_characters"),
            (
                FieldError::PhoneWithoutCountryCode,
                "phone_without_country_code",
            ),
            (FieldError::PhoneIncomplete, "phone_incomplete"),
            (
                FieldError::RefusedByHireflix("no".into()),
                "refused_by_hireflix",
            ),
        ];
        for (error, name) in named {
            assert_eq!(error.kind(), name);
        }
    }

    #[test]
    fn a_good_form_parses_into_normalised_values() {
        let app = form(" Ann ", "Lee", " Ann@Example.com", "+44 20 7946 0958")
            .parse()
            .unwrap();
        assert_eq!(app.first_name.as_str(), "Ann");
        assert_eq!(app.email.as_str(), "Ann@example.com");
        assert_eq!(app.phone.unwrap().as_str(), "+442079460958");
    }

    #[test]
    fn a_national_phone_is_normalised_in_the_region_and_a_wrong_one_kept_as_typed() {
        let gb = Region::by_code("GB");
        let national = form("Ann", "Lee", "a@b.co", "020 7946 0958").with_phone_normalised(gb);
        assert_eq!(national.phone_number, "+442079460958");
        assert!(national.parse().is_ok());
        let wrong = form("Ann", "Lee", "a@b.co", "020 79").with_phone_normalised(gb);
        assert_eq!(wrong.phone_number, "020 79");
        let international = form("A", "L", "a@b.co", "+44 20 7946 0958").with_phone_normalised(gb);
        assert_eq!(international.phone_number, "+44 20 7946 0958");
    }

    #[test]
    fn every_bad_field_is_reported_with_its_kind() {
        let errors = form("", "Lee", "nope", "12").parse().unwrap_err();
        assert!(errors.get(Field::FirstName).is_some());
        assert!(errors.get(Field::LastName).is_none());
        assert!(errors.get(Field::Email).is_some());
        assert_eq!(errors.get(Field::FirstName), Some(&FieldError::Missing));
        assert_eq!(errors.get(Field::Email), Some(&FieldError::NotAnEmail));
        assert_eq!(
            errors.get(Field::PhoneNumber),
            Some(&FieldError::PhoneWithoutCountryCode)
        );
        assert_eq!(errors.iter().count(), 3);
    }

    #[test]
    fn a_bare_plus_in_a_prefill_link_is_put_back() {
        let form = ApplicationForm::from_pairs([
            ("email", "mia jobs@example.com"),
            ("phoneNumber", " 61412345678"),
        ])
        .repair_unencoded_plus();
        assert_eq!(form.email, "mia+jobs@example.com");
        assert_eq!(form.phone_number, "+61412345678");
        let untouched =
            ApplicationForm::from_pairs([("email", "a@b.co"), ("phoneNumber", "020 7946 0958")])
                .repair_unencoded_plus();
        assert_eq!(untouched.email, "a@b.co");
        assert_eq!(untouched.phone_number, "020 7946 0958");
    }

    #[test]
    fn first_value_wins_and_unknown_fields_are_ignored() {
        let form = ApplicationForm::from_pairs([
            ("email", "a@example.com"),
            ("email", "b@example.com"),
            ("isAdmin", "true"),
        ]);
        assert_eq!(form.email, "a@example.com");
        assert_eq!(form.first_name, "");
    }
}
