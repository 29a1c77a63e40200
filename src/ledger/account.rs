//! The account's object: its day, month and minute budgets as one counter per budget and
//! window (a position's hour is its line's, `crate::line`), and the quota hold. Asked only
//! for invites a mailbox's bucket granted; a counter read is one row, never a count over the
//! history of invites.
//!
//! Before the buckets, this instance held every invite as a row. Those rows still count, until
//! pruned: a mailbox they name is not invited again under another spelling, and a window's
//! counter starts from the rows already in it (one count per budget and window, then kept).

use super::budget::{admit, Admission, Budget, Counts, Limits, PriorInvite, QuotaHold};
use super::lease::{self, Lease};
use super::object::InviteLedger;
use super::protocol::{Answer, Reserved, Take};
use super::sql::{first, int, whole};
use super::window::Windows;
use worker::{Result, SqlStorageValue};

impl InviteLedger {
    /// Each take is counted in every account budget's window of its `at_ms` when all have
    /// room; counted always, limit or not, so a limit set mid-window counts what came before.
    /// Then a lease of up to `lease` invites, counted at `now` as if made (`super::lease`).
    pub(super) fn take(
        &self,
        takes: &[Take],
        (limits, windows): (&Limits, &Windows),
        lease: u32,
        now: u64,
    ) -> Result<Reserved> {
        let budgets = Budget::ALL.into_iter().filter(|b| b.in_account());
        let quota = whole(first(
            self.exec("SELECT probe_at FROM quota WHERE id = 1", vec![])?,
        )?);
        let hold = quota.map(|probe_at_ms| QuotaHold { probe_at_ms });
        let mut answers = Vec::with_capacity(takes.len());
        for take in takes {
            let mut counts = Counts::ZERO;
            for budget in budgets.clone() {
                *counts.slot(budget) = self.counter(budget, take.at_ms, windows)?;
            }
            let earlier = self.recorded(take)?;
            let answer = match admit(earlier, hold, &counts, limits, windows, take.at_ms) {
                Admission::Grant { probing } => {
                    for budget in budgets.clone() {
                        self.add(budget, take.at_ms, windows, 1)?;
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
        let mut granted = Lease::default();
        if lease > 0 {
            let mut counts = Counts::ZERO;
            for budget in budgets.clone() {
                *counts.slot(budget) = self.counter(budget, now, windows)?;
            }
            let legacy = !self.legacy_gone()?;
            granted.invites = lease::grant(lease, &counts, limits, hold.is_some(), legacy);
            if granted.invites > 0 {
                for budget in budgets {
                    self.add(budget, now, windows, i64::from(granted.invites))?;
                }
                granted.until_ms = lease::until(windows, now);
            }
        }
        Ok(Reserved {
            answers,
            lease: granted,
        })
    }

    /// Whether the rows recorded before the buckets are all pruned: nothing writes them any
    /// more, so once the table is found empty this instance remembers it.
    fn legacy_gone(&self) -> Result<bool> {
        if !self.legacy_gone.get() {
            let row = first(self.exec("SELECT 1 FROM invites LIMIT 1", vec![])?)?;
            self.legacy_gone.set(row.is_none());
        }
        Ok(self.legacy_gone.get())
    }

    /// Released invites are no longer counted, in the windows they were counted in.
    pub(super) fn give_back(&self, released: &[(u64, String)], windows: &Windows) -> Result<()> {
        for (at_ms, _position) in released {
            for budget in Budget::ALL.into_iter().filter(|b| b.in_account()) {
                self.add(budget, *at_ms, windows, -1)?;
            }
        }
        Ok(())
    }

    /// This mailbox's invite to this position among the rows recorded before the buckets.
    fn recorded(&self, take: &Take) -> Result<PriorInvite> {
        let spelling = first(self.exec(
            "SELECT spelling FROM invites WHERE mailbox = ? AND position = ?",
            vec![take.mailbox.as_str().into(), take.position.as_str().into()],
        )?)?;
        Ok(match spelling {
            Some(SqlStorageValue::String(s)) if s == take.spelling => PriorInvite::SameSpelling,
            Some(SqlStorageValue::String(_)) => PriorInvite::OtherSpelling,
            _ => PriorInvite::None,
        })
    }

    fn counter(&self, budget: Budget, at_ms: u64, windows: &Windows) -> Result<u32> {
        let bounds = windows.bounds(budget.span(), at_ms);
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

    fn add(&self, budget: Budget, at_ms: u64, windows: &Windows, delta: i64) -> Result<()> {
        let bounds = windows.bounds(budget.span(), at_ms);
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
