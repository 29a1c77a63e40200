//! The ledger's rules: may this mailbox be invited to this position now? Pure, so tested
//! natively; the object reads the counts they need and writes down what they decide.

use super::protocol::{Answer, Reached};
use super::window::{Span, Windows};
use serde::{Deserialize, Serialize};
use strum_macros::IntoStaticStr;

/// One number per budget: its limit (0: none), or its count in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerBudget {
    pub email_day: u32,
    pub account_day: u32,
    pub account_month: u32,
    pub account_minute: u32,
}

pub type Limits = PerBudget;
pub type Counts = PerBudget;

/// The shipped limits (wrangler.toml says why each value).
impl Default for PerBudget {
    fn default() -> Self {
        PerBudget {
            email_day: 3,
            account_day: 50,
            account_month: 200,
            account_minute: 10,
        }
    }
}

impl PerBudget {
    pub const ZERO: PerBudget = PerBudget {
        email_day: 0,
        account_day: 0,
        account_month: 0,
        account_minute: 0,
    };

    pub fn of(&self, budget: Budget) -> u32 {
        let mut copy = *self;
        *copy.slot(budget)
    }

    /// Only the limits of the budgets `keep` picks; the others read as no limit.
    pub fn only(&self, keep: impl Fn(Budget) -> bool) -> PerBudget {
        let mut only = PerBudget::ZERO;
        for budget in Budget::ALL.into_iter().filter(|&b| keep(b)) {
            *only.slot(budget) = self.of(budget);
        }
        only
    }

    pub fn slot(&mut self, budget: Budget) -> &mut u32 {
        match budget {
            Budget::EmailDay => &mut self.email_day,
            Budget::AccountDay => &mut self.account_day,
            Budget::AccountMonth => &mut self.account_month,
            Budget::AccountMinute => &mut self.account_minute,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Budget {
    /// Positions one mailbox is invited to per day, counted in its bucket.
    EmailDay,
    /// Invites of the whole account per day, month and minute, counted by the account.
    AccountDay,
    AccountMonth,
    AccountMinute,
}

impl Budget {
    pub const ALL: [Budget; 4] = [
        Budget::EmailDay,
        Budget::AccountDay,
        Budget::AccountMonth,
        Budget::AccountMinute,
    ];

    pub const ACCOUNT: [Budget; 3] = [
        Budget::AccountDay,
        Budget::AccountMonth,
        Budget::AccountMinute,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn in_account(self) -> bool {
        self != Budget::EmailDay
    }

    pub fn span(self) -> Span {
        match self {
            Budget::EmailDay | Budget::AccountDay => Span::Day,
            Budget::AccountMonth => Span::Month,
            Budget::AccountMinute => Span::Minute,
        }
    }
}

/// What the ledger holds about this mailbox and position before deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorInvite {
    None,
    SameSpelling,
    OtherSpelling,
    /// This very address's invite is at Hireflix until then: no second call meanwhile.
    InFlight {
        until_ms: u64,
    },
    /// This address's last call ended without proof either way (a timeout, a 5xx): its
    /// reservation is still counted, and this try settles it.
    Unsettled {
        reservation: u64,
    },
}

/// The rule, in order: one invite per mailbox and position whatever else holds; no call while
/// the quota is known spent (`probe_at_ms`: the time it may be tried again); then every budget
/// must have room. A new reservation's id (0 here) and the warnings are the object's.
pub fn admit(
    earlier: PriorInvite,
    probe_at_ms: Option<u64>,
    counts: &Counts,
    limits: &Limits,
    windows: &Windows,
    now_ms: u64,
) -> Answer {
    let unsettled = match earlier {
        PriorInvite::SameSpelling => return Answer::Resubmission,
        PriorInvite::OtherSpelling => return Answer::OtherSpelling,
        PriorInvite::InFlight { until_ms } => return Answer::InFlight { until_ms },
        PriorInvite::Unsettled { reservation } => Some(reservation),
        PriorInvite::None => None,
    };
    if let Some(until_ms) = probe_at_ms.filter(|&probe_at| now_ms < probe_at) {
        return Answer::QuotaHeld {
            until_ms,
            warn: false,
        };
    }
    // `probing`: the quota's hold has run out; this invite finds out whether it is back.
    let granted = |reservation, settles| Answer::Granted {
        reservation,
        probing: probe_at_ms.is_some(),
        settles,
        at_ms: now_ms,
    };
    // Already counted: a full budget does not hold back the retry that settles it.
    if let Some(reservation) = unsettled {
        return granted(reservation, true);
    }
    let reached: Vec<Reached> = Budget::ALL
        .into_iter()
        .filter(|&b| limits.of(b) > 0 && counts.of(b) >= limits.of(b))
        .map(|budget| Reached {
            budget,
            limit: limits.of(budget),
            reopens_ms: windows.bounds(budget.span(), now_ms).end_ms,
            warn: false,
        })
        .collect();
    match reached.iter().map(|r| r.reopens_ms).max() {
        Some(until_ms) => Answer::Parked { until_ms, reached },
        None => granted(0, false),
    }
}

/// How long a parked application waits in the queue: until its window reopens, within the
/// queue's longest delay (it is checked again then), and at least a second.
pub fn park_seconds(until_ms: u64, now_ms: u64) -> u32 {
    let seconds = until_ms.saturating_sub(now_ms).div_ceil(1_000);
    let longest = u64::from(crate::pace::MAX_QUEUE_DELAY_SECONDS);
    u32::try_from(seconds.clamp(1, longest)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::window::Bounds;
    use proptest::prelude::*;

    const NOW: u64 = 1_771_065_000_000; // 2026-02-14T10:30Z

    fn granted(reservation: u64, probing: bool, settles: bool, at_ms: u64) -> Answer {
        Answer::Granted {
            reservation,
            probing,
            settles,
            at_ms,
        }
    }

    fn limits(email_day: u32, account_day: u32, account_month: u32) -> Limits {
        Limits {
            email_day,
            account_day,
            account_month,
            account_minute: 0,
        }
    }

    #[test]
    fn another_spelling_is_never_invited_again_even_with_room() {
        let none = Counts::ZERO;
        let l = Limits::default();
        let w = Windows::REAL;
        assert_eq!(
            admit(PriorInvite::OtherSpelling, None, &none, &l, &w, NOW),
            Answer::OtherSpelling
        );
        assert_eq!(
            admit(PriorInvite::SameSpelling, None, &none, &l, &w, NOW),
            Answer::Resubmission
        );
        assert_eq!(
            admit(PriorInvite::None, None, &none, &l, &w, NOW),
            granted(0, false, false, NOW)
        );
    }

    #[test]
    fn a_full_budget_parks_until_its_window_reopens() {
        let counts = Counts {
            account_minute: 10,
            ..Counts::ZERO
        };
        let Answer::Parked { until_ms, reached } = admit(
            PriorInvite::None,
            None,
            &counts,
            &Limits::default(),
            &Windows::REAL,
            NOW,
        ) else {
            panic!()
        };
        assert_eq!(until_ms, 1_771_065_060_000); // 10:31Z
        assert_eq!(reached.len(), 1);
        assert_eq!(reached[0].budget, Budget::AccountMinute);
    }

    #[test]
    fn with_several_budgets_full_it_waits_for_the_last_to_reopen() {
        let counts = Counts {
            email_day: 3,
            account_day: 0,
            account_month: 50,
            account_minute: 1,
        };
        let Answer::Parked { until_ms, reached } = admit(
            PriorInvite::None,
            None,
            &counts,
            &Limits {
                account_minute: 1,
                ..limits(3, 0, 50)
            },
            &Windows::REAL,
            NOW,
        ) else {
            panic!()
        };
        assert_eq!(until_ms, 1_772_323_200_000); // 2026-03-01
        let names: Vec<_> = reached.iter().map(|r| r.budget.as_str()).collect();
        assert_eq!(names, ["email_day", "account_month", "account_minute"]);
    }

    #[test]
    fn zero_means_no_limit() {
        let counts = Counts {
            email_day: 1_000,
            account_day: 1_000,
            account_month: 1_000,
            account_minute: 1_000,
        };
        assert_eq!(
            admit(
                PriorInvite::None,
                None,
                &counts,
                &limits(0, 0, 0),
                &Windows::REAL,
                NOW
            ),
            granted(0, false, false, NOW)
        );
    }

    #[test]
    fn a_spent_quota_holds_every_new_invite_until_its_probe_time() {
        let hold = Some(NOW + 5);
        let c = Counts::ZERO;
        let (l, w) = (Limits::default(), Windows::REAL);
        assert_eq!(
            admit(PriorInvite::None, hold, &c, &l, &w, NOW),
            Answer::QuotaHeld {
                until_ms: NOW + 5,
                warn: false
            }
        );
        assert_eq!(
            admit(PriorInvite::None, hold, &c, &l, &w, NOW + 5),
            granted(0, true, false, NOW + 5)
        );
        // Someone already invited is told so, quota or not.
        assert_eq!(
            admit(PriorInvite::OtherSpelling, hold, &c, &l, &w, NOW),
            Answer::OtherSpelling
        );
    }

    #[test]
    fn a_call_in_flight_is_waited_for_and_an_unsettled_one_retried_on_its_own_reservation() {
        let full = Counts {
            email_day: 3,
            ..Counts::ZERO
        };
        let (l, w) = (Limits::default(), Windows::REAL);
        let flying = PriorInvite::InFlight { until_ms: NOW + 9 };
        assert_eq!(
            admit(flying, None, &Counts::ZERO, &l, &w, NOW),
            Answer::InFlight { until_ms: NOW + 9 }
        );
        // Already counted: a full budget does not hold back the retry that settles it.
        let unsettled = PriorInvite::Unsettled { reservation: 4 };
        assert_eq!(
            admit(unsettled, None, &full, &l, &w, NOW),
            granted(4, false, true, NOW)
        );
        let hold = Some(NOW + 5);
        assert_eq!(
            admit(unsettled, hold, &full, &l, &w, NOW),
            Answer::QuotaHeld {
                until_ms: NOW + 5,
                warn: false
            }
        );
    }

    #[test]
    fn parking_waits_whole_seconds_within_the_queue_limit() {
        assert_eq!(park_seconds(NOW + 1_001, NOW), 2);
        assert_eq!(park_seconds(NOW, NOW), 1);
        assert_eq!(park_seconds(NOW - 10, NOW), 1);
        assert_eq!(park_seconds(NOW + 40 * 86_400_000, NOW), 43_200);
    }

    /// The ledger as SQLite holds it, in memory: (mailbox, spelling, position, at_ms).
    #[derive(Default)]
    struct Model {
        rows: Vec<(u8, u8, u8, u64)>,
    }

    impl Model {
        fn count(&self, f: impl Fn(&(u8, u8, u8, u64)) -> bool, b: Bounds) -> u32 {
            let n = self
                .rows
                .iter()
                .filter(|r| f(r) && b.start_ms <= r.3 && r.3 < b.end_ms)
                .count();
            u32::try_from(n).unwrap()
        }
    }

    proptest! {
        /// Whatever arrives, in whatever order: never more invites per window than each budget,
        /// never two per mailbox and position, and a parked application always has a reason.
        #[test]
        fn no_budget_is_ever_exceeded(
            asks in prop::collection::vec((0u8..4, 0u8..3, 0u8..3, 0u64..20_000), 1..120),
            l in (0u32..4, 0u32..6, 0u32..8, 0u32..3),
        ) {
            let limits = Limits { account_minute: l.3, ..limits(l.0, l.1, l.2) };
            let w = Windows { hour_seconds: 2, day_seconds: 6, month_seconds: 12 };
            let mut asks = asks;
            asks.sort_by_key(|a| a.3);
            let mut model = Model::default();
            for (mailbox, spelling, position, now) in asks {
                let earlier = match model.rows.iter().find(|r| r.0 == mailbox && r.2 == position) {
                    None => PriorInvite::None,
                    Some(r) if r.1 == spelling => PriorInvite::SameSpelling,
                    Some(_) => PriorInvite::OtherSpelling,
                };
                let bounds = |s| w.bounds(s, now);
                let counts = Counts {
                    email_day: model.count(|r| r.0 == mailbox, bounds(Span::Day)),
                    account_day: model.count(|_| true, bounds(Span::Day)),
                    account_month: model.count(|_| true, bounds(Span::Month)),
                    account_minute: model.count(|_| true, bounds(Span::Minute)),
                };
                match admit(earlier, None, &counts, &limits, &w, now) {
                    Answer::Granted { .. } => model.rows.push((mailbox, spelling, position, now)),
                    Answer::Parked { until_ms, reached } => {
                        prop_assert!(until_ms > now);
                        prop_assert!(!reached.is_empty());
                    }
                    _ => prop_assert!(earlier != PriorInvite::None),
                }
            }
            for &(mailbox, _, position, at) in &model.rows {
                prop_assert_eq!(model.rows.iter().filter(|r| r.0 == mailbox && r.2 == position).count(), 1);
                for b in Budget::ALL {
                    let limit = limits.of(b);
                    if limit == 0 { continue; }
                    let window = w.bounds(b.span(), at);
                    let n = match b {
                        Budget::EmailDay => model.count(|r| r.0 == mailbox, window),
                        _ => model.count(|_| true, window),
                    };
                    prop_assert!(n <= limit, "{:?}: {} > {}", b, n, limit);
                }
            }
        }
    }
}
