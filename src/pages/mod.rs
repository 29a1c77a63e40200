//! HTML pages. Templates are compiled in (askama) and escape every value by construction.

use crate::domain::{ApplicationForm, Field, FieldErrors};
use crate::hireflix::Position;
use askama::Template;

/// Content hash of the linked static files (build.rs); the templates add it as `?v=`.
pub const ASSET_VERSION: &str = env!("ASSET_VERSION");

#[derive(Template)]
#[template(path = "positions.html")]
pub struct PositionsPage<'a> {
    pub positions: Vec<&'a Position>,
}

pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub required: bool,
    pub max_length: usize,
    pub value: String,
    pub error: Option<String>,
    /// Space-separated ids of the hint and error, for `aria-describedby`.
    pub described_by: String,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub position_id: String,
    pub position_name: String,
    pub notice: Option<String>,
    pub has_errors: bool,
    pub fields: Vec<FieldView>,
}

impl FormPage {
    pub fn new(
        position_id: &str,
        position_name: &str,
        form: &ApplicationForm,
        errors: &FieldErrors,
    ) -> Self {
        let fields = Field::ALL
            .into_iter()
            .map(|field| field_view(field, form.value(field), errors.get(field)))
            .collect();
        FormPage {
            position_id: position_id.to_string(),
            position_name: position_name.to_string(),
            notice: None,
            has_errors: !errors.is_empty(),
            fields,
        }
    }

    pub fn with_notice(mut self, notice: impl Into<String>) -> Self {
        self.notice = Some(notice.into());
        self
    }
}

fn field_view(field: Field, value: &str, error: Option<&str>) -> FieldView {
    let (label, hint, input_type, autocomplete, required, max_length) = match field {
        Field::FirstName => ("First name", None, "text", "given-name", true, 50),
        Field::LastName => ("Last name", None, "text", "family-name", true, 50),
        Field::Email => (
            "Email",
            Some("Your interview link is also sent here."),
            "email",
            "email",
            true,
            254,
        ),
        Field::PhoneNumber => (
            "Phone",
            Some("With your country code, like +44 20 7946 0958."),
            "tel",
            "tel",
            false,
            32,
        ),
    };
    let name = field.wire_name();
    let described_by = [
        hint.map(|_| format!("{name}-hint")),
        error.map(|_| format!("{name}-error")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    FieldView {
        name,
        label,
        hint,
        input_type,
        autocomplete,
        required,
        max_length,
        value: value.to_string(),
        error: error.map(str::to_string),
        described_by,
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub heading: String,
    pub body: String,
    /// (href, text); hrefs are only ever our own paths.
    pub link: Option<(String, String)>,
}

impl MessagePage {
    pub fn new(heading: &str, body: &str) -> Self {
        MessagePage {
            heading: heading.into(),
            body: body.into(),
            link: None,
        }
    }

    pub fn with_link(mut self, href: &str, text: &str) -> Self {
        self.link = Some((href.into(), text.into()));
        self
    }
}

/// Renders a page; a template that fails to render gives a plain message, never a panic.
pub fn render(page: &impl Template) -> String {
    page.render().unwrap_or_else(|_| {
        "<!doctype html><title>Error</title><p>Something went wrong.</p>".into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_names_are_escaped() {
        let form = ApplicationForm::from_pairs([
            ("firstName", "\"><script>alert(1)</script>"),
            ("email", "a@b.c' onfocus='x"),
        ]);
        let html = render(&FormPage::new(
            "68b43e38b19cf131a17c543f",
            "<b>Engineer</b> & co",
            &form,
            &FieldErrors::default(),
        ));
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<b>Engineer"));
        assert!(
            html.contains("&#60;b&#62;Engineer&#60;/b&#62; &#38; co"),
            "{html}"
        );
        assert!(!html.contains("' onfocus='x"));
    }

    #[test]
    fn errors_are_tied_to_their_fields() {
        let form = ApplicationForm::from_pairs([("firstName", "Ann"), ("email", "nope")]);
        let errors = form.parse().unwrap_err();
        let html = render(&FormPage::new(
            "68b43e38b19cf131a17c543f",
            "Engineer",
            &form,
            &errors,
        ));
        assert!(html.contains("id=\"email-error\""));
        assert!(html.contains("aria-describedby=\"email-hint email-error\""));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("value=\"nope\""));
        assert!(html.contains("value=\"Ann\""));
        assert!(!html.contains("id=\"firstName-error\""));
    }
}
