//! HTML pages: askama templates, compiled in, escaping every value.

use super::body::Posted;
use super::respond::{page, Reply};
use super::ui::Layout;
use crate::config::Config;
use crate::domain::{consent, Field, FieldErrors, PositionId};
use crate::hireflix::Position;
use crate::i18n::{Message, Words};
use askama::Template;

/// Content hash of the linked static files (build.rs); the templates add it as `?v=`.
pub const ASSET_VERSION: &str = env!("ASSET_VERSION");

impl Layout {
    pub fn brand_name(&self) -> &str {
        self.brand.name.as_deref().unwrap_or(self.w.careers)
    }

    /// Templates of their own: inlined in each page's, they cost the wasm their size thrice.
    pub fn header(&self) -> String {
        render(&Header { layout: self })
    }

    pub fn footer(&self) -> String {
        render(&Footer { layout: self })
    }
}

#[derive(Template)]
#[template(path = "header.html")]
struct Header<'a> {
    layout: &'a Layout,
}

#[derive(Template)]
#[template(path = "footer.html")]
struct Footer<'a> {
    layout: &'a Layout,
}

#[derive(Template)]
#[template(path = "positions.html")]
pub struct PositionsPage<'a> {
    pub layout: Layout,
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
    /// For `aria-describedby`.
    pub described_by: String,
}

pub struct ConsentView {
    pub checked: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub w: &'static Words,
    pub position_id: String,
    pub position_name: String,
    pub about: Option<String>,
    pub notice: Option<String>,
    pub has_errors: bool,
    pub fields: Vec<FieldView>,
    pub consent: Option<ConsentView>,
    /// The campaign (`utm_*`, `ref`).
    pub hidden: Vec<(&'static str, String)>,
    pub turnstile_site_key: Option<String>,
    pub human_check_error: Option<&'static str>,
}

impl FormPage {
    /// The form as `posted` left it; Turnstile's widget is a fresh one (tokens are single use).
    pub fn new(
        layout: Layout,
        position: &PositionId,
        position_name: &str,
        posted: &Posted,
        errors: &FieldErrors,
        config: &Config,
    ) -> Self {
        let w = layout.w;
        let error = |field| Some(w.field_error(field, errors.get(field)?).to_string());
        let view = |field| field_view(w, field, posted.form.value(field), error(field));
        let hidden = posted.attribution.iter().map(|(k, v)| (k, v.to_string()));
        FormPage {
            w,
            layout,
            position_id: position.to_string(),
            position_name: position_name.to_string(),
            about: None,
            notice: None,
            has_errors: !errors.is_empty(),
            fields: Field::ALL.into_iter().map(view).collect(),
            consent: config.require_consent.then(|| ConsentView {
                checked: consent::is_given(&posted.consent),
                error: error(Field::Consent),
            }),
            hidden: hidden.collect(),
            turnstile_site_key: config.turnstile.as_ref().map(|t| t.site_key.to_string()),
            human_check_error: None,
        }
    }

    pub fn reply(&self, status: u16) -> Reply {
        page(status, render(self), self.turnstile_site_key.is_some())
    }
}

fn field_view(w: &Words, field: Field, value: &str, error: Option<String>) -> FieldView {
    let (input_type, autocomplete, required, max_length, label, hint) = match field {
        Field::FirstName => ("text", "given-name", true, 50, w.first_name, None),
        Field::LastName => ("text", "family-name", true, 50, w.last_name, None),
        Field::Email => ("email", "email", true, 254, w.email, Some(w.email_hint)),
        Field::PhoneNumber => ("tel", "tel", false, 32, w.phone, Some(w.phone_hint)),
        Field::Consent => ("checkbox", "off", true, 0, w.consent, None),
    };
    let name = field.wire_name();
    let ids = [hint.map(|_| "hint"), error.as_ref().map(|_| "error")];
    let ids = ids.iter().flatten().map(|id| format!("{name}-{id}"));
    let described_by = ids.collect::<Vec<_>>().join(" ");
    FieldView {
        name,
        label,
        hint,
        input_type,
        autocomplete,
        required,
        max_length,
        value: value.to_string(),
        error,
        described_by,
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub message: &'static Message,
    /// (href, text); hrefs are only ever our own paths.
    pub link: Option<(String, &'static str)>,
    /// An inbox page's words for when nothing comes, and the address to write to.
    pub help: Option<(&'static str, Option<String>)>,
    /// (label, value): the position, the address.
    pub details: Vec<(&'static str, String)>,
}

/// A template that fails to render gives a plain message, never a panic.
pub fn render(page: &impl Template) -> String {
    page.render().unwrap_or_else(|_| {
        "<!doctype html><title>Error</title><p>Something went wrong.</p>".into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::brand::Brand;
    use crate::domain::ApplicationForm;
    use std::rc::Rc;

    fn layout() -> Layout {
        Layout {
            w: crate::i18n::english(),
            brand: Rc::new(Brand::default()),
            languages: Vec::new(),
        }
    }

    fn position() -> PositionId {
        PositionId::parse("68b43e38b19cf131a17c543f").unwrap()
    }

    fn posted(form: ApplicationForm) -> Posted {
        Posted {
            form,
            ..Posted::default()
        }
    }

    #[test]
    fn values_and_names_are_escaped() {
        let form = ApplicationForm::from_pairs([
            ("firstName", "\"><script>alert(1)</script>"),
            ("email", "a@b.c' onfocus='x"),
        ]);
        let html = render(&FormPage::new(
            layout(),
            &position(),
            "<b>Engineer</b> & co",
            &posted(form),
            &FieldErrors::default(),
            &Config::read(&[][..]),
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
            layout(),
            &position(),
            "Engineer",
            &posted(form),
            &errors,
            &Config::read(&[][..]),
        ));
        assert!(html.contains("id=\"email-error\""));
        assert!(html.contains("aria-describedby=\"email-hint email-error\""));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("value=\"nope\""));
        assert!(html.contains("value=\"Ann\""));
        assert!(!html.contains("id=\"firstName-error\""));
    }
}
