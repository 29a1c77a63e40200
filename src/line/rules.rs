//! The waiting room's arithmetic, pure (the object, the tests and `examples/surge.rs` run the
//! same rules), and its protocol. The line counts its invites in every budget's window and lets
//! one go only while all have room (one the account refused would be parked past its promise);
//! otherwise it waits, first come first served, and the k-th invite of an hour goes no earlier
//! than `hour start + k × hour / limit`: a place's time is known, and told, when it is given
//! (`docs/operations.md`, "Waiting room").

pub use crate::ledger::window::{Span, Windows};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// In the order of `Settings::limits` and `Line::counted`, named as the ledger's log names them.
const BUDGETS: [(Span, &str); 4] = [
    (Span::Hour, "position_hour"),
    (Span::Minute, "account_minute"),
    (Span::Day, "account_day"),
    (Span::Month, "account_month"),
];

/// In every call (the object keeps the last, for its alarm): `"limits":[100,10,50,200],
/// "windows":[3600,86400,0],"maxWaiting":1000,"maxWaitMs":..`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Per window (0: no limit): the position's hour (0: no line), the account's minute, day, month.
    pub limits: [u32; 4],
    #[serde(with = "windows")]
    pub windows: Windows,
    pub max_waiting: u32,
    /// No place waits longer; an entry that did is set aside.
    pub max_wait_ms: u64,
}

/// `{"mailbox":"<hmac>","body":{the queued invite, sent on at its turn},<settings>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admit<B> {
    /// The mailbox's HMAC: a resubmission in any spelling finds its place again.
    pub mailbox: String,
    pub body: B,
    /// Read apart by the object: a flattened decoder costs 2 KB of gzipped wasm.
    #[serde(flatten, skip_deserializing)]
    pub settings: Settings,
}

impl Admit<Value> {
    /// The queued invite must be a JSON object.
    pub fn read(call: &str) -> Option<Self> {
        let call: Value = serde_json::from_str(call).ok()?;
        let admit = Admit::<Value>::deserialize(&call).ok();
        let admit = admit.filter(|a| a.body.is_object())?;
        let settings = Settings::deserialize(&call).ok()?;
        Some(Admit { settings, ..admit })
    }
}

/// Erasure, `{"forget":"<hmac>"}`: answered with the address typed in each entry that went
/// (none or one), `["v.ictim+jobs@googlemail.com"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forget {
    pub forget: String,
}

/// [`Settings::windows`] as `[hour, day, month]` seconds.
mod windows {
    use super::*;

    pub fn serialize<S: Serializer>(w: &Windows, s: S) -> Result<S::Ok, S::Error> {
        [w.hour_seconds, w.day_seconds, w.month_seconds].serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Windows, D::Error> {
        let [hour_seconds, day_seconds, month_seconds] = <[u32; 3]>::deserialize(d)?;
        Ok(Windows {
            hour_seconds,
            day_seconds,
            month_seconds,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Line {
    /// Where each budget's current window starts, and the line's invites counted in it.
    pub starts: [u64; 4],
    pub counted: [u32; 4],
    pub waiting: u32,
}

/// `"go"`, `{"wait":{"place":4,"expectedByMs":..}}` or `{"paused":{"retryAfterS":36}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Admission {
    /// Counted now: go on to the invite.
    Go,
    /// In line at `place` (1: next), released by `expected_by_ms`.
    Wait { place: u32, expected_by_ms: u64 },
    /// Full, or the wait would pass the maximum: nothing stored.
    Paused { retry_after_s: u32 },
}

impl Settings {
    pub fn interval_ms(&self) -> u64 {
        (self.windows.hour_ms() / u64::from(self.limits[0].max(1))).max(1)
    }

    pub fn lined(&self) -> bool {
        self.limits[0] > 0
    }
}

impl Line {
    /// The line as of `now_ms`: a new window starts its count at zero.
    pub fn at(mut self, s: &Settings, now_ms: u64) -> Line {
        for (i, (span, _)) in BUDGETS.into_iter().enumerate() {
            let start = s.windows.bounds(span, now_ms).start_ms;
            if self.starts[i] != start {
                self.starts[i] = start;
                self.counted[i] = 0;
            }
        }
        self
    }

    pub fn count(&mut self) {
        self.counted = self.counted.map(|n| n.saturating_add(1));
    }

    fn full(self, s: &Settings) -> impl Iterator<Item = ((Span, &'static str), u32)> {
        let all = BUDGETS.into_iter().zip(s.limits).zip(self.counted);
        all.filter(|&((_, limit), n)| limit > 0 && n >= limit)
            .map(|(budget, _)| budget)
    }
}

pub fn reached(line: &Line, s: &Settings) -> Option<(&'static str, u32)> {
    line.full(s).next().map(|((_, name), limit)| (name, limit))
}

/// `since_ms`: when the application was posted. Its place must come within the longest wait
/// of that (not of a later ask), as the invite consumer counts it.
pub fn admit(line: Line, s: &Settings, since_ms: u64, now_ms: u64) -> Admission {
    let line = line.at(s, now_ms);
    let paused = |at| Admission::Paused {
        retry_after_s: seconds_until(at, now_ms),
    };
    if !s.lined() || (line.waiting == 0 && line.full(s).next().is_none()) {
        return Admission::Go;
    }
    if line.waiting >= s.max_waiting {
        // A place frees when the head is released.
        let frees = release_at(line, 1, s, now_ms);
        return paused(frees);
    }
    let place = line.waiting.saturating_add(1);
    let at = release_at(line, place, s, now_ms);
    if at.saturating_sub(since_ms.min(now_ms)) > s.max_wait_ms {
        // This slot's time does not move: whoever comes once it is within the wait gets it.
        paused(at.saturating_sub(s.max_wait_ms))
    } else {
        Admission::Wait {
            place,
            expected_by_ms: at,
        }
    }
}

pub fn seconds_until(at_ms: u64, now_ms: u64) -> u32 {
    crate::pace::seconds_ceil(at_ms.saturating_sub(now_ms)).max(1)
}

/// The earliest time from `from_ms` at which the line's next invite keeps every budget, and
/// the line as of then.
fn next_slot(line: Line, s: &Settings, from_ms: u64) -> (u64, Line) {
    let mut t = from_ms;
    // Each turn moves to a full window's end or to the hour's slot; a handful settle it.
    for _ in 0..64 {
        let line = line.at(s, t);
        let full = line
            .full(s)
            .map(|((span, _), _)| s.windows.bounds(span, t).end_ms);
        if let Some(end) = full.max() {
            t = end;
            continue;
        }
        let slot = line.starts[0].saturating_add(u64::from(line.counted[0]) * s.interval_ms());
        if slot <= t {
            return (t, line);
        }
        t = slot;
    }
    (t, line.at(s, t))
}

/// When the application at `place` (1: the head) is released, if the settings hold: each
/// place ahead takes the next slot (at most `MAX_WAITING_PER_POSITION` + 1 steps).
pub fn release_at(line: Line, place: u32, s: &Settings, now_ms: u64) -> u64 {
    if !s.lined() {
        return now_ms;
    }
    let (mut line, mut t) = (line, now_ms);
    for _ in 1..place.max(1) {
        let (at, then) = next_slot(line, s, t);
        (line, t) = (then, at);
        line.count();
    }
    next_slot(line, s, t).0
}

pub fn next_release(line: Line, s: &Settings, now_ms: u64) -> Option<u64> {
    (line.waiting > 0).then(|| release_at(line, 1, s, now_ms))
}

/// Set aside, never invited weeks late: after the longest wait from its post and half an hour
/// (a place may be due at the wait's very end and the alarm run late), so within the invite
/// consumer's hour (`Limits::longest_wait_ms`).
pub fn aside_after(since_ms: u64, s: &Settings) -> u64 {
    let grace = s.windows.hour_ms() / 2;
    since_ms.saturating_add(s.max_wait_ms).saturating_add(grace)
}

pub fn waited_too_long(since_ms: u64, s: &Settings, now_ms: u64) -> bool {
    now_ms > aside_after(since_ms, s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: u64 = 3_600_000;
    const DAY: u64 = 24 * HOUR;
    /// 2026-02-14T10:00Z, a window's start, mid-month.
    const TEN: u64 = 1_771_063_200_000;

    fn paused(at_ms: u64, now_ms: u64) -> Admission {
        Admission::Paused {
            retry_after_s: seconds_until(at_ms, now_ms),
        }
    }

    /// The position's budget alone (the account's off).
    fn hourly() -> Settings {
        Settings {
            limits: [100, 0, 0, 0],
            windows: Windows::REAL,
            max_waiting: 1_000,
            max_wait_ms: 72 * HOUR,
        }
    }

    /// wrangler.toml's budgets: 100 an hour for the position; 10 a minute, 50 a day and 200 a
    /// month for the account.
    fn shipped() -> Settings {
        Settings {
            limits: [100, 10, 50, 200],
            ..hourly()
        }
    }

    /// A line at 10:00 that counted `counted` in each window so far.
    fn line(counted: u32, waiting: u32) -> Line {
        let mut line = Line {
            waiting,
            ..Line::default()
        }
        .at(&hourly(), TEN);
        line.counted = [counted; 4];
        line
    }

    #[test]
    fn an_empty_line_with_room_goes_at_once_and_a_full_window_starts_the_line() {
        let s = hourly();
        assert_eq!(
            admit(line(99, 0), &s, TEN + 60_000, TEN + 60_000),
            Admission::Go
        );
        // The hour is spent: first in line, released at the next hour's first slot.
        assert_eq!(
            admit(line(100, 0), &s, TEN + 60_000, TEN + 60_000),
            Admission::Wait {
                place: 1,
                expected_by_ms: TEN + HOUR
            }
        );
        // Room in the window, but people are waiting: no overtaking.
        assert_eq!(
            admit(line(3, 5), &s, TEN + 10, TEN + 10),
            Admission::Wait {
                place: 6,
                expected_by_ms: TEN + 8 * 36_000
            }
        );
        // No limit: no line.
        let free = Settings {
            limits: [0, 1, 1, 1],
            ..s
        };
        assert_eq!(admit(line(1_000, 0), &free, TEN, TEN), Admission::Go);
    }

    #[test]
    fn releases_are_paced_one_interval_apart_across_windows() {
        let s = hourly();
        assert_eq!(s.interval_ms(), 36_000);
        let full = line(100, 250);
        let at = |place| release_at(full, place, &s, TEN + 5);
        assert_eq!(at(1), TEN + HOUR);
        assert_eq!(at(2), TEN + HOUR + 36_000);
        assert_eq!(at(100), TEN + HOUR + 99 * 36_000);
        assert_eq!(at(101), TEN + 2 * HOUR);
        assert_eq!(at(250), TEN + 3 * HOUR + 49 * 36_000);
        // Next window, three released so far: the fourth slot.
        let mut later = line(0, 10).at(&s, TEN + HOUR);
        later.counted = [3; 4];
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
        let s = hourly();
        assert_eq!(
            admit(line(100, 0), &s, TEN + HOUR, TEN + HOUR),
            Admission::Go
        );
        let next = line(100, 4).at(&s, TEN + HOUR + 1);
        assert_eq!(
            (next.starts[0], next.counted[0], next.waiting),
            (TEN + HOUR, 0, 4)
        );
    }

    #[test]
    fn a_full_line_pauses_until_a_place_frees_and_a_long_wait_until_it_would_be_short_enough() {
        let s = Settings {
            max_waiting: 10,
            ..hourly()
        };
        assert_eq!(
            admit(line(100, 10), &s, TEN + HOUR - 10_000, TEN + HOUR - 10_000),
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
            admit(line(100, 200), &short, now, now),
            Admission::Paused {
                retry_after_s: 3_540
            }
        );
        // Place 102 is released at 12:00:36, within two hours of 10:01; place 103 is not.
        assert_eq!(
            admit(line(100, 101), &short, now, now),
            Admission::Wait {
                place: 102,
                expected_by_ms: TEN + 2 * HOUR + 36_000
            }
        );
        assert!(matches!(
            admit(line(100, 102), &short, now, now),
            Admission::Paused { .. }
        ));
    }

    #[test]
    fn a_place_comes_within_the_longest_wait_from_the_post_not_from_a_later_ask() {
        let s = Settings {
            max_wait_ms: 2 * HOUR,
            ..hourly()
        };
        let now = TEN + 60_000;
        // Place 102 is at 12:00:36: too far for a post of 9:59, paused with the time a fresh
        // post would hear (the isolate remembers it for every post); a post of 10:00:36 gets it.
        let full = line(100, 101);
        assert_eq!(
            admit(full, &s, TEN - 60_000, now),
            paused(TEN + 36_000, now)
        );
        let place = Admission::Wait {
            place: 102,
            expected_by_ms: TEN + 2 * HOUR + 36_000,
        };
        assert_eq!(
            admit(full, &s, TEN + 36_000, now),
            place,
            "posted at 10:00:36"
        );
        // A post stamped later than the line's clock counts from the line's now.
        let later = admit(line(100, 102), &s, now + HOUR, now);
        assert!(matches!(later, Admission::Paused { .. }));
    }

    #[test]
    fn under_the_shipped_budgets_the_account_paces_the_line_and_no_place_outlives_the_month() {
        let s = shipped();
        // Ten went this minute: the eleventh waits for the next minute and the hour's slot.
        assert_eq!(
            admit(line(10, 0), &s, TEN + 1_000, TEN + 1_000),
            Admission::Wait {
                place: 1,
                expected_by_ms: TEN + 10 * 36_000
            }
        );
        // The day's 50 are spent at 10:30: the line goes at the next day's first slots, 50 a
        // day at the hour's pace, for three days (72 hours), and the month's 200 end there.
        let spent = line(50, 0).at(&s, TEN + HOUR / 2);
        let mut spent = spent;
        spent.counted = [50; 4];
        let midnight = TEN - 10 * HOUR + DAY;
        let at = |place| release_at(spent, place, &s, TEN + HOUR / 2);
        assert_eq!(at(1), midnight);
        assert_eq!(at(50), midnight + 49 * 36_000);
        assert_eq!(at(51), midnight + DAY);
        assert_eq!(at(150), midnight + 2 * DAY + 49 * 36_000);
        let waiting = Line {
            waiting: 150,
            ..spent
        };
        // 2026-03-01T00:00Z, less 72 hours.
        let march = 1_772_323_200_000;
        assert_eq!(
            admit(waiting, &s, TEN + HOUR / 2, TEN + HOUR / 2),
            paused(march - 72 * HOUR, TEN + HOUR / 2)
        );
        // The first back then gets place 151 at the wait's very end: an alarm that runs late
        // still releases it, as promised.
        let back = march - 72 * HOUR;
        let told = Admission::Wait {
            place: 151,
            expected_by_ms: march,
        };
        assert_eq!(admit(waiting, &s, back, back), told);
        assert!(!waited_too_long(back, &s, march + 200));
        // 300 at one instant from nothing: ten go, then every place is a slot of its own.
        let mut fresh = line(0, 0);
        let answers: Vec<Admission> = (0..300)
            .map(|_| {
                let answer = admit(fresh, &s, TEN, TEN);
                match answer {
                    Admission::Go => fresh.count(),
                    Admission::Wait { .. } => fresh.waiting += 1,
                    Admission::Paused { .. } => {}
                }
                answer
            })
            .collect();
        assert_eq!(answers.iter().filter(|a| **a == Admission::Go).count(), 10);
        assert_eq!(reached(&fresh, &s), Some(("account_minute", 10)));
        assert_eq!(reached(&line(9, 0), &s), None);
        assert_eq!(
            fresh.waiting, 190,
            "40 more today, 150 in the next three days"
        );
    }

    #[test]
    fn an_entry_past_the_maximum_wait_and_half_an_hour_is_set_aside() {
        let s = hourly();
        assert!(!waited_too_long(TEN, &s, TEN + 72 * HOUR + HOUR / 2));
        assert!(waited_too_long(TEN, &s, TEN + 72 * HOUR + HOUR / 2 + 1));
        assert_eq!(seconds_until(TEN + 1_001, TEN), 2);
        assert_eq!(seconds_until(TEN, TEN + 5), 1);
    }

    proptest! {
        /// Arrivals at any times, some erased while waiting, the object run as the rules say
        /// (admit with the line's span from head to tail, erased gaps included; alarm at each
        /// `next_release`), under any position and account budgets: no budget ever exceeded in
        /// any of its windows, releases in arrival order, each at its promised time (or sooner
        /// once someone ahead was erased, never later), and the line never over its cap.
        #[test]
        fn the_line_keeps_every_promise(
            events in prop::collection::vec((0u64..3_000, 0u8..8), 1..300),
            limits in [1u32..6, 0u32..8, 0u32..15, 0u32..40],
            max_waiting in 1u32..40, max_wait in 1u64..20,
        ) {
            // An "hour" of 10 s, a day of 30 s, a month of 120 s; minutes are always real.
            let windows = Windows { hour_seconds: 10, day_seconds: 30, month_seconds: 120 };
            let s = Settings { limits, windows, max_waiting, max_wait_ms: max_wait * 10_000 };
            type Queue = std::collections::VecDeque<(usize, u32, u64)>;
            // The object's waiting count: its entries' span, `MAX(seq) - MIN(seq) + 1`.
            let span = |queue: &Queue| queue.back().zip(queue.front()).map_or(0, |(b, f)| b.1 - f.1 + 1);
            let (mut state, mut queue) = (Line::default(), Queue::new());
            let mut invites: Vec<(usize, u64)> = Vec::new();
            let mut now = TEN;
            let mut erased = false;
            // The object's alarm: each release at the head's slot, as of the last event.
            let release_due = |state: &mut Line, queue: &mut Queue, invites: &mut Vec<(usize, u64)>, clock: &mut u64, until: u64, erased: bool| {
                while let Some(at) = next_release(*state, &s, *clock) {
                    if at > until { break; }
                    *clock = at;
                    *state = state.at(&s, at);
                    let (id, _, promised) = queue.pop_front().unwrap();
                    assert!(at <= promised, "released no later than promised");
                    assert!(erased || at == promised, "released when promised");
                    state.waiting = span(queue);
                    state.count();
                    invites.push((id, at));
                }
            };
            let mut clock = now;
            for (id, (gap, erase)) in events.into_iter().enumerate() {
                now += gap;
                release_due(&mut state, &mut queue, &mut invites, &mut clock, now, erased);
                clock = now;
                state = state.at(&s, now);
                if erase == 0 && !queue.is_empty() {
                    // Erased anywhere in line: the span shrinks only at the head or the tail.
                    queue.remove(gap as usize % queue.len());
                    state.waiting = span(&queue);
                    erased = true;
                    continue;
                }
                match admit(state, &s, now, now) {
                    Admission::Go => { state.count(); invites.push((id, now)); }
                    Admission::Wait { place, expected_by_ms } => {
                        prop_assert_eq!(place, state.waiting + 1);
                        prop_assert!(expected_by_ms - now <= s.max_wait_ms);
                        // SQLite's rowid: one past the largest left (an erased tail's is reused).
                        let seq = queue.back().map_or(1, |b| b.1 + 1);
                        queue.push_back((id, seq, expected_by_ms));
                        state.waiting = span(&queue);
                    }
                    Admission::Paused { retry_after_s } => prop_assert!(retry_after_s >= 1),
                }
                prop_assert!(state.waiting <= max_waiting);
            }
            release_due(&mut state, &mut queue, &mut invites, &mut clock, u64::MAX / 4, erased);
            prop_assert!(queue.is_empty());
            let ids: Vec<usize> = invites.iter().map(|i| i.0).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            prop_assert_eq!(ids, sorted, "first come, first served");
            for &(_, at) in &invites {
                for ((span, _), limit) in BUDGETS.into_iter().zip(limits) {
                    let w = windows.bounds(span, at);
                    let n = invites.iter().filter(|i| i.1 >= w.start_ms && i.1 < w.end_ms).count();
                    prop_assert!(limit == 0 || n <= limit as usize, "{:?}: {} > {}", span, n, limit);
                }
            }
        }
    }

    /// The protocol.
    mod protocol {
        use crate::line::rules::*;
        use crate::objects::read;
        use proptest::prelude::*;
        use serde_json::json;

        type Call = Admit<Value>;

        const SETTINGS: Settings = Settings {
            limits: [2, 3, 4, 5],
            windows: Windows {
                hour_seconds: 6,
                day_seconds: 7,
                month_seconds: 0,
            },
            max_waiting: 8,
            max_wait_ms: 9,
        };

        fn text(value: impl Serialize) -> String {
            serde_json::to_string(&value).unwrap()
        }

        #[test]
        fn calls_answers_and_stored_settings_read_and_write_as_the_hand_written_protocol_did() {
            let call = r#"{"mailbox":"ab12","body":{"email":"a\"b@example.com"},"limits":[2,3,4,5],"windows":[6,7,0],"maxWaiting":8,"maxWaitMs":9}"#;
            let admit = Call::read(call).unwrap();
            assert_eq!((admit.mailbox.as_str(), admit.settings), ("ab12", SETTINGS));
            assert_eq!(admit.body, json!({"email": "a\"b@example.com"}));
            assert_eq!(text(&admit), call);
            let stored = r#"{"limits":[2,3,4,5],"windows":[6,7,0],"maxWaiting":8,"maxWaitMs":9}"#;
            assert_eq!(read::<Settings>(stored), Some(SETTINGS));
            assert_eq!(text(SETTINGS), stored);
            for (answer, json) in [
                (Admission::Go, r#""go""#),
                (
                    Admission::Wait {
                        place: 4_210,
                        expected_by_ms: 1_796_218_412_000,
                    },
                    r#"{"wait":{"place":4210,"expectedByMs":1796218412000}}"#,
                ),
                (
                    Admission::Paused { retry_after_s: 36 },
                    r#"{"paused":{"retryAfterS":36}}"#,
                ),
            ] {
                assert_eq!(text(answer), json);
                assert_eq!(read::<Admission>(json), Some(answer));
            }
            let forget = r#"{"forget":"ab12"}"#;
            assert_eq!(
                text(Forget {
                    forget: "ab12".into()
                }),
                forget
            );
            assert_eq!(
                read::<Forget>(forget).map(|f| f.forget),
                Some("ab12".into())
            );
            assert_eq!(read::<Forget>(call), None, "an admit is not an erasure");
            assert!(Call::read(forget).is_none());
        }

        #[test]
        fn nothing_odd_decodes() {
            for bad in [
                "",
                "null",
                r#""stop""#,
                r#"{"wait":{"place":-1,"expectedByMs":1}}"#,
                r#"{"wait":{"place":5000000000,"expectedByMs":1}}"#,
                r#"{"paused":{}}"#,
            ] {
                assert_eq!(read::<Admission>(bad), None, "{bad}");
            }
            let call = text(Admit {
                mailbox: "m".into(),
                body: json!({}),
                settings: SETTINGS,
            });
            assert!(Call::read(&call).is_some());
            let body = call.replace(r#""body":{}"#, r#""body":"text""#);
            assert!(Call::read(&body).is_none(), "the body is an object");
            let short = call.replace("[2,3,4,5]", "[2,3,4]");
            assert!(Call::read(&short).is_none(), "every budget or none");
            assert!(Call::read(r#"{"mailbox":"m","body":{}}"#).is_none());
        }

        proptest! {
            #[test]
            fn decoding_never_panics(raw in "\\PC{0,200}") {
                let _ = Call::read(&raw);
                let _ = read::<Admission>(&raw);
                let _ = read::<Forget>(&raw);
            }
        }
    }
}
