//! A route's decision as a plain value (`Reply`), made a JS `Response` in one place (`finish`).
//! Each `Headers` call from wasm is a crossing (about 20 us of a form view's 66 us, V8 profile):
//! a header set seen before in this isolate reuses its `ResponseInit`, and only the headers of
//! this answer alone (`Reply::own`) cost a call each.

use super::pages::Ui;
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;
use web_sys::{Headers, Response, ResponseInit};
use worker::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Page { turnstile: bool },
    Json,
    Preflight,
    SeeOther,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub(super) kind: Kind,
    status: u16,
    body: Option<String>,
    pub(super) vary_origin: bool,
    /// Values from the request or the decision (a location, a link pass, an origin): never
    /// part of a header set kept for the isolate.
    pub(super) own: Vec<(&'static str, String)>,
}

impl Reply {
    fn new(kind: Kind, status: u16, body: Option<String>) -> Reply {
        Reply {
            kind,
            status,
            body,
            vary_origin: false,
            own: Vec::new(),
        }
    }

    /// `None`: no such header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<Option<String>>) -> Reply {
        self.own.extend(value.into().map(|value| (name, value)));
        self
    }
}

pub fn html(status: u16, body: String) -> Reply {
    page(status, body, false)
}

/// `turnstile`: the CSP admits its widget.
pub fn page(status: u16, body: String, turnstile: bool) -> Reply {
    Reply::new(Kind::Page { turnstile }, status, Some(body))
}

pub fn json(status: u16, body: &Value) -> Reply {
    Reply::new(Kind::Json, status, Some(body.to_string()))
}

pub fn preflight() -> Reply {
    Reply::new(Kind::Preflight, 204, None)
}

/// 303 so the browser follows with a GET, and the interview page is not a form resubmission.
pub fn see_other(location: &str) -> Reply {
    Reply::new(Kind::SeeOther, 303, None).with_header("location", location.to_string())
}

/// Every API answer varies by `Origin`, so a cache never hands one origin's answer to another.
pub fn cors(mut reply: Reply, allowed_origin: Option<String>) -> Reply {
    reply.vary_origin = true;
    reply.with_header("access-control-allow-origin", allowed_origin)
}

/// Pages may hold what a candidate typed: never cached, the URL not leaked to other sites
/// (`same-origin`: under `no-referrer` the form's own post says `Origin: null`, as foreign ones).
const HTML_HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/html; charset=utf-8"),
    ("cache-control", "no-store"),
    ("referrer-policy", "same-origin"),
];

const TURNSTILE: &str = "https://challenges.cloudflare.com";

#[rustfmt::skip]
const API_HEADERS: [(&str, &str); 4] = [
    ("content-type", "application/json"),
    ("cache-control", "no-store"),
    ("access-control-allow-methods", "POST, OPTIONS"),
    ("access-control-allow-headers", "content-type, cf-turnstile-response"),
];

/// The interview link is the candidate's own: not cached, not passed on as a referrer.
const REDIRECT_HEADERS: [(&str, &str); 2] = [
    ("cache-control", "no-store"),
    ("referrer-policy", "no-referrer"),
];

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// What may frame our pages (this origin and `ALLOWED_ORIGINS`: any other site framing the form
/// with hidden prefills is a clickjacking aid), and where their forms may lead (this origin and
/// the hosts a post may redirect to).
pub struct Policy {
    pub frame_ancestors: String,
    pub form_action: String,
}

impl Policy {
    pub fn new(allowed_origins: &[String], redirect_sources: &str) -> Policy {
        let ancestors = std::iter::once("'self'").chain(allowed_origins.iter().map(String::as_str));
        Policy {
            frame_ancestors: ancestors.collect::<Vec<_>>().join(" "),
            form_action: format!("'self' {redirect_sources}"),
        }
    }
}

pub(super) type Header = (&'static str, Cow<'static, str>);

/// The headers an answer shares with every answer of its kind, status, language and scheme.
fn shared_headers(reply: &Reply, ui: &Ui, policy: &Policy, https: bool) -> Vec<Header> {
    let fixed = match reply.kind {
        Kind::Page { .. } => &HTML_HEADERS[..],
        Kind::Json | Kind::Preflight => &API_HEADERS[..],
        Kind::SeeOther => &REDIRECT_HEADERS[..],
    };
    let mut headers: Vec<Header> = Vec::with_capacity(fixed.len() + 6);
    headers.extend(fixed.iter().map(|&(name, value)| (name, value.into())));
    if let Kind::Page { turnstile } = reply.kind {
        headers.push(("content-security-policy", csp(turnstile, ui, policy).into()));
    }
    if reply.kind == Kind::Preflight {
        headers.push(("access-control-max-age", "86400".into()));
    }
    let vary = match reply.vary_origin {
        true => "Origin, Accept-Language",
        false => "Accept-Language",
    };
    headers.extend([
        ("content-language", ui.w.code.into()),
        ("vary", vary.into()),
        ("x-content-type-options", "nosniff".into()),
    ]);
    if https {
        headers.push(("strict-transport-security", HSTS.into()));
    }
    headers
}

/// Nothing but our own files, plus Turnstile's widget where it shows, the brand's logo (its
/// origin) and colour (its `<style>`'s hash), and the configured framing and form rules.
fn csp(turnstile: bool, ui: &Ui, policy: &Policy) -> String {
    let also = |source: Option<&str>| source.map(|s| format!(" {s}")).unwrap_or_default();
    let logo = ui.brand.logo.as_ref().and_then(|l| l.origin.as_deref());
    let (style, logo) = (
        also(ui.brand.color.as_ref().map(|c| &*c.csp_hash)),
        also(logo),
    );
    let (script, frame) = match turnstile {
        true => (also(Some(TURNSTILE)), format!("frame-src {TURNSTILE}; ")),
        false => Default::default(),
    };
    let (ancestors, action) = (&policy.frame_ancestors, &policy.form_action);
    format!(
        "default-src 'none'; style-src 'self'{style}; script-src 'self'{script}; {frame}\
         connect-src 'self'; img-src 'self' data:{logo}; base-uri 'none'; \
         frame-ancestors {ancestors}; form-action {action}"
    )
}

/// Few kinds, statuses, languages and schemes: past this many header sets, new ones are not kept.
const PREPARED_MAX: usize = 48;

thread_local! {
    static PREPARED: RefCell<Vec<(u16, Vec<Header>, ResponseInit)>> = const { RefCell::new(Vec::new()) };
}

/// The `Response` constructor copies the headers: one `ResponseInit` serves each status and set.
fn init_for(status: u16, headers: Vec<Header>) -> Result<ResponseInit> {
    let known = PREPARED.with_borrow(|prepared| {
        let same = |(s, h, _): &&(u16, Vec<Header>, ResponseInit)| *s == status && *h == headers;
        prepared.iter().find(same).map(|(_, _, init)| init.clone())
    });
    if let Some(init) = known {
        return Ok(init);
    }
    let set = Headers::new()?;
    for (name, value) in &headers {
        set.set(name, value)?;
    }
    let init = ResponseInit::new();
    init.set_status(status);
    init.set_headers_headers(&set);
    PREPARED.with_borrow_mut(|prepared| {
        if prepared.len() < PREPARED_MAX {
            prepared.push((status, headers, init.clone()));
        }
    });
    Ok(init)
}

pub fn finish(reply: Reply, ui: &Ui, policy: &Policy, https: bool) -> Result<Response> {
    let init = init_for(reply.status, shared_headers(&reply, ui, policy, https))?;
    // The body goes over as a view of wasm memory, which the constructor copies: a string
    // would be decoded into JS and encoded back to UTF-8, 9 us for a form page.
    let mut body = reply.body.map(String::into_bytes);
    let response = Response::new_with_opt_u8_array_and_init(body.as_deref_mut(), &init)?;
    if !reply.own.is_empty() {
        let headers = response.headers();
        for (name, value) in &reply.own {
            headers.append(name, value)?;
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::brand::{Brand, BrandColor, Link};
    use crate::hireflix::TrustedHosts;
    use crate::http_url::HttpUrl;
    use serde_json::Value;

    #[test]
    fn framing_and_form_targets_come_from_the_configuration() {
        let api = HttpUrl::parse("http://127.0.0.1:4010/me").unwrap();
        let policy = Policy::new(
            &["https://careers.example.com".to_string()],
            &TrustedHosts::for_api(&api).csp_sources(),
        );
        assert_eq!(policy.frame_ancestors, "'self' https://careers.example.com");
        assert_eq!(
            policy.form_action,
            "'self' https://hflx.io https://hireflix.com https://*.hireflix.com http://127.0.0.1:4010"
        );
        let alone = Policy::new(&[], &TrustedHosts::hireflix_only().csp_sources());
        assert_eq!(alone.frame_ancestors, "'self'");
        assert!(!alone.form_action.contains("127.0.0.1"));
    }

    /// In Spanish, the brand's logo from `logo_origin` and its colour hashed `style_hash`.
    fn ui(logo_origin: Option<&str>, style_hash: Option<&str>) -> Ui {
        let logo = logo_origin.map(|origin| Link {
            href: String::new(),
            origin: Some(origin.into()),
        });
        let color = style_hash.map(|hash| BrandColor {
            css: String::new(),
            csp_hash: hash.into(),
        });
        let brand = Brand {
            logo,
            color,
            ..Brand::default()
        };
        Ui {
            w: crate::i18n::by_code("es").unwrap(),
            brand: std::rc::Rc::new(brand),
            origin: String::new(),
            path: String::new(),
            query: Vec::new(),
        }
    }

    #[test]
    fn a_page_csp_admits_our_files_the_widget_and_the_brand_and_fences_framing_and_posting() {
        let policy = Policy::new(&["https://careers.example.com".to_string()], "'x'");
        assert_eq!(
            csp(false, &ui(None, None), &policy),
            "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
             img-src 'self' data:; base-uri 'none'; \
             frame-ancestors 'self' https://careers.example.com; form-action 'self' 'x'"
        );
        let branded = ui(Some("https://cdn.example.com"), Some("'sha256-abc='"));
        assert_eq!(
            csp(true, &branded, &policy),
            "default-src 'none'; style-src 'self' 'sha256-abc='; \
             script-src 'self' https://challenges.cloudflare.com; \
             frame-src https://challenges.cloudflare.com; connect-src 'self'; \
             img-src 'self' data: https://cdn.example.com; base-uri 'none'; \
             frame-ancestors 'self' https://careers.example.com; form-action 'self' 'x'"
        );
    }

    fn names(headers: &[Header]) -> Vec<&str> {
        headers.iter().map(|(name, _)| *name).collect()
    }

    fn value<'h>(headers: &'h [Header], name: &str) -> Option<&'h str> {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }

    #[test]
    fn every_answer_is_nosniff_in_its_language_and_hsts_only_over_https() {
        let policy = Policy::new(&[], "'x'");
        let ui = ui(None, None);
        for reply in [
            html(200, String::new()),
            json(200, &Value::Null),
            preflight(),
            see_other("https://example.com/i"),
        ] {
            let plain = shared_headers(&reply, &ui, &policy, false);
            assert_eq!(value(&plain, "x-content-type-options"), Some("nosniff"));
            assert_eq!(value(&plain, "content-language"), Some("es"));
            assert_eq!(value(&plain, "vary"), Some("Accept-Language"));
            assert_eq!(value(&plain, "strict-transport-security"), None);
            let secure = shared_headers(&reply, &ui, &policy, true);
            assert_eq!(value(&secure, "strict-transport-security"), Some(HSTS));
        }
    }

    #[test]
    fn what_comes_from_the_request_or_the_decision_is_never_shared() {
        let policy = Policy::new(&[], "'x'");
        let ui = ui(None, None);
        let shared = |reply| shared_headers(reply, &ui, &policy, false);
        let redirect =
            see_other("https://example.com/i").with_header("set-cookie", "p=1".to_string());
        assert_eq!(
            names(&shared(&redirect)),
            [
                "cache-control",
                "referrer-policy",
                "content-language",
                "vary",
                "x-content-type-options"
            ]
        );
        assert_eq!(
            redirect.own,
            [
                ("location", "https://example.com/i".to_string()),
                ("set-cookie", "p=1".to_string())
            ]
        );
        let api = cors(
            json(200, &Value::Null),
            Some("https://careers.example.com".into()),
        );
        let api_shared = shared(&api);
        assert_eq!(value(&api_shared, "vary"), Some("Origin, Accept-Language"));
        assert_eq!(value(&api_shared, "access-control-allow-origin"), None);
        assert_eq!(
            api.own,
            [(
                "access-control-allow-origin",
                "https://careers.example.com".to_string()
            )]
        );
        let refused = cors(json(403, &Value::Null), None);
        assert!(refused.own.is_empty());
        assert_eq!(
            value(&shared(&refused), "vary"),
            Some("Origin, Accept-Language")
        );
    }
}
