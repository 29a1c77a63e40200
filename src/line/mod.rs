//! The waiting room: one Durable Object per position (`PositionLine`, named by the position's
//! id) counts the position's invites per hour (`INVITES_PER_POSITION_PER_HOUR`) and per
//! window of each account budget, holds the applications over any of them in order of arrival
//! (at most `MAX_WAITING_PER_POSITION`, none longer than `MAX_WAIT_HOURS`), and releases them
//! by alarm at the budgets' pace onto the invite queue. Asked before the ledger by the invite transaction (`crate::apply::invite`) for any
//! application not yet admitted.
//!
//! Rooms: `rules` is the pure arithmetic (public for the native surge simulation); `object`
//! applies it in SQLite as calls come, `release` as the alarm rings; `client` is the worker's
//! side (`protocol`).

mod client;
mod object;
mod protocol;
mod release;
pub mod rules;

pub use client::LineClient;
pub use object::PositionLine;

use crate::apply::QueuedInvite;
use crate::domain::{Email, PositionId};
use crate::ledger::Budgets;
use rules::Admission;

/// The waiting room's settings, read with the rest of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `INVITES_PER_POSITION_PER_HOUR`; 0: no limit, no line.
    pub per_hour: u32,
    /// `MAX_WAITING_PER_POSITION`.
    pub max_waiting: u32,
    /// `MAX_WAIT_HOURS`.
    pub max_wait_hours: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_hour: 100,
            max_waiting: 1_000,
            max_wait_hours: 72,
        }
    }
}

impl Limits {
    /// The rules' settings under the account's budgets and windows: the line keeps every
    /// budget that binds its invites, and a test's short "hour" shortens the longest wait
    /// with it, so a test can watch an entry wait too long.
    pub fn settings(&self, budgets: &Budgets) -> rules::Settings {
        let (account, windows) = (&budgets.limits, budgets.windows);
        rules::Settings {
            limits: [
                self.per_hour,
                account.account_minute,
                account.account_day,
                account.account_month,
            ],
            windows,
            max_waiting: self.max_waiting,
            max_wait_ms: windows
                .hour_ms()
                .saturating_mul(u64::from(self.max_wait_hours)),
        }
    }
}

/// The line as the invite transaction sees it (fakes in native tests).
// Generic callers only, on one thread: no `Send` bound is wanted on these futures.
#[allow(async_fn_in_trait)]
pub trait Lines {
    /// `None`: the line could not be asked; the application is queued unadmitted.
    async fn admit(
        &self,
        position: &PositionId,
        email: &Email,
        invite: &QueuedInvite,
    ) -> Option<Admission>;
}
