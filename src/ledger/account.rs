//! The account's instance: its minute, day and month budgets as one counter per budget and
//! window. Before the buckets, it held every invite as a row. Those rows still count until
//! pruned: a mailbox they name is not invited again under another spelling, and a window's
//! counter starts from the rows already in it.

use super::budget::{admit, Budget, Counts, Limits, PriorInvite};
use super::lease::{self, Lease};
use super::object::{int, whole, InviteLedger};
use super::protocol::{Answer, Ask, Reserved};
use super::window::Windows;
use worker::Result;

impl InviteLedger {
    /// Each take is counted in its windows of `at_ms` when all have room; then a lease of up to
    /// `lease` invites, counted at `now` as if made.
    pub(super) fn take(
        &self,
        takes: &[Ask],
        (limits, windows): (&Limits, &Windows),
        lease: u32,
        now: u64,
    ) -> Result<Reserved> {
        let hold = self.quota_hold()?;
        let mut answers = Vec::with_capacity(takes.len());
        for take in takes {
            let counts = self.counts(take.at_ms, windows)?;
            let earlier = self.recorded(take)?;
            let mut answer = admit(earlier, hold, &counts, limits, windows, take.at_ms);
            // `recorded` knows no call in flight nor unsettled: a grant is a new invite.
            if let Answer::Granted { .. } = answer {
                self.add(&Budget::ACCOUNT, take.at_ms, windows, 1)?;
            } else {
                self.warn(&mut answer, windows, take.at_ms, now, "")?;
            }
            answers.push(answer);
        }
        let mut granted = Lease::default();
        if lease > 0 {
            let counts = self.counts(now, windows)?;
            // Nothing writes the rows from before the buckets any more: once gone, they stay gone.
            if !self.legacy_gone.get() {
                let row = self.db.first("SELECT 1 FROM invites LIMIT 1", vec![])?;
                self.legacy_gone.set(row.is_none());
            }
            let legacy = !self.legacy_gone.get();
            granted.invites = lease::grant(lease, &counts, limits, hold.is_some(), legacy);
            if granted.invites > 0 {
                self.add(&Budget::ACCOUNT, now, windows, i64::from(granted.invites))?;
                granted.until_ms = lease::until(windows, now);
            }
        }
        Ok(Reserved {
            answers,
            lease: granted,
        })
    }

    pub(super) fn give_back(&self, released: &[(u64, String)], windows: &Windows) -> Result<()> {
        for (at_ms, _position) in released {
            self.add(&Budget::ACCOUNT, *at_ms, windows, -1)?;
        }
        Ok(())
    }

    fn recorded(&self, take: &Ask) -> Result<PriorInvite> {
        let spelling = self.db.first(
            "SELECT spelling FROM invites WHERE mailbox = ? AND position = ?",
            vec![take.mailbox.as_str().into(), take.position.as_str().into()],
        )?;
        Ok(match crate::objects::text(spelling) {
            Some(s) if s == take.spelling => PriorInvite::SameSpelling,
            Some(_) => PriorInvite::OtherSpelling,
            None => PriorInvite::None,
        })
    }

    fn counts(&self, at_ms: u64, windows: &Windows) -> Result<Counts> {
        let mut counts = Counts::ZERO;
        for budget in Budget::ACCOUNT {
            let bounds = windows.bounds(budget.span(), at_ms);
            let kept = self.db.first(
                "SELECT count FROM counters WHERE budget = ? AND scope = '' AND window_start = ?",
                vec![budget.as_str().into(), int(bounds.start_ms)],
            )?;
            let count = match whole(kept) {
                Some(count) => count,
                // A window's first take: its counter starts from the rows recorded in it.
                None => {
                    let recorded = whole(self.db.first(
                        "SELECT COUNT(*) FROM invites WHERE at_ms >= ? AND at_ms < ?",
                        vec![int(bounds.start_ms), int(bounds.end_ms)],
                    )?)
                    .unwrap_or(0);
                    let delta = i64::try_from(recorded).unwrap_or(i64::MAX);
                    self.add(&[budget], at_ms, windows, delta)?;
                    recorded
                }
            };
            *counts.slot(budget) = u32::try_from(count).unwrap_or(u32::MAX);
        }
        Ok(counts)
    }

    /// Counted always, limit or not, so a limit set mid-window counts what came before.
    fn add(&self, budgets: &[Budget], at_ms: u64, windows: &Windows, delta: i64) -> Result<()> {
        for budget in budgets {
            let bounds = windows.bounds(budget.span(), at_ms);
            self.db.exec(
                "INSERT INTO counters (budget, scope, window_start, window_end, count)
                 VALUES (?, '', ?, ?, MAX(?, 0))
                 ON CONFLICT (budget, scope, window_start) DO UPDATE SET count = MAX(count + ?, 0)",
                vec![
                    budget.as_str().into(),
                    int(bounds.start_ms),
                    int(bounds.end_ms),
                    delta.into(),
                    delta.into(),
                ],
            )?;
        }
        Ok(())
    }
}
