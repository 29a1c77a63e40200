//! hireflix-apply: a public application form that sends each candidate straight to their own
//! Hireflix video interview. This file holds only the entry points; `http` routes requests,
//! `queue` consumes the retry and dead-letter queues.

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
/// Public for the native surge simulation (`examples/surge.rs`), which runs the same rules.
#[doc(hidden)]
pub mod line;
mod log;
mod objects;
mod pace;
mod queue;
mod store;

/// The invite ledger's Durable Object class (`INVITE_LEDGER` in wrangler.toml).
pub use ledger::InviteLedger;
/// The dead letters' Durable Object class (`DEAD_LETTERS` in wrangler.toml).
pub use letters::DeadLetters;
/// A position's waiting room (`POSITION_LINE` in wrangler.toml).
pub use line::PositionLine;
/// The Hireflix pace's Durable Object class (`HIREFLIX_PACE` in wrangler.toml).
pub use pace::HireflixPace;

/// Read by the wasm-bindgen tests in tests/wasm.rs, which need the JS runtime.
#[doc(hidden)]
pub use {answer::Answer, http::body};

use worker::{event, Context, Env, Request, Result};

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
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    http::handle(req, env, ctx).await
}

/// The Cron Trigger (wrangler.toml): the positions list, read from Hireflix every 5 minutes,
/// so no page view has to.
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
