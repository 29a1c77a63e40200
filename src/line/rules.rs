//! The waiting room's arithmetic, pure (no worker types), so the object, the tests and the
//! native surge simulation (`examples/surge.rs`) all run the same rules.
//!
//! A position may make `limit` invites per window (`INVITES_PER_POSITION_PER_HOUR`). While its
//! line is empty and the window has room, an application goes at once. Otherwise it waits in
//! line, first come first served, and the line releases one application per slot: the k-th
//! invite of a window no earlier than `window start + k × window / limit` (one every 36 s at
//! 100 an hour), never all at the window's first second. A place's time is therefore known
//! the moment it is given, and it is what the candidate is told.

use serde::{Deserialize, Serialize};

/// What every call carries: the worker's current settings, so the object needs none of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Invites to the position per window; 0: no limit, and so never a line.
    pub limit: u32,
    /// `MAX_WAITING_PER_POSITION`: past it, applications are paused, not stored.
    pub max_waiting: u32,
    /// `MAX_WAIT_HOURS` in milliseconds: no place is given that would wait longer, and an entry
    /// that has waited longer is set aside as a dead letter.
    pub max_wait_ms: u64,
    /// The window's length: an hour, or less in tests.
    pub window_ms: u64,
}

/// The line as its object holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Line {
    /// The window the count is of (aligned on multiples of its length since the epoch, as the
    /// ledger's windows are).
    pub window_start_ms: u64,
    /// Invites counted in that window: admitted at once, and released from the line.
    pub counted: u32,
    /// Applications in line.
    pub waiting: u32,
}

/// The answer to an application that is not in line yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Admission {
    /// The line is empty and the window has room: counted now, go on to the invite.
    Go,
    /// In line at `place` (1: next), released by `expected_by_ms`.
    Wait { place: u32, expected_by_ms: u64 },
    /// Full, or the wait would pass the maximum: nothing stored; try again in this long.
    Paused { retry_after_s: u32 },
}

impl Settings {
    /// The time between two releases: the window shared out evenly, so `limit` slots fit in it.
    pub fn interval_ms(&self) -> u64 {
        (self.window_ms / u64::from(self.limit.max(1))).max(1)
    }

    fn window_start(&self, now_ms: u64) -> u64 {
        now_ms - now_ms % self.window_ms.max(1)
    }
}

impl Line {
    /// The line as of `now_ms`: a new window starts its count at zero.
    pub fn at(self, s: &Settings, now_ms: u64) -> Line {
        let start = s.window_start(now_ms);
        if start == self.window_start_ms {
            self
        } else {
            Line {
                window_start_ms: start,
                counted: 0,
                ..self
            }
        }
    }
}

/// The rule for an application not in line: go, wait (at the back), or try later.
pub fn admit(line: Line, s: &Settings, now_ms: u64) -> Admission {
    let line = line.at(s, now_ms);
    if s.limit == 0 || (line.waiting == 0 && line.counted < s.limit) {
        return Admission::Go;
    }
    if line.waiting >= s.max_waiting {
        // A place frees when the head is released.
        let frees = release_at(line, 1, s, now_ms);
        return paused(frees, now_ms);
    }
    let place = line.waiting.saturating_add(1);
    let at = release_at(line, place, s, now_ms);
    if at.saturating_sub(now_ms) > s.max_wait_ms {
        // This slot's time does not move as the line moves: whoever comes once it is within
        // the maximum wait gets it.
        paused(at.saturating_sub(s.max_wait_ms), now_ms)
    } else {
        Admission::Wait {
            place,
            expected_by_ms: at,
        }
    }
}

fn paused(at_ms: u64, now_ms: u64) -> Admission {
    Admission::Paused {
        retry_after_s: seconds_until(at_ms, now_ms),
    }
}

/// Whole seconds until `at_ms`, at least one.
pub fn seconds_until(at_ms: u64, now_ms: u64) -> u32 {
    let seconds = at_ms.saturating_sub(now_ms).div_ceil(1_000).max(1);
    u32::try_from(seconds).unwrap_or(u32::MAX)
}

/// When the application at `place` (1: the head) is released, if the settings hold: the
/// slots left in this window, then `limit` slots in each window after it.
pub fn release_at(line: Line, place: u32, s: &Settings, now_ms: u64) -> u64 {
    if s.limit == 0 {
        return now_ms;
    }
    let line = line.at(s, now_ms);
    let (limit, interval) = (u64::from(s.limit), s.interval_ms());
    let counted = u64::from(line.counted);
    let left = limit.saturating_sub(counted);
    let place = u64::from(place.max(1));
    let start = line.window_start_ms;
    if place <= left {
        // A slot already passed (an alarm that woke late) is used now.
        let slot = counted + place - 1;
        return now_ms.max(start.saturating_add(slot.saturating_mul(interval)));
    }
    let later = place - left - 1;
    let windows = later / limit + 1;
    start
        .saturating_add(windows.saturating_mul(s.window_ms.max(1)))
        .saturating_add((later % limit).saturating_mul(interval))
}

/// When the object's alarm should next wake: the head's slot; `None` with nobody in line.
pub fn next_release(line: Line, s: &Settings, now_ms: u64) -> Option<u64> {
    (line.waiting > 0).then(|| release_at(line, 1, s, now_ms))
}

/// An entry that joined at `joined_ms` has waited longer than the maximum: it is set aside,
/// never invited weeks late.
pub fn waited_too_long(joined_ms: u64, s: &Settings, now_ms: u64) -> bool {
    now_ms.saturating_sub(joined_ms) > s.max_wait_ms
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: u64 = 3_600_000;
    /// 2026-02-14T10:00Z, a window's start.
    const TEN: u64 = 1_771_063_200_000;

    fn shipped() -> Settings {
        Settings {
            limit: 100,
            max_waiting: 1_000,
            max_wait_ms: 72 * HOUR,
            window_ms: HOUR,
        }
    }

    fn line(counted: u32, waiting: u32) -> Line {
        Line {
            window_start_ms: TEN,
            counted,
            waiting,
        }
    }

    #[test]
    fn an_empty_line_with_room_goes_at_once_and_a_full_window_starts_the_line() {
        let s = shipped();
        assert_eq!(admit(line(99, 0), &s, TEN + 60_000), Admission::Go);
        // The hour is spent: first in line, released at the next hour's first slot.
        assert_eq!(
            admit(line(100, 0), &s, TEN + 60_000),
            Admission::Wait {
                place: 1,
                expected_by_ms: TEN + HOUR
            }
        );
        // Room in the window, but people are waiting: no overtaking.
        assert_eq!(
            admit(line(3, 5), &s, TEN + 10),
            Admission::Wait {
                place: 6,
                expected_by_ms: TEN + 8 * 36_000
            }
        );
        // No limit: no line.
        let free = Settings { limit: 0, ..s };
        assert_eq!(admit(line(1_000, 0), &free, TEN), Admission::Go);
    }

    #[test]
    fn releases_are_paced_one_interval_apart_across_windows() {
        let s = shipped();
        assert_eq!(s.interval_ms(), 36_000);
        let full = line(100, 250);
        let at = |place| release_at(full, place, &s, TEN + 5);
        assert_eq!(at(1), TEN + HOUR);
        assert_eq!(at(2), TEN + HOUR + 36_000);
        assert_eq!(at(100), TEN + HOUR + 99 * 36_000);
        assert_eq!(at(101), TEN + 2 * HOUR);
        assert_eq!(at(250), TEN + 3 * HOUR + 49 * 36_000);
        // Next window, three released so far: the fourth slot.
        let later = Line {
            window_start_ms: TEN + HOUR,
            counted: 3,
            waiting: 10,
        };
        assert_eq!(
            next_release(later, &s, TEN + HOUR + 1),
            Some(TEN + HOUR + 3 * 36_000)
        );
        // An alarm that woke late releases now, not in the past.
        assert_eq!(
            release_at(later, 1, &s, TEN + HOUR + 500_000),
            TEN + HOUR + 500_000
        );
        assert_eq!(next_release(line(100, 0), &s, TEN), None);
    }

    #[test]
    fn a_stale_count_is_of_a_window_gone_by() {
        let s = shipped();
        assert_eq!(admit(line(100, 0), &s, TEN + HOUR), Admission::Go);
        assert_eq!(line(100, 4).at(&s, TEN + HOUR + 1), {
            Line {
                window_start_ms: TEN + HOUR,
                counted: 0,
                waiting: 4,
            }
        });
    }

    #[test]
    fn a_full_line_pauses_until_a_place_frees_and_a_long_wait_until_it_would_be_short_enough() {
        let s = Settings {
            max_waiting: 10,
            ..shipped()
        };
        assert_eq!(
            admit(line(100, 10), &s, TEN + HOUR - 10_000),
            Admission::Paused { retry_after_s: 10 }
        );
        let short = Settings {
            max_wait_ms: 2 * HOUR,
            max_waiting: 1_000,
            ..s
        };
        // Place 201 is released at 13:00; with at most 2 hours' wait it is given from 11:00.
        let now = TEN + 60_000;
        assert_eq!(release_at(line(100, 200), 201, &short, now), TEN + 3 * HOUR);
        assert_eq!(
            admit(line(100, 200), &short, now),
            Admission::Paused {
                retry_after_s: 3_540
            }
        );
        // Place 102 is released at 12:00:36, within two hours of 10:01; place 103 is not.
        assert_eq!(
            admit(line(100, 101), &short, now),
            Admission::Wait {
                place: 102,
                expected_by_ms: TEN + 2 * HOUR + 36_000
            }
        );
        assert!(matches!(
            admit(line(100, 102), &short, now),
            Admission::Paused { .. }
        ));
    }

    #[test]
    fn an_entry_past_the_maximum_wait_is_set_aside() {
        let s = shipped();
        assert!(!waited_too_long(TEN, &s, TEN + 72 * HOUR));
        assert!(waited_too_long(TEN, &s, TEN + 72 * HOUR + 1));
        assert_eq!(seconds_until(TEN + 1_001, TEN), 2);
        assert_eq!(seconds_until(TEN, TEN + 5), 1);
    }

    proptest! {
        /// Arrivals at any times, the object run as the rules say (admit, alarm at each
        /// `next_release`): never more than `limit` invites in a window, releases in arrival
        /// order, each within its promised time, and the line never over its cap.
        #[test]
        fn the_line_keeps_every_promise(
            gaps in prop::collection::vec(0u64..3_000, 1..300),
            limit in 1u32..6, max_waiting in 1u32..40, max_wait in 1u64..20,
        ) {
            let s = Settings { limit, max_waiting, max_wait_ms: max_wait * 10_000, window_ms: 10_000 };
            let mut state = Line::default();
            let mut queue: std::collections::VecDeque<(usize, u64, u64)> = Default::default();
            let mut invites: Vec<(usize, u64)> = Vec::new();
            let mut now = TEN;
            // The object's alarm: each release at the head's slot, as of the last event.
            let release_due = |state: &mut Line, queue: &mut std::collections::VecDeque<(usize, u64, u64)>, invites: &mut Vec<(usize, u64)>, clock: &mut u64, until: u64| {
                while let Some(at) = next_release(*state, &s, *clock) {
                    if at > until { break; }
                    *clock = at;
                    *state = state.at(&s, at);
                    let (id, _, promised) = queue.pop_front().unwrap();
                    assert_eq!(at, promised, "released when promised");
                    state.waiting -= 1;
                    state.counted += 1;
                    invites.push((id, at));
                }
            };
            let mut clock = now;
            for (id, gap) in gaps.into_iter().enumerate() {
                now += gap;
                release_due(&mut state, &mut queue, &mut invites, &mut clock, now);
                clock = now;
                state = state.at(&s, now);
                match admit(state, &s, now) {
                    Admission::Go => { state.counted += 1; invites.push((id, now)); }
                    Admission::Wait { place, expected_by_ms } => {
                        prop_assert_eq!(place, state.waiting + 1);
                        prop_assert!(expected_by_ms - now <= s.max_wait_ms);
                        state.waiting += 1;
                        queue.push_back((id, now, expected_by_ms));
                    }
                    Admission::Paused { retry_after_s } => prop_assert!(retry_after_s >= 1),
                }
                prop_assert!(state.waiting <= max_waiting);
            }
            release_due(&mut state, &mut queue, &mut invites, &mut clock, u64::MAX / 4);
            prop_assert!(queue.is_empty());
            let ids: Vec<usize> = invites.iter().map(|i| i.0).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            prop_assert_eq!(ids, sorted, "first come, first served");
            for &(_, at) in &invites {
                let start = at - at % s.window_ms;
                let n = invites.iter().filter(|i| i.1 >= start && i.1 < start + s.window_ms).count();
                prop_assert!(n <= limit as usize);
            }
        }
    }
}
