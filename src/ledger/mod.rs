//! The invite ledger: the exact count of invites made, and the budgets that bound them.
//!
//! Consulted only on the path that would ask Hireflix to create an invite, just before the
//! call (`crate::apply::invite`, for the form and the queue alike). It keeps, per mailbox (an
//! HMAC of the address's canonical form, see `mailbox`): one invite per position, and a number
//! of positions a day; for the account, a number a day and a month (a position's hourly
//! budget is its line's, `crate::line`); and whether the plan's quota was found spent. Over a budget, or while the
//! quota is spent, an application is parked (queued until the window reopens), never refused.
//!
//! Rooms: `mailbox`, `window` and `budget` are the pure rules; `object` is the Durable Object
//! (SQLite, its tables in `sql`) that applies them one request at a time, as 64 mailbox
//! buckets (`reservations`) and one account (`account`), each pruned by its alarm (`prune`);
//! `client` and `spread` are the worker's side of the conversation (`protocol`); `gate` turns
//! the ledger's answers into what the caller does; `erasure` is what an operator's erasure of
//! a mailbox leaves behind. Callers see the ledger through the [`Ledger`] trait, so the
//! objects behind it can change.

mod account;
pub mod budget;
mod client;
mod erasure;
mod gate;
mod lease;
mod mailbox;
mod object;
mod protocol;
mod prune;
mod reservations;
mod spread;
mod sql;
pub mod window;

pub use client::{hand_over_letters, LedgerClient};
#[cfg(test)]
pub use gate::Ticket;
pub use gate::{Gate, Note, Settlement};
pub use mailbox::{canonical, MailboxKeys};
pub use object::InviteLedger;
pub(crate) use sql::{first, int, whole};

use crate::domain::{CandidateKey, Email, PositionId};
use budget::Limits;
use window::Windows;

/// The ledger's settings, parsed with the rest of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Budgets {
    pub limits: Limits,
    /// The real hour, day and month, or short windows for tests.
    pub windows: Windows,
    /// How long a spent quota stops new invites before one is tried again.
    pub quota_retry_seconds: u32,
}

pub const DEFAULT_QUOTA_RETRY_SECONDS: u32 = 3 * 3_600;

/// One application at the gate.
pub struct Applicant<'a> {
    pub position: &'a PositionId,
    pub email: &'a Email,
    pub request_id: &'a str,
    /// When it was made (`QueuedInvite::applied_ms`): an erasure since drops it.
    pub applied_ms: u64,
    /// Its KV record's key, kept with the invite for an erasure (`Ask::record`).
    pub key: &'a CandidateKey,
}

/// What an invite asks of the ledger: leave before Hireflix is called, and an account of what
/// the call made of it afterwards. A ledger that cannot be asked answers [`Gate::Unchecked`]:
/// nothing is ever invited unchecked.
// Generic callers only, on one thread: no `Send` bound is wanted on these futures.
#[allow(async_fn_in_trait)]
pub trait Ledger {
    /// One gate per applicant, in order.
    async fn check(&self, applicants: &[Applicant<'_>]) -> Vec<Gate>;

    /// Reports what the Hireflix calls made of their tickets. Returns how long an application
    /// refused for quota waits before it is tried again.
    async fn settle(&self, settlement: Settlement, request_id: &str) -> u32;
}
