//! The account's object: its day, month and minute budgets as one counter per budget and
//! window (a position's hour is its line's, `crate::line`), and the quota hold. Asked only
//! for invites a mailbox's bucket granted; a counter read is one row, never a count over the
//! history of invites.
//!
//! Before the buckets, this instance held every invite as a row. Those rows still count, until
//! pruned: a mailbox they name is not invited again under another spelling, and a window's
//! counter starts from the rows already in it (one count per budget and window, then kept).

use super::budget::{admit, Admission, Budget, Counts, Earlier, Limits, QuotaHold};
use super::object::{first, int, whole, InviteLedger};
use super::protocol::{Answer, Reserved, Take};
use super::window::Windows;
use worker::{Result, SqlStorageValue};

impl InviteLedger {
    /// Each take is counted in every account budget's window of its `at_ms` when all have
    /// room; counted always, limit or not, so a limit set mid-window counts what came before.
    pub(super) fn take(
        &self,
        takes: &[Take],
        limits: &Limits,
        windows: &Windows,
        now: u64,
    ) -> Result<Reserved> {
        let quota = whole(first(
            self.exec("SELECT probe_at FROM quota WHERE id = 1", vec![])?,
        )?);
        let hold = quota.map(|probe_at_ms| QuotaHold { probe_at_ms });
        let budgets = Budget::ALL.into_iter().filter(|b| b.in_account());
        let mut answers = Vec::with_capacity(takes.len());
        for take in takes {
            let mut counts = Counts::ZERO;
            for budget in budgets.clone() {
                *counts.slot(budget) = self.counter(budget, take, windows)?;
            }
            let earlier = self.recorded(take)?;
            let answer = match admit(earlier, hold, &counts, limits, windows, take.at_ms) {
                Admission::Grant { probing } => {
                    for budget in budgets.clone() {
                        self.add(budget, take, windows, 1)?;
                    }
                    Answer::Granted {
                        reservation: 0,
                        probing,
                        settles: false,
                        at_ms: take.at_ms,
                    }
                }
                Admission::Parked { until_ms, reached } => {
                    self.parked(until_ms, reached, limits, "")?
                }
                Admission::QuotaHeld { until_ms } => Answer::QuotaHeld {
                    until_ms,
                    warn: self.quota_warning(windows, now)?,
                },
                Admission::Resubmission => Answer::Resubmission,
                Admission::OtherSpelling => Answer::OtherSpelling,
                // Not from the rows recorded here, which are never in flight or unsettled.
                Admission::InFlight { .. } | Admission::Settle { .. } => Answer::InFlight {
                    until_ms: now.saturating_add(1_000),
                },
            };
            answers.push(answer);
        }
        Ok(Reserved { answers })
    }

    /// Released invites are no longer counted, in the windows they were counted in.
    pub(super) fn give_back(&self, released: &[(u64, String)], windows: &Windows) -> Result<()> {
        for (at_ms, position) in released {
            let take = Take {
                position: position.clone(),
                at_ms: *at_ms,
                ..Take::default()
            };
            for budget in Budget::ALL.into_iter().filter(|b| b.in_account()) {
                self.add(budget, &take, windows, -1)?;
            }
        }
        Ok(())
    }

    /// This mailbox's invite to this position among the rows recorded before the buckets.
    fn recorded(&self, take: &Take) -> Result<Earlier> {
        let spelling = first(self.exec(
            "SELECT spelling FROM invites WHERE mailbox = ? AND position = ?",
            vec![take.mailbox.as_str().into(), take.position.as_str().into()],
        )?)?;
        Ok(match spelling {
            Some(SqlStorageValue::String(s)) if s == take.spelling => Earlier::SameSpelling,
            Some(SqlStorageValue::String(_)) => Earlier::OtherSpelling,
            _ => Earlier::None,
        })
    }

    fn counter(&self, budget: Budget, take: &Take, windows: &Windows) -> Result<u32> {
        let bounds = windows.bounds(budget.span(), take.at_ms);
        let scope = budget.scope("");
        let kept = first(self.exec(
            "SELECT count FROM counters WHERE budget = ? AND scope = ? AND window_start = ?",
            vec![budget.as_str().into(), scope.into(), int(bounds.start_ms)],
        )?)?;
        let count = match whole(kept) {
            Some(count) => count,
            // A window's first take: its counter starts from the rows recorded in it.
            None => {
                let recorded = whole(first(self.exec(
                    "SELECT COUNT(*) FROM invites WHERE at_ms >= ? AND at_ms < ?",
                    vec![int(bounds.start_ms), int(bounds.end_ms)],
                )?)?)
                .unwrap_or(0);
                self.exec(
                    "INSERT INTO counters (budget, scope, window_start, window_end, count)
                     VALUES (?, ?, ?, ?, ?)",
                    vec![
                        budget.as_str().into(),
                        scope.into(),
                        int(bounds.start_ms),
                        int(bounds.end_ms),
                        int(recorded),
                    ],
                )?;
                recorded
            }
        };
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    fn add(&self, budget: Budget, take: &Take, windows: &Windows, delta: i64) -> Result<()> {
        let bounds = windows.bounds(budget.span(), take.at_ms);
        self.exec(
            "INSERT INTO counters (budget, scope, window_start, window_end, count)
             VALUES (?, ?, ?, ?, MAX(?, 0))
             ON CONFLICT (budget, scope, window_start) DO UPDATE SET count = MAX(count + ?, 0)",
            vec![
                budget.as_str().into(),
                budget.scope("").into(),
                int(bounds.start_ms),
                int(bounds.end_ms),
                delta.into(),
                delta.into(),
            ],
        )?;
        Ok(())
    }
}
