//! The pages that only read: health, the positions list and the empty (or prefilled) form.

use super::body::{self, Posted};
use super::pages::{render, FormPage, PositionsPage};
use super::respond::{html, json, Reply};
use super::submit::position_name;
use super::ui::Ui;
use crate::answer::Answer;
use crate::app::{App, Services};
use crate::apply::positions;
use crate::config::names;
use crate::domain::{Attribution, FieldErrors, PositionId};
use crate::funnel::{Funnel, Step};
use crate::hireflix::Transient;
use serde_json::json;
use worker::{Env, Request};

/// 200 when the worker can serve, 503 when it cannot: the status alone, since what is missing
/// is a map for an attacker. With the admin token also `warnings` and `problems` (by setting
/// name, never a value), and with `?deep=1` whether Hireflix takes the API key (kept a minute).
pub async fn health(req: &Request, app: &App, ui: &Ui) -> Reply {
    let admin = super::admin::authorized(req, app).await;
    let deep = admin && ui.query.iter().any(|(k, v)| k == "deep" && v == "1");
    let (status, body) = report(app, deep).await;
    match admin {
        true => json(status, &body),
        false => json(status, &json!({ "status": body["status"] })),
    }
}

async fn report(app: &App, deep: bool) -> (u16, serde_json::Value) {
    let env = app.env();
    let mut warnings = binding_warnings(|name, bound| bound(env, name));
    let services = &app.services;
    let mut problems = services.as_ref().err().cloned().unwrap_or_default();
    problems.extend(super::admin::token_problem(app));
    if let Ok(services) = services {
        warnings.extend(services.config.warnings.iter().cloned());
    }
    let mut body = json!({ "status": "ok" });
    if !problems.is_empty() {
        body = json!({ "status": "misconfigured", "problems": problems });
    }
    if !warnings.is_empty() {
        body["warnings"] = json!(warnings);
    }
    let (Ok(services), true) = (services, problems.is_empty()) else {
        return (503, body);
    };
    if !deep {
        return (200, body);
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
    body["hireflix"] = json!(hireflix);
    if hireflix == "ok" {
        return (200, body);
    }
    body["status"] = json!("degraded");
    (503, body)
}

/// Whether `Env` has the binding of that name.
type Bound = fn(&Env, &str) -> bool;
const LIMITER: Bound = |env, name| env.rate_limiter(name).is_ok();
const QUEUE: Bound = |env, name| env.queue(name).is_ok();
const OBJECT: Bound = |env, name| env.durable_object(name).is_ok();

/// The bindings the worker runs without, less safely, and what it does then.
#[rustfmt::skip]
const OPTIONAL_BINDINGS: [(&str, Bound, &str); 7] = [
    (names::INVITE_LEDGER, OBJECT, "no invite is made without its check (applications wait in the queue)"),
    (names::DEAD_LETTERS, OBJECT, "dead letters go to KV, whose daily write quota can refuse them"),
    (names::RATE_LIMITER, LIMITER, "posts are not rate limited"),
    (names::NETWORK_RATE_LIMITER, LIMITER, "an IPv6 /48 (anyone can get one) posts as 65,536 clients"),
    (names::INVITE_QUEUE, QUEUE, "an application Hireflix cannot take at once is refused (503), not queued"),
    (names::DEAD_LETTER_QUEUE, QUEUE, "an invite that fails for good is retried until the platform drops it"),
    (names::POSITION_LINE, OBJECT, "no application is let past its position's hourly budget (each waits in the queue until it is dead-lettered)"),
];

fn binding_warnings(bound: impl Fn(&str, Bound) -> bool) -> Vec<String> {
    OPTIONAL_BINDINGS
        .iter()
        .filter(|(name, probe, _)| !bound(name, *probe))
        .map(|(name, _, without)| format!("{name} binding is missing: {without}"))
        .collect()
}

pub async fn list_positions(services: &Services, ui: &Ui) -> Reply {
    let Ok(open) = positions::open_positions(services).await else {
        return Answer::PositionsUnavailable.page(ui);
    };
    let (layout, positions) = (ui.layout(), open.iter().collect());
    html(200, render(&PositionsPage { layout, positions }))
}

pub async fn show_form(services: &Services, funnel: &Funnel, id: &PositionId, ui: &Ui) -> Reply {
    let lookup = positions::lookup(services, id).await;
    let Some(name) = position_name(&lookup, ui.w) else {
        return Answer::PositionNotFound.page(ui);
    };
    let about = match lookup {
        positions::Lookup::Open(open) => open.about,
        _ => None,
    };
    funnel.record(id, Step::FormView);
    // Consent is an act: never ticked by a link.
    let posted = Posted {
        form: body::prefill(&ui.query),
        attribution: Attribution::from_pairs(ui.query.iter().map(|(k, v)| (k, v))),
        ..Posted::default()
    };
    let (none, config) = (FieldErrors::default(), &services.config);
    let page = FormPage::new(ui.layout(), id, &name, &posted, &none, config);
    FormPage { about, ..page }.reply(200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_missing_binding_is_named() {
        assert!(binding_warnings(|_, _| true).is_empty());
        let all = binding_warnings(|_, _| false).join("\n");
        for name in [
            "RATE_LIMITER",
            "NETWORK_RATE_LIMITER",
            "INVITE_QUEUE",
            "INVITE_DLQ",
            "INVITE_LEDGER",
            "DEAD_LETTERS",
            "POSITION_LINE",
        ] {
            assert!(all.contains(name), "{name}");
        }
    }
}
