//! The pages that only read: health, the positions list and the empty (or prefilled) form.

use super::body;
use super::pages::{render, FormPage, PositionsPage};
use super::problem::Problem;
use super::render::form_page;
use super::respond::{html, json};
use super::services::Services;
use super::submit::position_name;
use crate::apply::positions;
use crate::config::names;
use crate::domain::{FieldErrors, PositionId};
use crate::funnel::{Event, Funnel};
use crate::hireflix::Transient;
use crate::i18n::Words;
use serde_json::json;
use worker::{Env, Request, Response, Result};

/// 200 when the worker can serve, 503 when it cannot; both list by name (never by value) what
/// an operator should fix: `problems` stop the worker, `warnings` make it less safe. With
/// `?deep=1` it also asks Hireflix for the positions, at most once a minute (the answer is
/// kept), so the check cannot spend calls.
pub async fn health(req: &Request, env: &Env) -> Result<Response> {
    let services = Services::from_env(env.clone(), None, Funnel::new_off());
    let mut warnings = binding_warnings(Bound {
        rate_limiter: env.rate_limiter(names::RATE_LIMITER).is_ok(),
        queue: env.queue(names::INVITE_QUEUE).is_ok(),
        dead_letters: env.queue(names::DEAD_LETTER_QUEUE).is_ok(),
        ledger: env.durable_object(names::INVITE_LEDGER).is_ok(),
    });
    let with_warnings = |mut body: serde_json::Value, warnings: &[String]| {
        if !warnings.is_empty() {
            body["warnings"] = json!(warnings);
        }
        body
    };
    let services = match services {
        Ok(services) => services,
        Err(problems) => {
            let body = json!({ "status": "misconfigured", "problems": problems });
            return json(503, &with_warnings(body, &warnings));
        }
    };
    warnings.extend(services.config.warnings());
    if !query_of(&req.inner().url())
        .split('&')
        .any(|p| p == "deep=1")
    {
        return json(200, &with_warnings(json!({ "status": "ok" }), &warnings));
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
    let body =
        json!({ "status": if status == 200 { "ok" } else { "degraded" }, "hireflix": hireflix });
    json(status, &with_warnings(body, &warnings))
}

/// Which of the optional bindings the worker has.
struct Bound {
    rate_limiter: bool,
    queue: bool,
    dead_letters: bool,
    ledger: bool,
}

/// Bindings the worker runs without, less safely.
fn binding_warnings(bound: Bound) -> Vec<String> {
    let Bound {
        rate_limiter,
        queue,
        dead_letters,
        ledger,
    } = bound;
    let mut warnings = Vec::new();
    if !ledger {
        warnings.push(format!(
            "{} binding is missing: no invite is made without its check (applications wait in the queue), and dead letters go to KV, whose daily write quota can refuse them",
            names::INVITE_LEDGER
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_binding_is_named() {
        let all_bound = Bound {
            rate_limiter: true,
            queue: true,
            dead_letters: true,
            ledger: true,
        };
        assert!(binding_warnings(all_bound).is_empty());
        let none = Bound {
            rate_limiter: false,
            queue: false,
            dead_letters: false,
            ledger: false,
        };
        let all = binding_warnings(none).join("\n");
        for name in [
            "RATE_LIMITER",
            "INVITE_QUEUE",
            "INVITE_DLQ",
            "INVITE_LEDGER",
        ] {
            assert!(all.contains(name), "{name}");
        }
    }
}
