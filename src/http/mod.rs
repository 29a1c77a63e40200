//! The HTTP edge: routes a request, reads it, and renders what the core decided.

mod admin;
pub mod body;
mod gates;
mod handlers;
mod pages;
mod pass;
mod problem;
mod render;
mod respond;
mod services;
mod submit;
mod turnstile;
mod ui;

use crate::config::{names, parse};
use crate::domain::PositionId;
use crate::funnel::{Funnel, Visit};
use crate::hireflix::TrustedHosts;
use crate::log::Source;
use problem::Problem;
use render::Emailed;
use respond::Reply;
use services::Services;
use ui::Ui;
use worker::{Context, Env, Method, Request, Result};

enum Route {
    Positions,
    Form(PositionId),
    SubmitForm(PositionId),
    SubmitApi(PositionId),
}

/// Every answer leaves through `respond::finish`, whichever route made it.
pub async fn handle(req: Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    let https = req.inner().url().starts_with("https:");
    let policy = policy(&env);
    // The language and the brand are settled first: every answer below is in that language.
    let ui = Ui::from_request(&req, &env);
    let reply = route(req, env, ctx, &ui).await?;
    respond::finish(reply, &respond::Setting::of(&ui, &policy, https))
}

/// Read from the two settings alone, so even the answers of a misconfigured worker get it;
/// a malformed `ALLOWED_ORIGINS` frames nothing but this origin (and /healthz says why).
fn policy(env: &Env) -> respond::Policy {
    let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
    let origins = parse::origins(var(names::ALLOWED_ORIGINS).as_deref()).unwrap_or_default();
    let redirects = parse::api_url(var(names::HIREFLIX_API_URL).as_deref())
        .map(|url| TrustedHosts::for_api(&url).csp_sources())
        .unwrap_or_else(|_| TrustedHosts::hireflix_only().csp_sources());
    respond::Policy::new(&origins, &redirects)
}

async fn route(mut req: Request, env: Env, ctx: Context, ui: &Ui) -> Result<Reply> {
    let w = ui.w;
    let path = req.path();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // Every path is matched before the configuration is read: an unknown path is a 404 even
    // on a deployment that is not set up yet.
    let route = match (req.method(), segments.as_slice()) {
        (Method::Get | Method::Head, ["healthz"]) => return handlers::health(&req, &env).await,
        (Method::Options, ["api", "apply", _]) => {
            let services = Services::from_env(env, None, Funnel::new_off());
            let allowed = api_origin(&req, services.ok().as_ref());
            return Ok(respond::cors(respond::preflight(), allowed.as_deref()));
        }
        (Method::Get | Method::Head, []) => Route::Positions,
        (Method::Get | Method::Head, ["apply", id]) => match PositionId::parse(id) {
            Some(position) => Route::Form(position),
            None => return Problem::PositionNotFound.page(ui),
        },
        // A page that answered a post, shown again (in another language) without posting.
        (Method::Get | Method::Head, ["apply", id, state]) => {
            return match (PositionId::parse(id), Emailed::from_slug(state)) {
                (Some(position), Some(emailed)) => emailed.page(200, &position, ui),
                _ => Problem::PageNotFound.page(ui),
            };
        }
        (Method::Post, ["apply", id]) => match PositionId::parse(id) {
            Some(position) => Route::SubmitForm(position),
            None => return Problem::PositionNotFound.page(ui),
        },
        (Method::Post, ["api", "apply", id]) => match PositionId::parse(id) {
            Some(position) => Route::SubmitApi(position),
            None => return Problem::PositionNotFound.json(w),
        },
        (_, ["api", "apply", _]) => return Problem::MethodNotAllowed.json(w),
        (_, ["admin", rest @ ..]) => return admin::handle(&req, &env, rest, ui).await,
        _ => return Problem::PageNotFound.page(ui),
    };

    let funnel = Funnel::new(&env, visit_of(&req, ui));
    let Ok(services) = Services::from_env(env, Some(ctx), funnel) else {
        return match route {
            Route::SubmitApi(_) => Problem::Misconfigured.json(w),
            _ => Problem::Misconfigured.page(ui),
        };
    };
    match route {
        Route::Positions => handlers::list_positions(&services, ui).await,
        Route::Form(position) => handlers::show_form(&services, &position, ui).await,
        Route::SubmitForm(position) => {
            let submission = submit::submit(&mut req, &services, &position, Source::Form, w).await;
            render::page(submission, &position, ui, &services.config)
        }
        Route::SubmitApi(position) => {
            let submission = submit::submit(&mut req, &services, &position, Source::Api, w).await;
            let allowed = api_origin(&req, Some(&services));
            Ok(respond::cors(
                render::api(submission, &position, w)?,
                allowed.as_deref(),
            ))
        }
    }
}

/// What the funnel records of a visit besides its step (campaign tags come with the form).
fn visit_of(req: &Request, ui: &Ui) -> Visit {
    Visit {
        language: ui.w.code.to_string(),
        country: req.cf().and_then(|cf| cf.country()).unwrap_or_default(),
        ..Visit::default()
    }
}

/// The calling page's origin when it may read API answers: this worker's own, or one listed
/// in `ALLOWED_ORIGINS`. Never `*`.
fn api_origin(req: &Request, services: Option<&Services>) -> Option<String> {
    let services = services?;
    let origin = req.headers().get("origin").ok().flatten()?;
    let own = services.own_origin(req);
    gates::origin_allowed(Some(&origin), &own, &services.config.allowed_origins).then_some(origin)
}
