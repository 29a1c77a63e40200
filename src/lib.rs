//! hireflix-apply: a public application form that sends each candidate straight to their own
//! Hireflix video interview. This file holds only the entry points and the route table.

mod apply;
pub mod body;
pub mod candidate_key;
pub mod config;
mod consumer;
pub mod domain;
pub mod hireflix;
pub mod http_url;
mod log;
mod pages;
mod positions;
mod respond;
pub mod retry;
mod routes;
pub mod store;

use domain::PositionId;
use routes::Services;
use worker::{event, Context, Env, Method, Request, Response, Result};

/// Every GraphQL document the worker sends (for the pre-launch check against the real API).
#[doc(hidden)]
pub fn graphql_documents() -> Vec<hireflix::documents::SentDocument> {
    hireflix::documents::every_document()
}

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> Result<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method();

    match (method.clone(), segments.as_slice()) {
        (Method::Get | Method::Head, ["healthz"]) => return routes::health(&env),
        (Method::Options, ["api", "apply", _]) => return respond::preflight(),
        _ => {}
    }

    let api = matches!(segments.as_slice(), ["api", ..]);
    let services = match Services::from_env(env, Some(ctx)) {
        Ok(services) => services,
        Err(_) if api => return routes::misconfigured_json(),
        Err(_) => return routes::misconfigured_page(),
    };

    match (method, segments.as_slice()) {
        (Method::Get | Method::Head, []) => routes::list_positions(&services).await,
        (Method::Get | Method::Head, ["apply", id]) => match PositionId::parse(id) {
            Some(position) => routes::show_form(&req, &services, &position).await,
            None => routes::not_found_page(),
        },
        (Method::Post, ["apply", id]) => match PositionId::parse(id) {
            Some(position) => routes::submit_form(&mut req, &services, &position).await,
            None => routes::not_found_page(),
        },
        (Method::Post, ["api", "apply", id]) => match PositionId::parse(id) {
            Some(position) => routes::submit_api(&mut req, &services, &position).await,
            None => respond::json(404, &serde_json::json!({ "error": "position_not_found" })),
        },
        (_, ["api", "apply", _]) => {
            respond::json(405, &serde_json::json!({ "error": "method_not_allowed" }))
        }
        _ => routes::page_not_found(),
    }
}

#[event(queue)]
async fn queue(
    batch: worker::MessageBatch<serde_json::Value>,
    env: Env,
    _ctx: Context,
) -> Result<()> {
    consumer::consume(batch, env).await;
    // Always Ok: an Err would retry the whole batch and reset the wasm instance.
    Ok(())
}
