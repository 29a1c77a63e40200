//! The waiting room: one Durable Object per position (`PositionLine`) holds the applications
//! over any budget in order of arrival and releases them by alarm at the budgets' pace onto the
//! invite queue (`rules`). Asked before the ledger for any application not yet admitted.

mod client;
mod object;
pub mod rules;

pub use client::LineClient;
pub use object::PositionLine;

use crate::apply::QueuedInvite;
use crate::domain::{Email, PositionId};
use crate::ledger::Budgets;
use rules::Admission;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `INVITES_PER_POSITION_PER_HOUR`; 0: no limit, no line.
    pub per_hour: u32,
    pub max_waiting: u32,
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
    /// A test's short "hour" shortens the longest wait with it.
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

    /// How long after its post the invite consumer may still invite an application: an hour
    /// more than `MAX_WAIT_HOURS`, for the places promised at the edge. Later is set aside.
    pub fn longest_wait_ms(&self, budgets: &Budgets) -> u64 {
        let hour_ms = budgets.windows.hour_ms();
        self.settings(budgets).max_wait_ms.saturating_add(hour_ms)
    }
}

/// The line as the invite transaction sees it (fakes in native tests).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::window::Windows;

    #[test]
    fn the_consumer_invites_up_to_an_hour_past_the_longest_wait_in_real_or_test_hours() {
        let budgets = Budgets::default();
        let hour = 3_600_000;
        assert_eq!(Limits::default().longest_wait_ms(&budgets), 73 * hour);
        let short = Budgets {
            windows: Windows {
                hour_seconds: 2,
                day_seconds: 600,
                month_seconds: 6_000,
            },
            ..budgets
        };
        let one_hour = Limits {
            max_wait_hours: 1,
            ..Limits::default()
        };
        assert_eq!(one_hour.longest_wait_ms(&short), 4_000);
    }
}
