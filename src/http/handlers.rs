//! The pages that only read: health, the positions list and the empty (or prefilled) form.

use super::body;
use super::pages::{render, FormPage, PositionsPage};
use super::problem::Problem;
use super::respond::{html, json};
use super::services::Services;
use super::submit::position_name;
use super::ui::Ui;
use crate::apply::positions;
use crate::domain::{Attribution, FieldErrors, PositionId};
use serde_json::json;
use worker::{Env, Response, Result};

/// 200 when the worker can serve, with what deserves a look under `warnings`; 503 with what
/// stops it under `problems`. Both by setting name, never a value that could be a secret.
pub fn health(env: &Env) -> Result<Response> {
    match Services::from_env(env.clone(), None) {
        Ok(services) if services.config.warnings.is_empty() => {
            json(200, &json!({ "status": "ok" }))
        }
        Ok(services) => json(
            200,
            &json!({ "status": "ok", "warnings": services.config.warnings }),
        ),
        Err(problems) => json(
            503,
            &json!({ "status": "misconfigured", "problems": problems }),
        ),
    }
}

pub async fn list_positions(services: &Services, ui: &Ui) -> Result<Response> {
    match positions::open_positions(&services.config, &services.store, &services.client).await {
        Ok(open) => html(
            200,
            render(&PositionsPage::new(ui.chrome(), open.iter().collect())),
        ),
        Err(_) => Problem::PositionsUnavailable.page(ui),
    }
}

pub async fn show_form(services: &Services, position: &PositionId, ui: &Ui) -> Result<Response> {
    let Some(name) = position_name(&services.lookup(position).await, ui.w) else {
        return Problem::PositionNotFound.page(ui);
    };
    let prefill = body::prefill(ui.query());
    let attribution = Attribution::from_pairs(ui.query().iter().map(|(k, v)| (k, v)));
    let page = FormPage::new(
        ui.chrome(),
        position.as_str(),
        &name,
        &prefill,
        &FieldErrors::default(),
    )
    // Consent is an act: never ticked by a link.
    .with_consent(services.config.require_consent, false)
    .with_attribution(&attribution);
    html(200, render(&page))
}
