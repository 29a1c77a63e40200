//! The HTTP edge: routes a request, reads it, and renders what the core decided; and the
//! pages that only read (health, the positions list, the empty or prefilled form).

mod admin;
pub mod body;
mod pages;
mod pass;
mod render;
mod respond;
mod submit;
mod turnstile;

use crate::answer::Answer;
use crate::app::{App, Services};
use crate::apply::positions;
use crate::config::names;
use crate::domain::{ApplicationForm, Attribution, FieldErrors, PositionId};
use crate::funnel::{Funnel, Step, Visit};
use crate::hireflix::Transient;
use crate::log::{request_id, Source};
use body::Posted;
use pages::{render, FormPage, PositionsPage, Ui};
use respond::{html, json, Reply};
use serde_json::json;
use submit::{position_name, LivePost};
use worker::{Context, Env, Method, Request, Result};

pub use respond::Policy;
pub use submit::{client_key, network_key};

/// The Cron Trigger's job: a failure keeps the last good positions list in KV, and is logged.
pub async fn refresh_positions(env: &Env) {
    let app = App::for_env(env);
    let Ok(services) = &app.services else { return };
    if let Err(why) = positions::refresh(services).await {
        let reason = why.as_str();
        crate::log::Event::PositionsRefreshFailed { reason }.emit();
    }
}

pub async fn handle(req: Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    let url = req.inner().url();
    let app = App::for_env(&env);
    // Settled first: every answer below is in this language.
    let ui = Ui::from_request(&req, &url, &app);
    let reply = route(req, &app, ctx, &ui).await;
    respond::finish(reply, &ui, &app.policy, url.starts_with("https:"))
}

async fn route(mut req: Request, app: &App, ctx: Context, ui: &Ui) -> Reply {
    let w = ui.w;
    let path = req.path();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // Every path is matched before the configuration is read: an unknown path is a 404 even
    // on a deployment that is not set up yet. Else: the positions, a form, or a post of one.
    let (id, post) = match (req.method(), segments.as_slice()) {
        (Method::Get | Method::Head, ["healthz"]) => return health(&req, app, ui).await,
        (Method::Options, ["api", "apply", _]) => {
            let allowed = api_origin(&req, &ui.origin, app.services.as_ref().ok());
            return respond::cors(respond::preflight(), allowed);
        }
        (Method::Get | Method::Head, []) => (None, None),
        (Method::Get | Method::Head, ["apply", id]) => (Some(*id), None),
        // A page that answered a post, shown again (in another language) without posting.
        (Method::Get | Method::Head, ["apply", id, slug]) => {
            return match (PositionId::parse(id), Answer::from_slug(slug, w)) {
                (Some(position), Some(answer)) => {
                    render::inbox_again(&answer, &position, ui, &app.config)
                }
                _ => Answer::PageNotFound.page(ui),
            };
        }
        (Method::Post, ["apply", id]) => (Some(*id), Some(Source::Form)),
        (Method::Post, ["api", "apply", id]) => (Some(*id), Some(Source::Api)),
        (_, ["api", "apply", _]) => return Answer::MethodNotAllowed.json(w),
        (_, ["admin", rest @ ..]) => return admin::handle(&mut req, app, rest, ui).await,
        _ => return Answer::PageNotFound.page(ui),
    };
    let api = matches!(post, Some(Source::Api));
    let answer = |answer: Answer| if api { answer.json(w) } else { answer.page(ui) };
    let position = match id.map(PositionId::parse) {
        Some(None) => return answer(Answer::PositionNotFound),
        position => position.flatten(),
    };
    let Ok(services) = &app.services else {
        return answer(Answer::Misconfigured);
    };
    // What the funnel records of a visit besides its step (campaign tags come with the form).
    let funnel = services.funnel(|| Visit {
        language: w.code.to_string(),
        country: req.cf().and_then(|cf| cf.country()).unwrap_or_default(),
        ..Visit::default()
    });
    let (Some(position), Some(source)) = (&position, post) else {
        return match &position {
            None => list_positions(services, ui).await,
            Some(position) => show_form(services, &funnel, position, ui).await,
        };
    };
    let mut live = LivePost {
        request_id: request_id(req.headers().get("cf-ray").ok().flatten()),
        req: &mut req,
        services,
        funnel: &funnel,
        ctx: &ctx,
        position,
        source,
        ui,
    };
    let submission = submit::submit(&mut live, &services.config, ui).await;
    let reply = render::submission((position, &submission, &services.config), ui, source);
    if !api {
        return reply;
    }
    respond::cors(reply, api_origin(&req, &ui.origin, Some(services)))
}

/// The origin that may read an API answer: ours or one in `ALLOWED_ORIGINS`, never `*`.
fn api_origin(req: &Request, own_origin: &str, services: Option<&Services>) -> Option<String> {
    let allowed = &services?.config.allowed_origins;
    let origin = req.headers().get("origin").ok().flatten()?;
    submit::origin_allowed(Some(&origin), own_origin, allowed).then_some(origin)
}

/// 200 when the worker can serve, 503 when it cannot: the status alone, since what is missing
/// is a map for an attacker. With the admin token also `warnings` and `problems` (by setting
/// name, never a value), and with `?deep=1` whether Hireflix takes the API key (kept a minute).
pub async fn health(req: &Request, app: &App, ui: &Ui) -> Reply {
    let admin = admin::authorized(req, app).await;
    let deep = admin && ui.query.iter().any(|(k, v)| k == "deep" && v == "1");
    let (status, body) = report(app, deep).await;
    match admin {
        true => json(status, &body),
        false => json(status, &json!({ "status": body["status"] })),
    }
}

async fn report(app: &App, deep: bool) -> (u16, serde_json::Value) {
    let mut warnings = binding_warnings(|name, bound| bound(app.env(), name));
    let mut problems = app.services.as_ref().err().cloned().unwrap_or_default();
    problems.extend(admin::token_problem(app));
    if let Ok(services) = &app.services {
        warnings.extend(services.config.warnings.iter().cloned());
    }
    let mut body = match problems.is_empty() {
        true => json!({ "status": "ok" }),
        false => json!({ "status": "misconfigured", "problems": problems }),
    };
    if !warnings.is_empty() {
        body["warnings"] = json!(warnings);
    }
    let serving = app.services.as_ref().ok().filter(|_| problems.is_empty());
    let Some(services) = serving.filter(|_| deep) else {
        return (if serving.is_some() { 200 } else { 503 }, body);
    };
    let hireflix = match services.store.health().await {
        Some(known) => known,
        None => {
            let fresh = match services.client.positions().await {
                Ok(_) => "ok",
                Err(Transient::Auth) => "unauthorized",
                Err(_) => "unreachable",
            };
            services.store.remember_health(fresh).await;
            fresh.to_string()
        }
    };
    body["hireflix"] = json!(hireflix);
    if hireflix == "ok" {
        return (200, body);
    }
    body["status"] = json!("degraded");
    (503, body)
}

/// Whether `Env` has the binding of that name.
type Bound = fn(&Env, &str) -> bool;
const LIMITER: Bound = |env, name| env.rate_limiter(name).is_ok();
const QUEUE: Bound = |env, name| env.queue(name).is_ok();
const OBJECT: Bound = |env, name| env.durable_object(name).is_ok();

/// The bindings the worker runs without, less safely, and what it does then.
#[rustfmt::skip]
const OPTIONAL_BINDINGS: [(&str, Bound, &str); 7] = [
    (names::INVITE_LEDGER, OBJECT, "no invite is made without its check (applications wait in the queue)"),
    (names::DEAD_LETTERS, OBJECT, "dead letters go to KV, whose daily write quota can refuse them"),
    (names::RATE_LIMITER, LIMITER, "posts are not rate limited"),
    (names::NETWORK_RATE_LIMITER, LIMITER, "an IPv6 /48 (anyone can get one) posts as 65,536 clients"),
    (names::INVITE_QUEUE, QUEUE, "an application Hireflix cannot take at once is refused (503), not queued"),
    (names::DEAD_LETTER_QUEUE, QUEUE, "an invite that fails for good is retried until the platform drops it"),
    (names::POSITION_LINE, OBJECT, "no application is let past its position's hourly budget (each waits in the queue until it is dead-lettered)"),
];

fn binding_warnings(bound: impl Fn(&str, Bound) -> bool) -> Vec<String> {
    OPTIONAL_BINDINGS
        .iter()
        .filter(|(name, probe, _)| !bound(name, *probe))
        .map(|(name, _, without)| format!("{name} binding is missing: {without}"))
        .collect()
}

pub async fn list_positions(services: &Services, ui: &Ui) -> Reply {
    let Ok(open) = positions::open_positions(services).await else {
        return Answer::PositionsUnavailable.page(ui);
    };
    let (layout, positions) = (ui.layout(), open.iter().collect());
    html(200, render(&PositionsPage { layout, positions }))
}

pub async fn show_form(services: &Services, funnel: &Funnel, id: &PositionId, ui: &Ui) -> Reply {
    let lookup = positions::lookup(services, id).await;
    let Some(name) = position_name(&lookup, ui.w) else {
        return Answer::PositionNotFound.page(ui);
    };
    let about = match lookup {
        positions::Lookup::Open(open) => open.about,
        _ => None,
    };
    // What a person types, and the campaign: consent is an act, never ticked by a link (and a
    // bot trap or a Turnstile token is never filled by one).
    let query = || ui.query.iter().map(|(k, v)| (k, v.as_str()));
    let posted = Posted {
        form: ApplicationForm::from_pairs(query()).repair_unencoded_plus(),
        attribution: Attribution::from_pairs(query()),
        ..Posted::default()
    };
    // Counted under the link's campaign, as its posts are: each source's views and conversion.
    funnel
        .with_campaign(&posted.attribution)
        .record(id, Step::FormView);
    let (none, config) = (FieldErrors::default(), &services.config);
    let page = FormPage::new(ui.layout(), id, &name, &posted, &none, config);
    FormPage { about, ..page }.reply(200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_binding_is_named() {
        assert!(binding_warnings(|_, _| true).is_empty());
        let all = binding_warnings(|_, _| false).join("\n");
        for name in [
            "RATE_LIMITER",
            "NETWORK_RATE_LIMITER",
            "INVITE_QUEUE",
            "INVITE_DLQ",
            "INVITE_LEDGER",
            "DEAD_LETTERS",
            "POSITION_LINE",
        ] {
            assert!(all.contains(name), "{name}");
        }
    }
}
