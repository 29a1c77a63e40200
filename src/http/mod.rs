//! The HTTP edge: routes a request, reads it, and renders what the core decided.

mod admin;
pub mod body;
mod erase;
mod gates;
mod handlers;
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
pub use respond::Policy;

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

pub async fn handle(req: Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    let url = req.inner().url();
    let app = App::for_env(&env);
    // Settled first: every answer below is in this language.
    let ui = Ui::from_request(&req, &url, &app);
    let reply = route(req, &app, ctx, &ui).await;
    let https = url.starts_with("https:");
    respond::finish(reply, &respond::Setting::of(&ui, &app.policy, https))
}

async fn route(mut req: Request, app: &App, ctx: Context, ui: &Ui) -> Reply {
    let w = ui.w;
    let path = req.path();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // Every path is matched before the configuration is read: an unknown path is a 404 even
    // on a deployment that is not set up yet. Else: the positions, a form, or a post of one.
    let (id, post) = match (req.method(), segments.as_slice()) {
        (Method::Get | Method::Head, ["healthz"]) => return handlers::health(&req, app, ui).await,
        (Method::Options, ["api", "apply", _]) => {
            let allowed = api_origin(&req, &ui.origin, app.services.as_ref().ok());
            return respond::cors(respond::preflight(), allowed.as_deref());
        }
        (Method::Get | Method::Head, []) => (None, None),
        (Method::Get | Method::Head, ["apply", id]) => (Some(*id), None),
        // A page that answered a post, shown again (in another language) without posting.
        (Method::Get | Method::Head, ["apply", id, slug]) => {
            return match (PositionId::parse(id), Answer::from_slug(slug, w)) {
                (Some(position), Some(answer)) => render::inbox_again(&answer, &position, ui),
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
            None => handlers::list_positions(services, ui).await,
            Some(position) => handlers::show_form(services, &funnel, position, ui).await,
        };
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
        position,
        source,
        request_id,
        ui,
    };
    let submission = submit::submit(&mut live, &rules).await;
    let reply = render::submission(&submission, position, ui, &services.config, source);
    if !api {
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
