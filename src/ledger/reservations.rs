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
        let same = crate::objects::text(columns.next()).map(|s| s == ask.spelling);
        let (id, busy_until) = (whole(columns.next()), whole(columns.next()).unwrap_or(0));
        let unsettled = whole(columns.next()).unwrap_or(0) > 0;
        let earlier = prior(same, id, busy_until, unsettled, now);
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

/// How long another spelling waits for an unsettled call's retry, which comes within the hour
/// (the queue's longest retry delay), before asking again.
const UNSETTLED_WAIT_MS: u64 = 3_600_000;

/// What the mailbox's row for the position (`same`: whether it is this spelling's; none: no
/// row) means for this ask. Another spelling is told "already invited" only once the row's call
/// is known to have made it: while at Hireflix or unsettled it may be released, and the other
/// spelling waits rather than be dropped. The same spelling settles its unsettled call itself.
fn prior(
    same: Option<bool>,
    id: Option<u64>,
    busy_until: u64,
    unsettled: bool,
    now: u64,
) -> PriorInvite {
    let Some(same) = same else {
        return PriorInvite::None;
    };
    if busy_until > now {
        return PriorInvite::InFlight {
            until_ms: busy_until,
        };
    }
    match (same, id.filter(|_| unsettled)) {
        (true, Some(reservation)) => PriorInvite::Unsettled { reservation },
        (false, _) if unsettled => PriorInvite::InFlight {
            until_ms: now.saturating_add(UNSETTLED_WAIT_MS),
        },
        (true, _) => PriorInvite::SameSpelling,
        (false, _) => PriorInvite::OtherSpelling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_spelling_waits_while_the_first_call_s_outcome_is_unknown() {
        let now = 1_000;
        let row =
            |same, busy_until, unsettled| prior(Some(same), Some(7), busy_until, unsettled, now);
        assert_eq!(prior(None, None, 0, false, now), PriorInvite::None);
        // At Hireflix: whichever spelling waits for it.
        for same in [true, false] {
            assert_eq!(
                row(same, 5_000, false),
                PriorInvite::InFlight { until_ms: 5_000 }
            );
            assert_eq!(
                row(same, 5_000, true),
                PriorInvite::InFlight { until_ms: 5_000 }
            );
        }
        // Ended without proof: the same spelling's retry settles it, another waits for that.
        assert_eq!(
            row(true, 0, true),
            PriorInvite::Unsettled { reservation: 7 }
        );
        let wait = PriorInvite::InFlight {
            until_ms: now + UNSETTLED_WAIT_MS,
        };
        assert_eq!(row(false, 0, true), wait);
        assert_eq!(row(false, now, true), wait, "its flight just over");
        // Made: a resubmission, or "already invited".
        assert_eq!(row(true, now, false), PriorInvite::SameSpelling);
        assert_eq!(row(false, 0, false), PriorInvite::OtherSpelling);
    }
}
