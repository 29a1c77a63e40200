//! The HTTP edge: routes a request, reads it, and renders what the core decided.

mod admin;
pub mod body;
mod erase;
mod gates;
mod handlers;
mod headers;
mod pages;
mod pass;
mod render;
mod respond;
mod submit;
mod turnstile;
mod ui;

use crate::answer::Answer;
use crate::app::{App, Services};
use crate::domain::phone::Region;
use crate::domain::PositionId;
use crate::funnel::Visit;
use crate::log::{request_id, Source};
use respond::Reply;
use submit::{LivePost, Rules};
use ui::Ui;
use worker::{Context, Env, Method, Request, Result};

pub use gates::{client_key, network_key};
pub use headers::Policy;

enum Route {
    Positions,
    Form(PositionId),
    Submit(PositionId, Source),
}

/// The Cron Trigger's job: the positions list from Hireflix into KV (a failure keeps the last
/// good copy, and is logged).
pub async fn refresh_positions(env: &Env) {
    let app = App::for_env(env);
    if let Ok(services) = &app.services {
        if let Err(why) = crate::apply::positions::refresh(services).await {
            crate::log::Event::PositionsRefreshFailed {
                reason: why.as_str(),
            }
            .emit();
        }
    }
}

/// Every answer leaves through `respond::finish`, whichever route made it.
pub async fn handle(req: Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    // Read from JS once: the scheme, the page's path and query, and (for posts) our origin.
    let url = req.inner().url();
    let https = url.starts_with("https:");
    let app = App::for_env(&env);
    // The language and the brand are settled first: every answer below is in that language.
    let ui = Ui::from_request(&req, &url, &app);
    let reply = route(req, &app, ctx, &ui).await;
    respond::finish(reply, &headers::Setting::of(&ui, &app.policy, https))
}

async fn route(mut req: Request, app: &App, ctx: Context, ui: &Ui) -> Reply {
    let w = ui.w;
    let path = req.path();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let position = |id: &str, route: fn(PositionId) -> Route| PositionId::parse(id).map(route);
    // Every path is matched before the configuration is read: an unknown path is a 404 even
    // on a deployment that is not set up yet.
    let route = match (req.method(), segments.as_slice()) {
        (Method::Get | Method::Head, ["healthz"]) => return handlers::health(&req, app, ui).await,
        (Method::Options, ["api", "apply", _]) => {
            let allowed = api_origin(&req, &ui.origin, app.services.as_ref().ok());
            return respond::cors(respond::preflight(), allowed.as_deref());
        }
        (Method::Get | Method::Head, []) => Some(Route::Positions),
        (Method::Get | Method::Head, ["apply", id]) => position(id, Route::Form),
        // A page that answered a post, shown again (in another language) without posting.
        (Method::Get | Method::Head, ["apply", id, slug]) => {
            return match (PositionId::parse(id), Answer::from_slug(slug, w)) {
                (Some(position), Some(answer)) => render::inbox_again(&answer, &position, ui),
                _ => Answer::PageNotFound.page(ui),
            };
        }
        (Method::Post, ["apply", id]) => position(id, |p| Route::Submit(p, Source::Form)),
        (Method::Post, ["api", "apply", id]) => match PositionId::parse(id) {
            Some(position) => Some(Route::Submit(position, Source::Api)),
            None => return Answer::PositionNotFound.json(w),
        },
        (_, ["api", "apply", _]) => return Answer::MethodNotAllowed.json(w),
        (_, ["admin", rest @ ..]) => return admin::handle(&mut req, app, rest, ui).await,
        _ => return Answer::PageNotFound.page(ui),
    };
    let Some(route) = route else {
        return Answer::PositionNotFound.page(ui);
    };
    let Ok(services) = &app.services else {
        return match route {
            Route::Submit(_, Source::Api) => Answer::Misconfigured.json(w),
            _ => Answer::Misconfigured.page(ui),
        };
    };
    // What the funnel records of a visit besides its step (campaign tags come with the form).
    let funnel = services.funnel(|| Visit {
        language: w.code.to_string(),
        country: req.cf().and_then(|cf| cf.country()).unwrap_or_default(),
        ..Visit::default()
    });
    let (position, source) = match route {
        Route::Positions => return handlers::list_positions(services, ui).await,
        Route::Form(position) => {
            return handlers::show_form(services, &funnel, &position, ui).await
        }
        Route::Submit(position, source) => (position, source),
    };
    let own_origin = &ui.origin;
    let rules = Rules {
        own_origin,
        allowed_origins: &services.config.allowed_origins,
        require_consent: services.config.require_consent,
        phone_region: (services.config.phone_region).or(Region::by_code(w.phone_region)),
    };
    let request_id = request_id(req.headers().get("cf-ray").ok().flatten());
    let mut live = LivePost {
        req: &mut req,
        services,
        funnel: &funnel,
        ctx: &ctx,
        position: &position,
        source,
        request_id,
        ui,
    };
    let submission = submit::submit(&mut live, &rules).await;
    let reply = render::submission(&submission, &position, ui, &services.config, source);
    if matches!(source, Source::Form) {
        return reply;
    }
    let allowed = api_origin(&req, own_origin, Some(services));
    respond::cors(reply, allowed.as_deref())
}

/// The calling page's origin when it may read API answers: this worker's own, or one listed
/// in `ALLOWED_ORIGINS`. Never `*`.
fn api_origin(req: &Request, own_origin: &str, services: Option<&Services>) -> Option<String> {
    let services = services?;
    let origin = req.headers().get("origin").ok().flatten()?;
    gates::origin_allowed(Some(&origin), own_origin, &services.config.allowed_origins)
        .then_some(origin)
}
