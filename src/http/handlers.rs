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
use crate::i18n::Words;
use serde_json::json;
use worker::{Env, Request, Response, Result};

pub fn health(env: &Env) -> Result<Response> {
    match Services::from_env(env.clone(), None) {
        Ok(_) => json(200, &json!({ "status": "ok" })),
        Err(problems) => json(
            503,
            &json!({ "status": "misconfigured", "problems": problems }),
        ),
    }
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
