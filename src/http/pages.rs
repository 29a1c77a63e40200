//! What every page shares, decided once per request (the language, the brand, the language
//! switch's links), and the HTML pages: askama templates, compiled in, escaping every value.

use super::body::{first, urlencoded_pairs, Posted};
use super::respond::{page, Reply};
use crate::app::App;
use crate::config::{brand::Brand, Config};
use crate::domain::{consent, ApplicationForm, Attribution, Field, FieldErrors, PositionId};
use crate::hireflix::Position;
use crate::i18n::{self, Message, Words, LANGUAGES};
use askama::Template;
use std::rc::Rc;
use worker::Request;

pub const LANG: &str = "lang";

pub struct Ui {
    pub w: &'static Words,
    pub brand: Rc<Brand>,
    /// This worker's, as the request reached it.
    pub origin: String,
    pub(super) path: String,
    pub query: Vec<(String, String)>,
}

pub struct Layout {
    pub w: &'static Words,
    pub brand: Rc<Brand>,
    /// Each language and its link.
    pub languages: Vec<(&'static Words, String)>,
}

impl Ui {
    pub fn from_request(req: &Request, url: &str, app: &App) -> Ui {
        let (origin, path, query) = split_url(url);
        let query = urlencoded_pairs(query.as_bytes());
        let accept = req.headers().get("accept-language").ok().flatten();
        let default = app.config.default_language.as_deref();
        Ui {
            w: i18n::choose(first(&query, LANG), accept.as_deref(), default),
            brand: app.config.brand.clone(),
            origin: origin.to_string(),
            path: routed(path),
            query,
        }
    }

    /// Port dropped. Any host is its own (punycode, IPv6): `HttpUrl`'s stricter rules are for
    /// hosts people are sent to, and Turnstile must accept a check solved on any of ours.
    pub fn host(&self) -> &str {
        let host = self.origin.split_once("://").map_or("", |(_, h)| h);
        match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        }
    }

    pub fn layout(&self) -> Layout {
        self.layout_at(&self.path)
    }

    pub fn layout_at(&self, path: &str) -> Layout {
        self.layout_with(path, &[], Vec::new())
    }

    /// Prefilled with what was typed, and the campaign: a language switch loses no words.
    pub fn form_layout(&self, path: &str, form: &ApplicationForm, from: &Attribution) -> Layout {
        let mut drop: Vec<&str> = Field::ALL.iter().map(|f| f.wire_name()).collect();
        drop.extend(crate::domain::attribution::NAMES);
        let typed = Field::ALL.map(|field| (field.wire_name(), form.value(field)));
        let typed = typed.into_iter().filter(|(_, value)| !value.is_empty());
        self.layout_with(path, &drop, typed.chain(from.iter()).collect())
    }

    /// Each language's link: the query less `lang` and the names dropped, then `extra`.
    fn layout_with(&self, path: &str, drop: &[&str], extra: Vec<(&str, &str)>) -> Layout {
        let keep = |(k, _): &&(String, String)| k != LANG && !drop.contains(&k.as_str());
        let kept = self.query.iter().filter(keep);
        let kept = kept.map(|(k, v)| (k.as_str(), v.as_str()));
        let pairs: Vec<(&str, &str)> = kept.chain(extra).collect();
        let link = |w: &&'static Words| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair(LANG, w.code).extend_pairs(&pairs);
            (*w, format!("{path}?{}", query.finish()))
        };
        let languages = LANGUAGES.iter().map(link).collect();
        Layout {
            w: self.w,
            brand: Rc::clone(&self.brand),
            languages,
        }
    }
}

/// Segments between single slashes: `//evil.example/x` and `/\evil.example` (a backslash is a
/// slash to browsers) would link to another site.
fn routed(path: &str) -> String {
    let segments: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    format!("/{}", segments.join("/"))
}

/// Origin, path and query of the URL the runtime hands over serialised (scheme and host
/// lower-case, no default port): its origin is the text before the path.
fn split_url(url: &str) -> (&str, &str, &str) {
    let host_start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url.get(host_start..).and_then(|rest| rest.find('/'));
    let split = path_start.and_then(|i| url.split_at_checked(host_start + i));
    let (origin, rest) = split.unwrap_or((url, ""));
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (origin, if path.is_empty() { "/" } else { path }, query)
}

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
pub(crate) mod tests {
    use super::*;

    pub fn ui(w: &'static Words, query: &[(&str, &str)]) -> Ui {
        Ui {
            w,
            brand: Rc::new(Brand::default()),
            origin: "https://apply.test".into(),
            path: "/apply/68b43e38b19cf131a17c543f".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_own_host_is_any_host_without_its_port() {
        let host = |origin: &str| {
            Ui {
                origin: origin.into(),
                ..ui(i18n::english(), &[])
            }
            .host()
            .to_string()
        };
        assert_eq!(host("https://apply.test"), "apply.test");
        assert_eq!(host("http://127.0.0.1:8787"), "127.0.0.1");
        assert_eq!(
            host("https://xn--bcher-kva.example"),
            "xn--bcher-kva.example"
        );
        assert_eq!(host("http://[::1]:8787"), "[::1]");
        assert_eq!(host("http://[::1]"), "[::1]");
    }

    #[test]
    fn urls_split_into_origin_path_and_query() {
        assert_eq!(
            split_url("https://a.test/x/y?b=1#f"),
            ("https://a.test", "/x/y", "b=1")
        );
        assert_eq!(split_url("http://a.test"), ("http://a.test", "/", ""));
        assert_eq!(
            split_url("http://127.0.0.1:8787/?lang=es&r={x}"),
            ("http://127.0.0.1:8787", "/", "lang=es&r={x}")
        );
    }

    #[test]
    fn a_path_is_linked_to_only_as_this_sites_own() {
        assert_eq!(routed("//evil.example/x"), "/evil.example/x");
        assert_eq!(routed("/\\evil.example/x"), "/evil.example/x");
        assert_eq!(routed("/\\/evil.example"), "/evil.example");
        assert_eq!(routed("/apply//68b4/"), "/apply/68b4");
        assert_eq!(routed("/"), "/");
        assert_eq!(routed(""), "/");
    }

    #[test]
    fn the_switch_keeps_the_query_and_replaces_the_language() {
        let es = i18n::by_code("es").unwrap();
        let layout = ui(
            es,
            &[
                ("lang", "es"),
                ("embed_origin", "https://x.test"),
                ("utm_source", "ad"),
            ],
        )
        .layout();
        let (en, href) = &layout.languages[0];
        assert_eq!(en.code, "en");
        assert_eq!(
            href,
            "/apply/68b43e38b19cf131a17c543f?lang=en&embed_origin=https%3A%2F%2Fx.test&utm_source=ad"
        );
        assert_eq!(layout.languages[1].0.code, layout.w.code);
    }

    #[test]
    fn the_form_switch_carries_the_typed_values_and_the_campaign() {
        let form = ApplicationForm::from_pairs([("firstName", "Zoë"), ("email", "z+1@x.co")]);
        let attribution = Attribution::from_pairs([("utm_source", "posted")]);
        let layout = ui(
            i18n::english(),
            &[
                ("firstName", "old"),
                ("utm_source", "query"),
                ("embed_origin", "https://x.test"),
            ],
        )
        .form_layout("/apply/68b43e38b19cf131a17c543f", &form, &attribution);
        assert_eq!(
            layout.languages[1].1,
            "/apply/68b43e38b19cf131a17c543f?lang=es&embed_origin=https%3A%2F%2Fx.test&firstName=Zo%C3%AB&email=z%2B1%40x.co&utm_source=posted"
        );
    }

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
