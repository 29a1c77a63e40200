//! Leases of invites from the account to an isolate: the account counts a few invites at once,
//! as if made, and the isolate spends them without asking again, so the account hears from
//! each isolate a few times a minute at a surge's peak. An unused one is given back with the
//! isolate's next take (lost only if the isolate goes). One spent while the quota is held is
//! safe: every Hireflix call first takes a slot from `crate::pace`, which holds the quota too.

use super::budget::{Budget, Counts, Limits};
use super::window::Windows;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};

/// A lease lives at most this long: unused invites come back, and a changed limit is seen.
const AT_MOST_MS: u64 = 10_000;

/// With no account budget set: at 1,000 new invites a second over a few dozen isolates, a few
/// account calls a second.
const UNBUDGETED: u32 = 16;

/// At most a twentieth of a limit, so twenty isolates' unused leases cannot lock up a budget.
const SHARE: u32 = 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub invites: u32,
    pub until_ms: u64,
}

/// How many invites an isolate asks for with a take.
pub fn size(limits: &Limits) -> u32 {
    Budget::ACCOUNT
        .into_iter()
        .filter(|&b| limits.of(b) > 0)
        .fold(UNBUDGETED, |n, b| n.min(limits.of(b) / SHARE))
}

/// How many of `asked` the account grants, with `counts` already holding this call's takes.
/// None while the quota is held (a probe must be one invite) or while rows recorded before the
/// buckets remain (their uniqueness is checked per invite).
pub fn grant(asked: u32, counts: &Counts, limits: &Limits, quota_held: bool, legacy: bool) -> u32 {
    if quota_held || legacy {
        return 0;
    }
    Budget::ACCOUNT
        .into_iter()
        .filter(|&b| limits.of(b) > 0)
        .map(|b| limits.of(b).saturating_sub(counts.of(b)))
        .fold(asked.min(size(limits)), u32::min)
}

/// Never past the end of any account window holding `now_ms`: every leased invite falls in
/// the windows it was counted in, and gives back into them exactly.
pub fn until(windows: &Windows, now_ms: u64) -> u64 {
    Budget::ACCOUNT
        .into_iter()
        .map(|b| windows.bounds(b.span(), now_ms).end_ms)
        .fold(now_ms.saturating_add(AT_MOST_MS), u64::min)
}

impl Lease {
    fn spend(&mut self, n: u32, now_ms: u64) -> u32 {
        if now_ms >= self.until_ms {
            return 0;
        }
        let spent = n.min(self.invites);
        self.invites -= spent;
        spent
    }

    /// An ended lease's unused invites, each `(a time in its windows, "")` as released invites
    /// are given back (one decoder in the wasm); it holds none after.
    fn unused(&mut self, now_ms: u64) -> Vec<(u64, String)> {
        if now_ms < self.until_ms {
            return Vec::new();
        }
        let at = self.until_ms.saturating_sub(1);
        let back = (0..self.invites).map(|_| (at, String::new())).collect();
        *self = Lease::default();
        back
    }
}

thread_local! {
    static HELD: Cell<Lease> = const { Cell::new(Lease { invites: 0, until_ms: 0 }) };
    /// The rest of the leases a newer one replaced, to give back with the next take.
    static REPLACED: RefCell<Vec<(u64, String)>> = const { RefCell::new(Vec::new()) };
    /// Until when this isolate's take for a lease may be at the account (0: none is).
    static ASKING: Cell<u64> = const { Cell::new(0) };
}

fn with<T>(f: impl FnOnce(&mut Lease) -> T) -> T {
    HELD.with(|held| {
        let mut lease = held.get();
        let out = f(&mut lease);
        held.set(lease);
        out
    })
}

pub(super) fn spend(n: u32, now_ms: u64) -> u32 {
    with(|l| l.spend(n, now_ms))
}

/// Whether a post that has just spent from the lease asks for the next one now: a large lease
/// at half spent, so the others spend the rest while it comes; a small one once spent.
pub(super) fn due(size: u32, now_ms: u64) -> bool {
    const LARGE: u32 = 8;
    size >= LARGE && with(|l| now_ms >= l.until_ms || l.invites <= size / 2)
}

pub(super) fn unused(now_ms: u64) -> Vec<(u64, String)> {
    let mut back = REPLACED.with(|r| r.take());
    back.extend(with(|l| l.unused(now_ms)));
    back
}

/// A new lease replaces the held one, whose rest is given back in its own windows.
pub(super) fn keep(lease: Lease) {
    if lease.invites > 0 {
        // Ended by the new one, whatever its time.
        let rest = with(|l| std::mem::replace(l, lease).unused(u64::MAX));
        REPLACED.with(|r| r.borrow_mut().extend(rest));
    }
}

/// This isolate's take for a lease, while at the account: one post asks, the others spend the
/// rest (with each post asking, a third of the invites asked the account at 16 in flight).
pub(super) struct Asking;

impl Asking {
    /// `None` while another take for a lease is in flight.
    pub(super) fn start(now_ms: u64, deadline_ms: u64) -> Option<Asking> {
        (now_ms >= ASKING.get()).then(|| {
            ASKING.set(deadline_ms);
            Asking
        })
    }
}

impl Drop for Asking {
    fn drop(&mut self) {
        ASKING.set(0);
    }
}

/// A refusal (a full budget, the quota) ends the lease: nothing is spent past it.
pub(super) fn end(now_ms: u64) {
    with(|l| l.until_ms = l.until_ms.min(now_ms));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    const NOW: u64 = 1_771_065_055_000; // 2026-02-14T10:30:55Z

    fn limits(day: u32, month: u32, minute: u32) -> Limits {
        Limits {
            email_day: 3,
            account_day: day,
            account_month: month,
            account_minute: minute,
        }
    }

    #[test]
    fn a_lease_is_a_twentieth_of_the_smallest_limit_and_none_under_twenty() {
        assert_eq!(
            size(&limits(0, 0, 0)),
            16,
            "no account budget: a full lease"
        );
        assert_eq!(size(&limits(200, 0, 0)), 10);
        assert_eq!(size(&limits(1_000_000, 0, 100)), 5);
        assert_eq!(
            size(&Limits::default()),
            0,
            "the shipped 10 a minute: per invite"
        );
    }

    #[test]
    fn a_lease_is_granted_from_room_only_without_quota_hold_or_recorded_rows() {
        let l = limits(100, 0, 0);
        let counts = Counts {
            account_day: 97,
            ..Counts::ZERO
        };
        assert_eq!(
            grant(16, &counts, &l, false, false),
            3,
            "only the room left"
        );
        assert_eq!(
            grant(16, &Counts::ZERO, &l, false, false),
            5,
            "at most size"
        );
        assert_eq!(grant(16, &Counts::ZERO, &l, true, false), 0, "quota held");
        assert_eq!(
            grant(16, &Counts::ZERO, &l, false, true),
            0,
            "rows before buckets"
        );
        assert_eq!(grant(16, &counts, &limits(0, 0, 0), false, false), 16);
    }

    #[test]
    fn a_lease_ends_within_ten_seconds_and_with_the_first_window_to_end() {
        assert_eq!(
            until(&Windows::REAL, NOW),
            NOW + 5_000,
            "the minute ends first"
        );
        assert_eq!(until(&Windows::REAL, NOW - 30_000), NOW - 20_000);
        let mut lease = Lease {
            invites: 3,
            until_ms: NOW,
        };
        assert_eq!(lease.spend(2, NOW - 1), 2);
        assert_eq!(lease.spend(2, NOW), 0, "ended");
        assert_eq!(lease.unused(NOW - 1), [], "not ended yet");
        assert_eq!(lease.unused(NOW), [(NOW - 1, String::new())]);
        assert_eq!(lease.unused(NOW), [], "given back once");
    }

    #[test]
    fn one_take_for_a_lease_at_a_time_until_it_ends_or_its_deadline_passes() {
        let first = Asking::start(NOW, NOW + 2_000);
        assert!(first.is_some());
        assert!(
            Asking::start(NOW + 1, NOW + 2_001).is_none(),
            "one in flight"
        );
        drop(first);
        let vanished = Asking::start(NOW + 2, NOW + 2_002);
        assert!(vanished.is_some(), "the first ended");
        std::mem::forget(vanished);
        assert!(Asking::start(NOW + 2_001, NOW + 4_001).is_none());
        assert!(
            Asking::start(NOW + 2_002, NOW + 4_002).is_some(),
            "a take whose request vanished holds nobody past its deadline"
        );
    }

    #[test]
    fn a_replaced_lease_gives_its_rest_back_in_its_own_windows() {
        keep(Lease {
            invites: 3,
            until_ms: NOW + 10,
        });
        assert_eq!(spend(1, NOW), 1);
        assert_eq!(HELD.get().invites, 2);
        keep(Lease {
            invites: 16,
            until_ms: NOW + 20,
        });
        assert_eq!(HELD.get().invites, 16);
        assert_eq!(unused(NOW), vec![(NOW + 9, String::new()); 2]);
        assert_eq!(unused(NOW), [], "given back once");
    }

    proptest! {
        /// Isolates spending leases and taking one by one, the account granting and taking
        /// back unused invites: whatever the order, no window of a limited budget holds more
        /// invites made than its limit.
        #[test]
        fn leased_and_taken_never_pass_a_limit(
            posts in prop::collection::vec((0usize..3, 1u32..4, 0u64..200_000), 1..150),
            l in (0u32..60, 0u32..80, 0u32..50),
            refusals in prop::collection::vec(any::<bool>(), 150),
        ) {
            let limits = limits(l.0, l.1, l.2);
            let w = Windows { hour_seconds: 2, day_seconds: 7, month_seconds: 30 };
            let mut posts = posts;
            posts.sort_by_key(|p| p.2);
            let mut counters: HashMap<(&str, u64), u32> = HashMap::new();
            let account = Budget::ALL.into_iter().filter(|b| b.in_account());
            let count = |at: u64, delta: i64, counters: &mut HashMap<(&str, u64), u32>| {
                for b in account.clone() {
                    let c = counters.entry((b.as_str(), w.bounds(b.span(), at).start_ms)).or_default();
                    *c = u32::try_from((i64::from(*c) + delta).max(0)).unwrap();
                }
            };
            let mut leases = [Lease::default(); 3];
            let mut made = Vec::new();
            for (&(isolate, n, now), refuse) in posts.iter().zip(refusals) {
                let lease = &mut leases[isolate];
                let leased = lease.spend(n, now);
                made.extend((0..leased).map(|_| now));
                if leased == n {
                    continue;
                }
                for (at, _) in lease.unused(now) {
                    count(at, -1, &mut counters);
                }
                let counts_at = |counters: &HashMap<(&str, u64), u32>| {
                    let mut counts = Counts::ZERO;
                    for b in account.clone() {
                        *counts.slot(b) = counters.get(&(b.as_str(), w.bounds(b.span(), now).start_ms)).copied().unwrap_or(0);
                    }
                    counts
                };
                for _ in leased..n {
                    let counts = counts_at(&counters);
                    if account.clone().all(|b| limits.of(b) == 0 || counts.of(b) < limits.of(b)) {
                        count(now, 1, &mut counters);
                        made.push(now);
                    } else {
                        lease.until_ms = lease.until_ms.min(now);
                    }
                }
                // A refusal for quota now and then: no lease, and the held one ends.
                let granted = grant(size(&limits), &counts_at(&counters), &limits, refuse, false);
                if granted > 0 {
                    count(now, i64::from(granted), &mut counters);
                    *lease = Lease { invites: granted, until_ms: until(&w, now) };
                }
            }
            for &at in &made {
                for b in account.clone().filter(|&b| limits.of(b) > 0) {
                    let window = w.bounds(b.span(), at);
                    let n = made.iter().filter(|&&t| window.start_ms <= t && t < window.end_ms).count();
                    prop_assert!(n <= limits.of(b) as usize, "{:?}: {} > {}", b, n, limits.of(b));
                }
            }
        }
    }
}
