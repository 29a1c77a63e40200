//! The object's alarm deletes, a batch at a time, the rows no rule needs: an invite past
//! `SUBMISSION_TTL_DAYS` (its uniqueness) and its mailbox's day, and ended windows' counters.

use super::budget::Budget;
use super::object::{int, whole, InviteLedger};
use super::window::Windows;
use crate::objects::text;
use worker::Result;

/// Rows deleted per alarm: one alarm never holds the object long, whatever piled up.
pub const BATCH: u64 = 500;

/// How long a row is kept, as the worker last said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep_ms: u64,
    pub windows: Windows,
}

impl Retention {
    /// Rows made before this are needed by no rule: older than the uniqueness period and
    /// before the current window of every budget counted from rows.
    pub fn cutoff(&self, now_ms: u64) -> u64 {
        Budget::ALL
            .into_iter()
            .filter(|b| !b.in_account())
            .map(|b| self.windows.bounds(b.span(), now_ms).start_ms)
            .fold(now_ms.saturating_sub(self.keep_ms), u64::min)
    }

    /// How long until the alarm comes back: a second while a full batch went (more is left),
    /// else the shorter of the uniqueness period and an hour.
    pub fn next_alarm_in(&self, deleted: u64) -> u64 {
        const HOUR_MS: u64 = 3_600_000;
        if deleted >= BATCH {
            1_000
        } else {
            self.keep_ms.clamp(1_000, HOUR_MS)
        }
    }
}

impl InviteLedger {
    pub(super) async fn alarm_in(&self, ms: u64) -> Result<()> {
        let ms = i64::try_from(ms).unwrap_or(1_000);
        self.storage.set_alarm(ms).await
    }

    /// Keeps the retention when it changed, and makes sure an alarm will prune (asked once
    /// per instance: a reservation costs no storage call for it).
    pub(super) async fn arm_pruning(&self, retention: Retention) -> Result<()> {
        if self.retention.get() != Some(retention) {
            let windows = serde_json::to_string(&retention.windows)?;
            self.db.exec(
                "INSERT INTO retention (id, keep_ms, windows) VALUES (1, ?, ?)
                 ON CONFLICT (id) DO UPDATE
                 SET keep_ms = excluded.keep_ms, windows = excluded.windows",
                vec![int(retention.keep_ms), windows.into()],
            )?;
            self.retention.set(Some(retention));
        }
        if !self.alarm_set.get() {
            if self.storage.get_alarm().await?.is_none() {
                self.alarm_in(retention.next_alarm_in(0)).await?;
            }
            self.alarm_set.set(true);
        }
        Ok(())
    }

    /// One batch of rows past their retention, ended warnings and expired erasures. Returns
    /// how long until the next alarm, `None` when no retention is known yet.
    pub(super) fn prune(&self, now: u64) -> Result<Option<u64>> {
        let query = "SELECT keep_ms, windows FROM retention WHERE id = 1";
        let mut columns = self.db.row(query, vec![])?;
        let keep_ms = whole(columns.next());
        let windows = text(columns.next()).and_then(|text| serde_json::from_str(&text).ok());
        let Some((keep_ms, windows)) = keep_ms.zip(windows) else {
            return Ok(None);
        };
        let retention = Retention { keep_ms, windows };
        let gone = self.db.exec(
            "DELETE FROM invites WHERE id IN
                (SELECT id FROM invites WHERE at_ms < ? ORDER BY at_ms LIMIT ?) RETURNING id",
            vec![int(retention.cutoff(now)), int(BATCH)],
        )?;
        let deleted = u64::try_from(gone.raw().count()).unwrap_or(BATCH);
        self.db
            .exec("DELETE FROM warnings WHERE window_end <= ?", vec![int(now)])?;
        self.db
            .exec("DELETE FROM erasures WHERE until_ms <= ?", vec![int(now)])?;
        self.db.exec(
            "DELETE FROM counters WHERE rowid IN
                (SELECT rowid FROM counters WHERE window_end <= ? LIMIT ?)",
            vec![int(now), int(BATCH)],
        )?;
        Ok(Some(retention.next_alarm_in(deleted)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_771_065_000_000; // 2026-02-14T10:30Z
    const DAY_MS: u64 = 86_400_000;

    #[test]
    fn a_row_goes_once_past_uniqueness_and_every_budget_window() {
        let thirty_days = Retention {
            keep_ms: 30 * DAY_MS,
            windows: Windows::REAL,
        };
        // Thirty days ago, before the current month began (2026-02-01).
        assert_eq!(thirty_days.cutoff(NOW), NOW - 30 * DAY_MS);
        let one_day = Retention {
            keep_ms: DAY_MS,
            ..thirty_days
        };
        // The mailbox's day (since 00:00) is within the day kept.
        assert_eq!(one_day.cutoff(NOW), NOW - DAY_MS);
        let an_hour = Retention {
            keep_ms: 3_600_000,
            ..thirty_days
        };
        // The mailbox's day still counts every invite since midnight.
        assert_eq!(an_hour.cutoff(NOW), 1_771_027_200_000);
        let short = Retention {
            keep_ms: 1_000,
            windows: Windows {
                hour_seconds: 1,
                day_seconds: 1,
                month_seconds: 1,
            },
        };
        assert_eq!(short.cutoff(NOW + 500), NOW - 500);
    }

    #[test]
    fn the_work_per_alarm_is_bounded_and_a_backlog_is_worked_off_soon() {
        let r = Retention {
            keep_ms: 30 * DAY_MS,
            windows: Windows::REAL,
        };
        assert_eq!(r.next_alarm_in(BATCH), 1_000, "more left: back in a second");
        assert_eq!(r.next_alarm_in(3), 3_600_000, "then hourly");
        let short = Retention { keep_ms: 10, ..r };
        assert_eq!(short.next_alarm_in(0), 1_000);
    }
}
