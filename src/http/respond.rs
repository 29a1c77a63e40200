//! Answers: what a route decided, as a plain value (`Reply`), and the one place where it becomes
//! a JS `Response` (`finish`), its whole header set composed here in Rust.
//!
//! Why not build a `worker::Response` and set headers as the answer takes shape: each `Headers`
//! call from wasm is a crossing with its strings copied both ways, and reading the CSP back to
//! add to it is two more: about 20 us of a form view's 66 us on the JS thread (V8 profile).
//! Here the header set is composed in Rust; a header set seen before in this isolate (the same
//! status, language, CSP, ...) reuses the `ResponseInit` built for it then, so most answers cost
//! one `new Response(body, init)`, plus one call per header that only this answer has (its
//! `location`, link pass, allowed origin, `retry-after`).

use super::headers::{shared_headers, Header, Setting};
use serde_json::Value;
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

/// An answer before it is a `Response`: its kind, status and body, and the headers that are
/// this answer's own. `finish` adds what every answer gets and makes the `Response`.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub(super) kind: Kind,
    status: u16,
    body: Option<String>,
    /// Every answer of the API varies by `Origin`, so a cache never hands one origin's answer
    /// to another.
    pub(super) vary_origin: bool,
    /// Headers of this answer alone, set after the `Response` is made: values that come from
    /// the request or the decision (a location, a link pass, an origin) are never part of a
    /// header set kept for the isolate.
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

    /// Adds a header of this answer's own.
    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.own.push((name, value));
        self
    }
}

pub fn html(status: u16, body: String) -> Reply {
    page(status, body, false)
}

/// A page, with the CSP that admits Turnstile's widget when it shows one.
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

/// Lets the calling page read an API answer when its origin is allowed; every answer varies
/// by `Origin`, so a cache never hands one origin's answer to another.
pub fn cors(mut reply: Reply, allowed_origin: Option<&str>) -> Reply {
    reply.vary_origin = true;
    match allowed_origin {
        Some(origin) => reply.with_header("access-control-allow-origin", origin.to_string()),
        None => reply,
    }
}

/// A `ResponseInit` (status and header set) built once and kept for the isolate's later
/// answers with the same status and shared headers: the `Response` constructor copies the
/// headers, so one `Headers` serves them all.
struct Prepared {
    status: u16,
    headers: Vec<Header>,
    init: ResponseInit,
}

/// The kinds, statuses, languages and schemes an isolate answers with are few; past this many
/// header sets, new ones are built for each answer and not kept.
const PREPARED_MAX: usize = 48;

thread_local! {
    static PREPARED: RefCell<Vec<Prepared>> = const { RefCell::new(Vec::new()) };
}

fn init_for(status: u16, headers: Vec<Header>) -> Result<ResponseInit> {
    let known = PREPARED.with_borrow(|prepared| {
        prepared
            .iter()
            .find(|p| p.status == status && p.headers == headers)
            .map(|p| p.init.clone())
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
            prepared.push(Prepared {
                status,
                headers,
                init: init.clone(),
            });
        }
    });
    Ok(init)
}

/// The one place an answer becomes a `Response`, whichever route made it.
pub fn finish(reply: Reply, setting: &Setting) -> Result<Response> {
    let init = init_for(reply.status, shared_headers(&reply, setting))?;
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
