//! Request handlers: turn HTTP into calls on the pipeline and decisions back into HTTP.

use crate::apply::{Decision, Pipeline};
use crate::body::{self, BodyError};
use crate::config::Config;
use crate::domain::{FieldErrors, PositionId};
use crate::hireflix::HireflixClient;
use crate::log::{request_id, Source};
use crate::pages::{render, FormPage, MessagePage, PositionsPage};
use crate::positions::{self, Lookup};
use crate::respond::{html, json, see_other, with_retry_after};
use crate::retry::INVITE_QUEUE_BINDING;
use crate::store::Store;
use serde_json::json;
use worker::{Context, Env, Queue, Request, Response, Result};

/// What every application route needs, built once per request from `Env`.
pub struct Services {
    pub config: Config,
    pub client: HireflixClient,
    pub store: Store,
    queue: Option<Queue>,
    /// Lets KV writes that nobody waits for finish after the response.
    ctx: Option<Context>,
    env: Env,
}

impl Services {
    pub fn from_env(env: Env, ctx: Option<Context>) -> std::result::Result<Services, Vec<String>> {
        let config = Config::from_env(&env).map_err(|p| p.0)?;
        let kv = env
            .kv("SUBMISSIONS")
            .map_err(|_| vec!["KV binding SUBMISSIONS is missing".to_string()])?;
        Ok(Services {
            client: HireflixClient::new(
                &config.api_url,
                config.api_key.clone(),
                config.hireflix_timeout_ms,
            ),
            store: Store::new(kv, config.submission_ttl_seconds),
            queue: env.queue(INVITE_QUEUE_BINDING).ok(),
            ctx,
            config,
            env,
        })
    }

    fn pipeline<'a>(&'a self, request_id: &'a str, source: Source) -> Pipeline<'a> {
        Pipeline {
            client: &self.client,
            store: &self.store,
            queue: self.queue.as_ref(),
            request_id,
            source,
            background: self.ctx.as_ref(),
        }
    }

    async fn lookup(&self, position: &PositionId) -> Lookup {
        positions::lookup(&self.config, &self.store, &self.client, position).await
    }

    /// The rate limiter is optional so a deployment without the binding still works; with it,
    /// each client IP gets the limit set in wrangler.toml.
    async fn within_rate_limit(&self, req: &Request) -> bool {
        let Ok(limiter) = self.env.rate_limiter("RATE_LIMITER") else {
            return true;
        };
        let ip = req
            .headers()
            .get("cf-connecting-ip")
            .ok()
            .flatten()
            .unwrap_or_default();
        limiter
            .limit(format!("apply:{ip}"))
            .await
            .map_or(true, |o| o.success)
    }
}

pub fn misconfigured_page() -> Result<Response> {
    let page = MessagePage::new(
        "Applications are not open yet",
        "This form is not fully set up. Please try again later.",
    );
    with_retry_after(html(503, render(&page))?, 300)
}

pub fn misconfigured_json() -> Result<Response> {
    json(503, &json!({ "error": "misconfigured" }))
}

pub fn page_not_found() -> Result<Response> {
    let page = MessagePage::new("Page not found", "There is nothing at this address.")
        .with_link("/", "See open positions");
    html(404, render(&page))
}

pub fn not_found_page() -> Result<Response> {
    let page = MessagePage::new(
        "Position not found",
        "This position does not exist or is no longer taking applications.",
    )
    .with_link("/", "See open positions");
    html(404, render(&page))
}

pub fn health(env: &Env) -> Result<Response> {
    match Services::from_env(env.clone(), None) {
        Ok(_) => json(200, &json!({ "status": "ok" })),
        Err(problems) => json(
            503,
            &json!({ "status": "misconfigured", "problems": problems }),
        ),
    }
}

pub async fn list_positions(services: &Services) -> Result<Response> {
    match positions::open_positions(&services.config, &services.store, &services.client).await {
        Ok(open) => html(
            200,
            render(&PositionsPage {
                positions: open.iter().collect(),
            }),
        ),
        Err(_) => {
            let page = MessagePage::new(
                "Positions are unavailable",
                "We cannot list the open positions right now. Please try again in a minute.",
            );
            with_retry_after(html(503, render(&page))?, 60)
        }
    }
}

/// The name shown on the form; when Hireflix cannot be asked the form still works.
fn position_name(lookup: &Lookup) -> Option<String> {
    match lookup {
        Lookup::Open(position) => Some(position.name.clone()),
        Lookup::Unknown => Some("Apply for this position".to_string()),
        Lookup::NotOffered => None,
    }
}

pub async fn show_form(
    req: &Request,
    services: &Services,
    position: &PositionId,
) -> Result<Response> {
    let Some(name) = position_name(&services.lookup(position).await) else {
        return not_found_page();
    };
    let prefill =
        body::parse_urlencoded(query_of(&req.inner().url()).as_bytes()).repair_unencoded_plus();
    html(
        200,
        render(&FormPage::new(
            position.as_str(),
            &name,
            &prefill,
            &FieldErrors::default(),
        )),
    )
}

pub async fn submit_form(
    req: &mut Request,
    services: &Services,
    position: &PositionId,
) -> Result<Response> {
    let form = match body::read_application(req).await {
        Ok(form) => form,
        Err(error) => return body_error_page(error, position),
    };
    let Some(name) = position_name(&services.lookup(position).await) else {
        return not_found_page();
    };
    let page = |errors: &FieldErrors| FormPage::new(position.as_str(), &name, &form, errors);
    let application = match form.parse() {
        Ok(application) => application,
        Err(errors) => return html(422, render(&page(&errors))),
    };
    if !services.within_rate_limit(req).await {
        let notice = "You have sent this form several times in a short while. Please wait a minute, then send it again.";
        return with_retry_after(
            html(
                429,
                render(&page(&FieldErrors::default()).with_notice(notice)),
            )?,
            60,
        );
    }
    let request_id = request_id_of(req);
    let decision = services
        .pipeline(&request_id, Source::Form)
        .submit(position, &form, &application)
        .await;
    match decision {
        Decision::Interview(url) => see_other(url.as_str()),
        Decision::InvitedByEmail => html(
            200,
            render(&MessagePage::new(
                "You already have an interview",
                "You were already invited to this position. Hireflix has emailed you the link to your interview; please check your inbox.",
            )),
        ),
        Decision::Queued => html(
            202,
            render(&MessagePage::new(
                "Application received",
                "Thank you. Your interview invite will arrive by email shortly, from Hireflix. You can close this page.",
            )),
        ),
        Decision::Rejected { errors, general } => {
            let mut form_page = page(&errors);
            if let Some(general) = general {
                form_page = form_page.with_notice(general);
            }
            html(422, render(&form_page))
        }
        Decision::PositionNotFound => not_found_page(),
        Decision::PositionClosed => html(
            410,
            render(
                &MessagePage::new("Applications are closed", "This position is not taking applications at the moment.")
                    .with_link("/", "See open positions"),
            ),
        ),
        Decision::Unavailable => {
            let notice = "We could not send your application just now. Your details are still here: please try again in a minute.";
            with_retry_after(html(503, render(&page(&FieldErrors::default()).with_notice(notice)))?, 60)
        }
        Decision::LinkUnusable => {
            let notice = "Your interview was created, but we could not open it here. Hireflix has emailed you a link to it.";
            html(502, render(&page(&FieldErrors::default()).with_notice(notice)))
        }
    }
}

pub async fn submit_api(
    req: &mut Request,
    services: &Services,
    position: &PositionId,
) -> Result<Response> {
    let form = match body::read_application(req).await {
        Ok(form) => form,
        Err(BodyError::TooLarge) => return json(413, &json!({ "error": "payload_too_large" })),
        Err(BodyError::UnsupportedType) => {
            return json(415, &json!({ "error": "unsupported_media_type" }))
        }
        Err(BodyError::Unreadable) => return json(400, &json!({ "error": "malformed_body" })),
    };
    if matches!(services.lookup(position).await, Lookup::NotOffered) {
        return json(404, &json!({ "error": "position_not_found" }));
    }
    let application = match form.parse() {
        Ok(application) => application,
        Err(errors) => return json(422, &json!({ "errors": errors })),
    };
    if !services.within_rate_limit(req).await {
        return with_retry_after(json(429, &json!({ "error": "rate_limited" }))?, 60);
    }
    let request_id = request_id_of(req);
    match services
        .pipeline(&request_id, Source::Api)
        .submit(position, &form, &application)
        .await
    {
        Decision::Interview(url) => json(200, &json!({ "status": "invited", "url": url.as_str() })),
        Decision::InvitedByEmail => json(200, &json!({ "status": "invited_by_email" })),
        Decision::Queued => json(202, &json!({ "status": "queued" })),
        Decision::Rejected { errors, general } => {
            json(422, &json!({ "errors": errors, "message": general }))
        }
        Decision::PositionNotFound => json(404, &json!({ "error": "position_not_found" })),
        Decision::PositionClosed => json(410, &json!({ "error": "position_closed" })),
        Decision::Unavailable => {
            with_retry_after(json(503, &json!({ "error": "unavailable" }))?, 60)
        }
        Decision::LinkUnusable => json(
            502,
            &json!({ "error": "upstream_error", "status": "invited_by_email" }),
        ),
    }
}

fn request_id_of(req: &Request) -> String {
    request_id(req.headers().get("cf-ray").ok().flatten())
}

/// The query string of a request URL, without `?` and any fragment.
fn query_of(url: &str) -> &str {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query.split_once('#').map_or(query, |(q, _)| q)
}

fn body_error_page(error: BodyError, position: &PositionId) -> Result<Response> {
    let back = format!("/apply/{position}");
    let (status, heading, text) = match error {
        BodyError::TooLarge => (
            413,
            "That was too much",
            "The form sent more data than an application needs.",
        ),
        BodyError::UnsupportedType => (
            415,
            "Unsupported form",
            "Please send the application from the form.",
        ),
        BodyError::Unreadable => (
            400,
            "Unreadable form",
            "The form could not be read. Please try again.",
        ),
    };
    html(
        status,
        render(&MessagePage::new(heading, text).with_link(&back, "Back to the form")),
    )
}
