//! The invite ledger, asked just before Hireflix would be asked for an invite: per mailbox
//! (`mailbox`), one invite per position and a number of positions a day; for the account, a
//! number a minute, a day and a month, and whether the plan's quota is spent. Over a budget,
//! or while the quota is spent, an application is parked, never refused.
//!
//! `mailbox`, `window`, `budget` and `lease` are pure rules; `object` is the Durable Object
//! serving 64 mailbox buckets (`reservations`) and one account (`account`); `client` is the
//! worker's side of `protocol`; `gate` turns answers into what the caller does.

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
pub mod window;

pub use client::{hand_over_letters, LedgerClient};
#[cfg(test)]
pub use gate::Ticket;
pub use gate::{Gate, Note, Settlement};
pub use mailbox::{canonical, MailboxKeys};
pub use object::InviteLedger;
pub(crate) use object::{int, whole};

use crate::domain::{CandidateKey, Email, PositionId};
use budget::Limits;
use window::Windows;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Budgets {
    pub limits: Limits,
    pub windows: Windows,
    pub quota_retry_seconds: u32,
}

pub const DEFAULT_QUOTA_RETRY_SECONDS: u32 = 3 * 3_600;

/// One application at the gate.
pub struct Applicant<'a> {
    pub position: &'a PositionId,
    pub email: &'a Email,
    pub request_id: &'a str,
    /// When it was made: an erasure since drops it.
    pub applied_ms: u64,
    pub key: &'a CandidateKey,
}

/// Leave before Hireflix is called, and what the call made of it afterwards. A ledger that
/// cannot be asked answers [`Gate::Unchecked`]: nothing is ever invited unchecked.
// Generic callers only, on one thread: no `Send` bound is wanted on these futures.
#[allow(async_fn_in_trait)]
pub trait Ledger {
    /// One gate per applicant, in order.
    async fn check(&self, applicants: &[Applicant<'_>]) -> Vec<Gate>;

    /// Returns how long an application refused for quota waits before it is tried again.
    async fn settle(&self, settlement: Settlement, request_id: &str) -> u32;
}
