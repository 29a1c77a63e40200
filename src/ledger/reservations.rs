//! Reservations, as a mailbox's bucket makes them: what `super::budget::admit` needs, read in
//! one statement, and what it decides written down, with no `await` between (two posts can
//! never both take a budget's last invite). Also the warnings and the quota hold, shared with
//! the account.

use super::budget::{admit, Budget, Counts, Limits, PriorInvite};
use super::erasure::erased_after;
use super::object::{int, whole, InviteLedger};
use super::protocol::{Answer, Ask, Reserved};
use super::window::Windows;
use worker::{Result, SqlStorageValue};

impl InviteLedger {
    pub(super) fn reserve(
        &self,
        asks: &[Ask],
        limits: &Limits,
        windows: &Windows,
        now: u64,
        flight_ms: u64,
    ) -> Result<Reserved> {
        let flight_until = now.saturating_add(flight_ms);
        let mut answers = Vec::with_capacity(asks.len());
        for ask in asks {
            let (quota, erased_at, earlier, counts) = self.standing(ask, limits, windows, now)?;
            if erased_after(ask.applied_ms, erased_at) {
                answers.push(Answer::Erased);
                continue;
            }
            let mut answer = admit(earlier, quota, &counts, limits, windows, now);
            match &mut answer {
                Answer::Granted {
                    reservation,
                    settles: false,
                    ..
                } => *reservation = self.insert(ask, now, flight_until)?,
                Answer::Granted { reservation, .. } => {
                    self.db.exec(
                        "UPDATE invites SET busy_until = ? WHERE id = ?",
                        vec![int(flight_until), int(*reservation)],
                    )?;
                }
                refused => self.warn(refused, windows, now, now, &ask.mailbox)?,
            }
            answers.push(answer);
        }
        Ok(Reserved {
            answers,
            lease: Default::default(),
        })
    }

    /// Fills in a refusal's warnings: each budget's first in its window of `at_ms` (per mailbox
    /// for its own budgets), the quota's hourly.
    pub(super) fn warn(
        &self,
        answer: &mut Answer,
        windows: &Windows,
        at_ms: u64,
        now: u64,
        mailbox: &str,
    ) -> Result<()> {
        match answer {
            Answer::Parked { reached, .. } => {
                for r in reached {
                    let scope = if r.budget.in_account() { "" } else { mailbox };
                    let window = windows.bounds(r.budget.span(), at_ms);
                    // Expired marks go on this rare path.
                    let expired = "DELETE FROM warnings WHERE window_end <= ?";
                    self.db.exec(expired, vec![int(window.start_ms)])?;
                    let first = self.db.first(
                        "INSERT INTO warnings (budget, scope, window_start, window_end)
                         VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                        vec![
                            r.budget.as_str().into(),
                            scope.into(),
                            int(window.start_ms),
                            int(window.end_ms),
                        ],
                    )?;
                    r.warn = first.is_some();
                }
            }
            Answer::QuotaHeld { warn, .. } => *warn = self.quota_warning(windows, now)?,
            _ => {}
        }
        Ok(())
    }

    pub(super) fn quota_hold(&self) -> Result<Option<u64>> {
        let probe_at = "SELECT probe_at FROM quota WHERE id = 1";
        Ok(whole(self.db.first(probe_at, vec![])?))
    }

    /// At most once an hour: the quota line is a reminder, not a flood.
    pub(super) fn quota_warning(&self, windows: &Windows, now: u64) -> Result<bool> {
        let due = now.saturating_sub(windows.hour_ms());
        let updated = self.db.first(
            "UPDATE quota SET warned_at = ? WHERE id = 1 AND warned_at <= ? RETURNING 1",
            vec![int(now), int(due)],
        )?;
        Ok(updated.is_some())
    }

    /// In one statement (each is a round trip into the runtime): the quota hold, the mailbox's
    /// erasure, its earlier invite to the position, and the count of each limited budget.
    fn standing(
        &self,
        ask: &Ask,
        limits: &Limits,
        windows: &Windows,
        now: u64,
    ) -> Result<(Option<u64>, Option<u64>, PriorInvite, Counts)> {
        let mut query = String::from(
            "SELECT (SELECT probe_at FROM quota WHERE id = 1),
                    (SELECT erased_at FROM erasures WHERE mailbox = ?),
                    e.spelling, e.id, e.busy_until, e.unsettled",
        );
        let mut bindings = vec![SqlStorageValue::from(ask.mailbox.as_str())];
        let counted: Vec<Budget> = Budget::ALL
            .into_iter()
            .filter(|&budget| limits.of(budget) > 0)
            .collect();
        for budget in &counted {
            let bounds = windows.bounds(budget.span(), now);
            query.push_str(", (SELECT COUNT(*) FROM invites WHERE ");
            if !budget.in_account() {
                query.push_str("mailbox = ? AND ");
                bindings.push(ask.mailbox.as_str().into());
            }
            query.push_str("at_ms >= ? AND at_ms < ?)");
            bindings.extend([int(bounds.start_ms), int(bounds.end_ms)]);
        }
        query.push_str(" FROM (SELECT 1) LEFT JOIN invites e ON e.mailbox = ? AND e.position = ?");
        bindings.extend([ask.mailbox.as_str().into(), ask.position.as_str().into()]);
        let mut columns = self.db.row(&query, bindings)?;
        let quota = whole(columns.next());
        let erased_at = whole(columns.next());
        let spelling = columns.next();
        let (id, busy_until, unsettled) = (columns.next(), columns.next(), columns.next());
        let earlier = match spelling {
            // Another spelling waits for nothing: one interview per mailbox, whatever the
            // first call's outcome turns out to be.
            Some(SqlStorageValue::String(s)) if s != ask.spelling => PriorInvite::OtherSpelling,
            Some(SqlStorageValue::String(_)) => match (whole(id), whole(busy_until)) {
                (_, Some(until_ms)) if until_ms > now => PriorInvite::InFlight { until_ms },
                (Some(reservation), _) if whole(unsettled).unwrap_or(0) > 0 => {
                    PriorInvite::Unsettled { reservation }
                }
                _ => PriorInvite::SameSpelling,
            },
            _ => PriorInvite::None,
        };
        let mut counts = Counts::ZERO;
        for budget in counted {
            let n = whole(columns.next()).unwrap_or(0);
            *counts.slot(budget) = u32::try_from(n).unwrap_or(u32::MAX);
        }
        Ok((quota, erased_at, earlier, counts))
    }

    fn insert(&self, ask: &Ask, now: u64, flight_until: u64) -> Result<u64> {
        let id = self.db.first(
            "INSERT INTO invites (mailbox, spelling, position, at_ms, busy_until, record)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                ask.mailbox.as_str().into(),
                ask.spelling.as_str().into(),
                ask.position.as_str().into(),
                int(now),
                int(flight_until),
                ask.record.as_str().into(),
            ],
        )?;
        whole(id).ok_or_else(|| worker::Error::RustError("no reservation id".into()))
    }
}
