//! The invite ledger: the exact count of invites made, and the budgets that bound them.
//!
//! Consulted only on the path that would ask Hireflix to create an invite, just before the
//! call (the form's pipeline and the queue consumer). It keeps, per mailbox (an HMAC of the
//! address's canonical form, see `mailbox`): one invite per position, and a number of
//! positions a day; per position, a number of invites an hour; for the account, a number a
//! day and a month; and whether the plan's quota was found spent. Over a budget, or while the
//! quota is spent, an application is parked (queued until the window reopens), never refused.
//!
//! Rooms: `mailbox`, `window` and `budget` are the pure rules; `object` is the Durable Object
//! (SQLite) that applies them one request at a time; `client` is the worker's side of the
//! conversation (`protocol`); `gate` turns the ledger's answers into what the caller does.

pub mod budget;
mod client;
mod gate;
mod letters;
mod mailbox;
mod object;
mod protocol;
pub mod window;

pub use client::{Applicant, Ledger};
pub use gate::{Aftermath, Gate, Note, Ticket};
pub use letters::LetterBox;
pub use object::InviteLedger;

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
