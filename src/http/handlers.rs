//! The pages that only read: health, the positions list and the empty (or prefilled) form.

use super::body;
use super::pages::{render, FormPage, PositionsPage};
use super::problem::Problem;
use super::respond::{html, json};
use super::services::Services;
use super::submit::position_name;
use crate::apply::positions;
use crate::config::names;
use crate::domain::{FieldErrors, PositionId};
use crate::i18n::Words;
use serde_json::json;
use worker::{Env, Request, Response, Result};

/// 200 when the worker can serve, 503 when it cannot; both list by name (never by value) what
/// an operator should fix: `problems` stop the worker, `warnings` make it less safe.
pub fn health(env: &Env) -> Result<Response> {
    let services = Services::from_env(env.clone(), None);
    let mut warnings = binding_warnings(
        env.rate_limiter(names::RATE_LIMITER).is_ok(),
        env.queue(names::INVITE_QUEUE).is_ok(),
        env.queue(names::DEAD_LETTER_QUEUE).is_ok(),
    );
    if let Ok(services) = &services {
        warnings.extend(services.config.warnings());
    }
    let (status, mut body) = match services {
        Ok(_) => (200, json!({ "status": "ok" })),
        Err(problems) => (
            503,
            json!({ "status": "misconfigured", "problems": problems }),
        ),
    };
    if !warnings.is_empty() {
        body["warnings"] = json!(warnings);
    }
    json(status, &body)
}

/// Bindings the worker runs without, less safely.
fn binding_warnings(rate_limiter: bool, queue: bool, dead_letters: bool) -> Vec<String> {
    let mut warnings = Vec::new();
    if !rate_limiter {
        warnings.push(format!(
            "{} binding is missing: posts are not rate limited",
            names::RATE_LIMITER
        ));
    }
    if !queue {
        warnings.push(format!(
            "{} binding is missing: an application Hireflix cannot take at once is refused (503), not queued",
            names::INVITE_QUEUE
        ));
    }
    if !dead_letters {
        warnings.push(format!(
            "{} binding is missing: an invite that fails for good is retried until the platform drops it",
            names::DEAD_LETTER_QUEUE
        ));
    }
    warnings
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
    html(200, render(&page))
}

/// The query string of a request URL, without `?` and any fragment.
fn query_of(url: &str) -> &str {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query.split_once('#').map_or(query, |(q, _)| q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_binding_is_named() {
        assert!(binding_warnings(true, true, true).is_empty());
        let all = binding_warnings(false, false, false).join("\n");
        for name in ["RATE_LIMITER", "INVITE_QUEUE", "INVITE_DLQ"] {
            assert!(all.contains(name), "{name}");
        }
    }
}
