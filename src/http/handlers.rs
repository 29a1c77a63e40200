//! The pages that only read: health, the positions list and the empty (or prefilled) form.

use super::body::{self, Posted};
use super::pages::{render, PositionsPage};
use super::render;
use super::respond::Reply;
use super::respond::{html, json};
use super::services::Services;
use super::submit::position_name;
use super::ui::Ui;
use crate::answer::Answer;
use crate::apply::positions;
use crate::config::names;
use crate::domain::{Attribution, FieldErrors, PositionId};
use crate::funnel::{Funnel, Step};
use crate::hireflix::Transient;
use serde_json::json;
use worker::{Env, Request, Result};

/// 200 when the worker can serve, with what deserves a look under `warnings`; 503 with what
/// stops it under `problems`. Both by setting name, never a value that could be a secret.
/// With `?deep=1` it also asks Hireflix for the positions, at most once a minute (the answer
/// is kept), so the check cannot be used to spend calls.
pub async fn health(req: &Request, env: &Env) -> Result<Reply> {
    let mut warnings = binding_warnings(Bound {
        rate_limiter: env.rate_limiter(names::RATE_LIMITER).is_ok(),
        queue: env.queue(names::INVITE_QUEUE).is_ok(),
        dead_letters: env.queue(names::DEAD_LETTER_QUEUE).is_ok(),
        ledger: env.durable_object(names::INVITE_LEDGER).is_ok(),
    });
    let services = match Services::from_env(env) {
        Ok(services) => services,
        Err(problems) => {
            let mut body = json!({ "status": "misconfigured", "problems": problems });
            if !warnings.is_empty() {
                body["warnings"] = json!(warnings);
            }
            return Ok(json(503, &body));
        }
    };
    warnings.extend(services.config.warnings.iter().cloned());
    warnings.extend(services.config.safety_warnings());
    let mut body = json!({ "status": "ok" });
    if !warnings.is_empty() {
        body["warnings"] = json!(warnings);
    }
    let deep = query_of(&req.inner().url())
        .split('&')
        .any(|p| p == "deep=1");
    if !deep {
        return Ok(json(200, &body));
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
    if status != 200 {
        body["status"] = json!("degraded");
    }
    body["hireflix"] = json!(hireflix);
    Ok(json(status, &body))
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

/// The query string of a request URL, without `?` and any fragment.
fn query_of(url: &str) -> &str {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query.split_once('#').map_or(query, |(q, _)| q)
}

pub async fn list_positions(services: &Services, ui: &Ui) -> Reply {
    match positions::open_positions(&services.config, &services.store, &services.client).await {
        Ok(open) => html(
            200,
            render(&PositionsPage::new(ui.layout(), open.iter().collect())),
        ),
        Err(_) => Answer::PositionsUnavailable.page(ui),
    }
}

pub async fn show_form(
    services: &Services,
    funnel: &Funnel,
    position: &PositionId,
    ui: &Ui,
) -> Reply {
    let lookup = services.lookup(position).await;
    let Some(name) = position_name(&lookup, ui.w) else {
        return Answer::PositionNotFound.page(ui);
    };
    let about = match lookup {
        positions::Lookup::Open(open) => open.about,
        _ => None,
    };
    funnel.record(position, Step::FormView);
    // Consent is an act: never ticked by a link.
    let posted = Posted {
        form: body::prefill(ui.query()),
        attribution: Attribution::from_pairs(ui.query().iter().map(|(k, v)| (k, v))),
        ..Posted::default()
    };
    let none = FieldErrors::default();
    let page = render::form_page(
        ui.layout(),
        position,
        &name,
        &posted,
        &none,
        &services.config,
    )
    .with_about(about);
    // The first view needs the widget (and the CSP that admits it) as much as an error page.
    render::form_reply(200, &page)
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
