//! The pages that only read: health, the positions list and the empty (or prefilled) form.

use super::body;
use super::pages::{render, FormPage, PositionsPage};
use super::problem::Problem;
use super::render::form_page;
use super::respond::{html, json};
use super::services::Services;
use super::submit::position_name;
use crate::apply::positions;
use crate::domain::{FieldErrors, PositionId};
use crate::funnel::{Event, Funnel};
use crate::hireflix::Transient;
use crate::i18n::Words;
use serde_json::json;
use worker::{Env, Request, Response, Result};

/// 200 when the configuration is complete. With `?deep=1` it also asks Hireflix for the
/// positions, at most once a minute (the answer is kept), so the check cannot spend calls.
pub async fn health(req: &Request, env: &Env) -> Result<Response> {
    let services = match Services::from_env(env.clone(), None, Funnel::new_off()) {
        Ok(services) => services,
        Err(problems) => {
            let body = json!({ "status": "misconfigured", "problems": problems });
            return json(503, &body);
        }
    };
    if !query_of(&req.inner().url())
        .split('&')
        .any(|p| p == "deep=1")
    {
        return json(200, &json!({ "status": "ok" }));
    }
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
    let status = if hireflix == "ok" { 200 } else { 503 };
    json(
        status,
        &json!({ "status": if status == 200 { "ok" } else { "degraded" }, "hireflix": hireflix }),
    )
}

pub async fn list_positions(services: &Services, w: &'static Words) -> Result<Response> {
    match positions::open_positions(&services.config, &services.store, &services.client).await {
        Ok(open) => html(
            200,
            render(&PositionsPage {
                w,
                positions: open.iter().collect(),
            }),
        ),
        Err(_) => Problem::PositionsUnavailable.page(w),
    }
}

pub async fn show_form(
    req: &Request,
    services: &Services,
    position: &PositionId,
    w: &'static Words,
) -> Result<Response> {
    let Some(name) = position_name(&services.lookup(position).await) else {
        return Problem::PositionNotFound.page(w);
    };
    services.funnel.record(position, Event::FormView);
    let prefill = body::prefill(query_of(&req.inner().url()).as_bytes());
    let page = FormPage::new(
        w,
        position.as_str(),
        &name,
        &prefill,
        &FieldErrors::default(),
    );
    // The first view needs the widget (and the CSP that admits it) as much as an error page.
    let site_key = services
        .config
        .turnstile
        .as_ref()
        .map(|t| t.site_key.as_str());
    form_page(200, page, site_key)
}

/// The query string of a request URL, without `?` and any fragment.
fn query_of(url: &str) -> &str {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query.split_once('#').map_or(query, |(q, _)| q)
}
