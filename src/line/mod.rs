//! The waiting room: one Durable Object per position (`PositionLine`) holds the applications
//! over the position's hourly budget in order of arrival and releases them at the budget's
//! pace. `rules` is the pure arithmetic (public for the native surge simulation).

pub mod rules;

use crate::ledger::window::Windows;

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
    /// The rules' settings under these windows: a test's short "hour" shortens the longest
    /// wait with it, so a test can watch an entry wait too long.
    pub fn settings(&self, windows: &Windows) -> rules::Settings {
        let hour_ms = windows.hour_ms();
        rules::Settings {
            limit: self.per_hour,
            max_waiting: self.max_waiting,
            max_wait_ms: hour_ms.saturating_mul(u64::from(self.max_wait_hours)),
            window_ms: hour_ms,
        }
    }
}
