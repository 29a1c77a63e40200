//! Response builders: every page and JSON answer leaves through here with the same headers.

use super::ui::Ui;
use serde_json::Value;
use worker::{Headers, Response, Result};

/// Pages may hold what a candidate typed (or a prefilled email): never cache them, never leak
/// the URL to other sites. Framing is allowed to this origin and `ALLOWED_ORIGINS` only
/// (`finish`) so landing pages can embed the form; in a frame, public/apply.js posts to our
/// own JSON API (`connect-src 'self'`) to learn the interview link and open it in the whole
/// window.
///
/// `same-origin`, not `no-referrer`: with `no-referrer` a browser sends `Origin: null` on the
/// form's own post, and the Origin gate could no longer tell our page from a foreign one.
const HTML_HEADERS: [(&str, &str); 4] = [
    ("content-type", "text/html; charset=utf-8"),
    ("cache-control", "no-store"),
    ("referrer-policy", "same-origin"),
    ("x-content-type-options", "nosniff"),
];

const CSP: &str =
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'";
/// Turnstile's widget is a script and a frame from Cloudflare: admitted only on pages that
/// show it.
const CSP_WITH_TURNSTILE: &str = "default-src 'none'; style-src 'self'; script-src 'self' https://challenges.cloudflare.com; frame-src https://challenges.cloudflare.com; connect-src 'self'; img-src 'self' data:; base-uri 'none'";

/// The JSON API is called by landing pages on the origins `ALLOWED_ORIGINS` lists; which one
/// may read an answer is set per request (`cors`).
const API_HEADERS: [(&str, &str); 4] = [
    ("content-type", "application/json"),
    ("cache-control", "no-store"),
    ("access-control-allow-methods", "POST, OPTIONS"),
    (
        "access-control-allow-headers",
        "content-type, cf-turnstile-response",
    ),
];

fn with_headers(response: Response, headers: &[(&str, &str)]) -> Result<Response> {
    let all = Headers::new();
    for (name, value) in headers {
        all.set(name, value)?;
    }
    Ok(response.with_headers(all))
}

pub fn html(status: u16, body: String) -> Result<Response> {
    page(status, body, false)
}

/// A page, with the CSP that admits Turnstile's widget when it shows one.
pub fn page(status: u16, body: String, turnstile: bool) -> Result<Response> {
    let response = with_headers(Response::ok(body)?.with_status(status), &HTML_HEADERS)?;
    let csp = if turnstile { CSP_WITH_TURNSTILE } else { CSP };
    response.headers().set("content-security-policy", csp)?;
    Ok(response)
}

/// Lets the calling page read an API answer when its origin is allowed; every answer varies
/// by `Origin`, so a cache never hands one origin's answer to another.
pub fn cors(response: Response, allowed_origin: Option<&str>) -> Result<Response> {
    let headers = response.headers();
    headers.append("vary", "Origin")?;
    if let Some(origin) = allowed_origin {
        headers.set("access-control-allow-origin", origin)?;
    }
    Ok(response)
}

pub fn json(status: u16, body: &Value) -> Result<Response> {
    with_headers(
        Response::ok(body.to_string())?.with_status(status),
        &API_HEADERS,
    )
}

pub fn preflight() -> Result<Response> {
    let response = with_headers(Response::empty()?.with_status(204), &API_HEADERS)?;
    response.headers().set("access-control-max-age", "86400")?;
    Ok(response)
}

/// 303 so the browser follows with a GET, and the interview page is not a form resubmission.
pub fn see_other(location: &str) -> Result<Response> {
    let response = Response::empty()?.with_status(303);
    response.headers().set("location", location)?;
    response.headers().set("cache-control", "no-store")?;
    response.headers().set("referrer-policy", "no-referrer")?;
    Ok(response)
}

/// What may frame our pages and where their forms may lead, from the configuration.
pub struct Policy {
    /// `frame-ancestors`: this origin and `ALLOWED_ORIGINS`. A form that any site can frame,
    /// with hidden prefills, is a clickjacking aid.
    pub frame_ancestors: String,
    /// `form-action`: this origin, and the hosts the post may redirect to.
    pub form_action: String,
}

impl Policy {
    pub fn new(allowed_origins: &[String], redirect_sources: &str) -> Policy {
        let mut frame_ancestors = String::from("'self'");
        for origin in allowed_origins {
            frame_ancestors.push(' ');
            frame_ancestors.push_str(origin);
        }
        Policy {
            frame_ancestors,
            form_action: format!("'self' {redirect_sources}"),
        }
    }
}

/// Headers every answer gets, however it was made: `nosniff` (a JSON answer or a redirect is
/// never read as something else), HSTS when it came over https, and on pages the framing and
/// form rules added to their CSP.
pub fn finish(response: Response, policy: &Policy, https: bool) -> Result<Response> {
    let headers = response.headers();
    headers.set("x-content-type-options", "nosniff")?;
    if https {
        headers.set(
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        )?;
    }
    let is_html = headers
        .get("content-type")?
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html {
        let csp = headers.get("content-security-policy")?.unwrap_or_default();
        let csp = format!(
            "{csp}; frame-ancestors {}; form-action {}",
            policy.frame_ancestors, policy.form_action
        );
        headers.set("content-security-policy", csp.trim_start_matches("; "))?;
    }
    Ok(response)
}

pub fn with_retry_after(response: Response, seconds: u32) -> Result<Response> {
    response
        .headers()
        .set("retry-after", &seconds.to_string())?;
    Ok(response)
}

/// Every answer says its language and that it depends on the browser's; a page also lets its
/// CSP admit what the brand adds: the logo's origin and the brand colour's `<style>`.
pub fn in_language(response: Response, ui: &Ui) -> Result<Response> {
    let headers = response.headers();
    headers.set("content-language", ui.w.code)?;
    headers.append("vary", "Accept-Language")?;
    if let Some(origin) = ui.brand.logo.as_ref().and_then(|l| l.origin.as_deref()) {
        allow_in_csp(&response, "img-src", origin)?;
    }
    if let Some(color) = &ui.brand.color {
        allow_in_csp(&response, "style-src", &color.csp_hash)?;
    }
    Ok(response)
}

/// Adds a source to one directive of a response's CSP, when it has that directive: written to
/// change the policy however it was built, not to know it.
fn allow_in_csp(response: &Response, directive: &str, source: &str) -> Result<()> {
    let headers = response.headers();
    let Some(policy) = headers.get("content-security-policy")? else {
        return Ok(());
    };
    headers.set(
        "content-security-policy",
        &with_source(&policy, directive, source),
    )
}

fn with_source(policy: &str, directive: &str, source: &str) -> String {
    policy
        .split(';')
        .map(|part| {
            let trimmed = part.trim();
            let name = trimmed.split_whitespace().next().unwrap_or_default();
            if name.eq_ignore_ascii_case(directive) {
                format!("{trimmed} {source}")
            } else {
                trimmed.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hireflix::TrustedHosts;
    use crate::http_url::HttpUrl;

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

    #[test]
    fn a_source_joins_its_directive_only() {
        let policy = with_source(CSP, "img-src", "https://cdn.example.com");
        assert!(
            policy.contains("img-src 'self' data: https://cdn.example.com;"),
            "{policy}"
        );
        assert!(policy.contains("default-src 'none';"));
        assert_eq!(
            with_source("default-src 'none'", "img-src", "x"),
            "default-src 'none'"
        );
        let styled = with_source(CSP_WITH_TURNSTILE, "style-src", "'sha256-abc='");
        assert!(
            styled.contains("style-src 'self' 'sha256-abc=';"),
            "{styled}"
        );
    }
}
