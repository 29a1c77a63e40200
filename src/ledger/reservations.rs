//! Reservations, as the ledger object makes them: the counts the rules in `super::budget`
//! need, read in one statement, and what they decide written down. Each call runs without an
//! `await` between reading and writing, so two posts can never both take a budget's last invite.

use super::budget::{admit, Admission, Budget, Counts, Limits, PriorInvite, QuotaHold};
use super::erasure::erased_after;
use super::object::InviteLedger;
use super::protocol::{Answer, Ask, Reached, Reserved, Settled};
use super::sql::{first, int, whole};
use super::window::{Bounds, Windows};
use worker::{Result, SqlStorageValue};

impl InviteLedger {
    /// `flight_until`: when the calls granted now are over, whatever their outcome.
    pub(super) fn reserve(
        &self,
        asks: &[Ask],
        limits: &Limits,
        windows: &Windows,
        (now, flight_until): (u64, u64),
    ) -> Result<Reserved> {
        let mut answers = Vec::with_capacity(asks.len());
        for ask in asks {
            let (quota, erased_at, earlier, counts) = self.standing(ask, limits, windows, now)?;
            // Before every budget: an erased candidate's application takes nothing, tells nothing.
            if erased_after(ask.applied_ms, erased_at) {
                answers.push(Answer::Erased);
                continue;
            }
            let hold = quota.map(|probe_at_ms| QuotaHold { probe_at_ms });
            let answer = match admit(earlier, hold, &counts, limits, windows, now) {
                Admission::Grant { probing } => Answer::Granted {
                    reservation: self.insert(ask, now, flight_until)?,
                    probing,
                    settles: false,
                    at_ms: now,
                },
                Admission::Settle {
                    reservation,
                    probing,
                } => {
                    self.exec(
                        "UPDATE invites SET busy_until = ? WHERE id = ?",
                        vec![int(flight_until), int(reservation)],
                    )?;
                    Answer::Granted {
                        reservation,
                        probing,
                        settles: true,
                        at_ms: now,
                    }
                }
                Admission::InFlight { until_ms } => Answer::InFlight { until_ms },
                Admission::Resubmission => Answer::Resubmission,
                Admission::OtherSpelling => Answer::OtherSpelling,
                Admission::Parked { until_ms, reached } => {
                    self.parked(until_ms, reached, limits, &ask.mailbox)?
                }
                Admission::QuotaHeld { until_ms } => Answer::QuotaHeld {
                    until_ms,
                    warn: self.quota_warning(windows, now)?,
                },
            };
            answers.push(answer);
        }
        Ok(Reserved {
            answers,
            lease: Default::default(),
        })
    }

    /// Records a quota found spent (`Some(probe_at)`): no call before then. `warn` the first
    /// time, then at most once an hour.
    pub(super) fn quota_spent(
        &self,
        probe_at: Option<u64>,
        windows: &Windows,
        now: u64,
    ) -> Result<Settled> {
        let Some(probe_at) = probe_at else {
            return Ok(Settled {
                quota_held_until_ms: None,
                warn: false,
                released: Vec::new(),
            });
        };
        let held = first(self.exec("SELECT probe_at FROM quota WHERE id = 1", vec![])?)?;
        self.exec(
            "INSERT INTO quota (id, probe_at, warned_at) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET probe_at = excluded.probe_at",
            vec![int(probe_at), int(now)],
        )?;
        Ok(Settled {
            quota_held_until_ms: Some(probe_at),
            warn: whole(held).is_none() || self.quota_warning(windows, now)?,
            released: Vec::new(),
        })
    }

    /// True at most once an hour: the quota line is a reminder, not a flood.
    pub(super) fn quota_warning(&self, windows: &Windows, now: u64) -> Result<bool> {
        let due = now.saturating_sub(windows.hour_ms());
        let updated = first(self.exec(
            "UPDATE quota SET warned_at = ? WHERE id = 1 AND warned_at <= ? RETURNING 1",
            vec![int(now), int(due)],
        )?)?;
        Ok(updated.is_some())
    }

    /// What the rules need to admit one application, read in one statement: the quota hold,
    /// when the mailbox was last erased (`super::erasure`), the mailbox's earlier invite to the
    /// position, and the count of each budget that has a limit (the others are not counted). One statement, not one per fact: each is a round
    /// trip into the runtime, and the account's single ledger instance serialises every invite.
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
            let (count, scope) = match budget {
                Budget::EmailDay => (
                    ", (SELECT COUNT(*) FROM invites WHERE mailbox = ? AND at_ms >= ? AND at_ms < ?)",
                    Some(ask.mailbox.as_str()),
                ),
                Budget::AccountDay | Budget::AccountMonth | Budget::AccountMinute => (
                    ", (SELECT COUNT(*) FROM invites WHERE at_ms >= ? AND at_ms < ?)",
                    None,
                ),
            };
            query.push_str(count);
            bindings.extend(scope.map(SqlStorageValue::from));
            bindings.push(int(bounds.start_ms));
            bindings.push(int(bounds.end_ms));
        }
        query.push_str(" FROM (SELECT 1) LEFT JOIN invites e ON e.mailbox = ? AND e.position = ?");
        bindings.extend([ask.mailbox.as_str().into(), ask.position.as_str().into()]);
        let row = match self.exec(&query, bindings)?.raw().next() {
            Some(row) => row?,
            None => Vec::new(),
        };
        let mut columns = row.into_iter();
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
        let id = first(self.exec(
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
        )?)?;
        whole(id).ok_or_else(|| worker::Error::RustError("no reservation id".into()))
    }

    /// A park's answer, each budget it waits for warned about once per window (`scope`: the
    /// mailbox for its own budgets; the account's are everyone's).
    pub(super) fn parked(
        &self,
        until_ms: u64,
        reached: Vec<(Budget, Bounds)>,
        limits: &Limits,
        mailbox: &str,
    ) -> Result<Answer> {
        let mut noted = Vec::with_capacity(reached.len());
        for (budget, bounds) in reached {
            noted.push(Reached {
                budget,
                limit: limits.of(budget),
                reopens_ms: bounds.end_ms,
                warn: self.first_warning(budget, budget.scope(mailbox), bounds)?,
            });
        }
        Ok(Answer::Parked {
            until_ms,
            reached: noted,
        })
    }

    /// True the first time `budget` is found full in this window (per mailbox or position).
    /// Expired marks are dropped here, on the rare path that writes one, not on every call.
    pub(super) fn first_warning(
        &self,
        budget: Budget,
        scope: &str,
        window: Bounds,
    ) -> Result<bool> {
        self.exec(
            "DELETE FROM warnings WHERE window_end <= ?",
            vec![int(window.start_ms)],
        )?;
        let inserted = first(self.exec(
            "INSERT INTO warnings (budget, scope, window_start, window_end) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING RETURNING 1",
            vec![
                budget.as_str().into(),
                scope.into(),
                int(window.start_ms),
                int(window.end_ms),
            ],
        )?)?;
        Ok(inserted.is_some())
    }
}
