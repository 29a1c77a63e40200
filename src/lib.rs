//! hireflix-apply: a public application form that sends each candidate straight to their own
//! Hireflix video interview. The entry points only.

mod answer;
mod app;
mod apply;
mod clock;
mod config;
mod domain;
mod fetch;
mod funnel;
mod hireflix;
mod http;
mod http_url;
mod i18n;
mod ledger;
mod letters;
/// Public for the native surge simulation (`examples/surge.rs`).
#[doc(hidden)]
pub mod line;
mod log;
mod objects;
mod pace;
mod queue;
mod store;

// The Durable Object classes wrangler.toml binds.
pub use {ledger::InviteLedger, letters::DeadLetters, line::PositionLine, pace::HireflixPace};

/// For the wasm-bindgen tests in tests/wasm.rs.
#[doc(hidden)]
pub use {answer::Answer, http::body};

use worker::{event, Context, Env, Request, Result};

/// For the pre-launch check against the real API.
#[doc(hidden)]
pub use hireflix::documents::every_document as graphql_documents;

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    http::handle(req, env, ctx).await
}

/// The Cron Trigger: the positions list from Hireflix every 5 minutes, so no page view has to.
#[event(scheduled)]
async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
    http::refresh_positions(&env).await;
}

#[event(queue)]
async fn queue(
    batch: worker::MessageBatch<serde_json::Value>,
    env: Env,
    _ctx: Context,
) -> Result<()> {
    queue::consume(batch, env).await;
    // Always Ok: an Err would retry the whole batch and reset the wasm instance.
    Ok(())
}
