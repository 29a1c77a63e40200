//! The pace's rules, pure: a call schedule (GCRA-style: each granted call takes the next free
//! slot, `interval_ms` apart), and the quota hold (after a refusal nobody calls; when it ends
//! one call probes, and only its success reopens; each refused probe doubles the hold, capped).
//! Also the object's protocol, `{"take":{"want":{...}}}`, `"lift"`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Another probe may go after this long: longer than the longest paced call (a queue batch's
/// 30 s timeout plus its wait for a slot).
pub const PROBE_LEASE_MS: u64 = 90_000;

pub const PROBE_RECHECK_MS: u64 = 5_000;

/// A renewed monthly quota is found within a day (a raised plan: the operator lifts the hold).
pub const MAX_HOLD_SECONDS: u32 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Call {
    Take {
        want: SlotRequest,
    },
    /// May this caller refresh the positions list? `true` for one caller per `lease_ms`.
    Refresh {
        lease_ms: u64,
    },
    Slow {
        until_ms: u64,
    },
    Refused {
        probe: bool,
        base_seconds: u32,
    },
    ProbedOk,
    Lift,
    State,
}

/// The answer to every call but `Take` (a `Grant`) and `Refresh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub hold: Option<Hold>,
}

/// A hold for `/admin/quota`, as its derive stores it (`to_value` costs 430 B of gzipped wasm).
pub fn hold_to_value(hold: Option<Hold>) -> Value {
    match hold {
        Some(h) => serde_json::json!({
            "untilMs": h.until_ms, "refusals": h.refusals, "probeUntilMs": h.probe_until_ms,
        }),
        None => Value::Null,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotRequest {
    /// Slots wanted (a lease); a probe gets one.
    pub count: u32,
    /// The first slot no later than this after now, or none.
    pub wait_ms: u64,
    /// Subject to the quota hold (reads are not).
    pub invite: bool,
    pub interval_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Grant {
    Slots {
        first_ms: u64,
        interval_ms: u64,
        count: u32,
        /// This one call finds out whether a spent quota is back.
        probe: bool,
    },
    /// No slot within the wait.
    Later { at_ms: u64 },
    /// The quota is spent (or its probe is out).
    Held { until_ms: u64 },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hold {
    pub until_ms: u64,
    pub refusals: u32,
    /// While a probe is out, until when (0: none).
    pub probe_until_ms: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pace {
    pub next_ms: u64,
    pub hold: Option<Hold>,
}

impl Pace {
    pub fn take(&mut self, want: SlotRequest, now_ms: u64) -> Grant {
        let hold = self.hold.filter(|_| want.invite);
        if let Some(hold) = hold {
            if now_ms < hold.until_ms {
                let until_ms = hold.until_ms;
                return Grant::Held { until_ms };
            }
            // While a probe is out, the others ask again soon.
            if now_ms < hold.probe_until_ms {
                let recheck = now_ms.saturating_add(PROBE_RECHECK_MS);
                let until_ms = hold.probe_until_ms.min(recheck);
                return Grant::Held { until_ms };
            }
        }
        let probe = hold.is_some();
        let first_ms = self.next_ms.max(now_ms);
        if first_ms > now_ms.saturating_add(want.wait_ms) {
            return Grant::Later {
                at_ms: first_ms.saturating_sub(want.wait_ms),
            };
        }
        let count = if probe { 1 } else { want.count.clamp(1, 100) };
        let interval_ms = want.interval_ms.max(1);
        self.next_ms = first_ms.saturating_add(interval_ms.saturating_mul(u64::from(count)));
        if let Some(hold) = self.hold.as_mut().filter(|_| probe) {
            hold.probe_until_ms = now_ms.saturating_add(PROBE_LEASE_MS);
        }
        Grant::Slots {
            first_ms,
            interval_ms,
            count,
            probe,
        }
    }

    pub fn slow_until(&mut self, until_ms: u64) {
        self.next_ms = self.next_ms.max(until_ms);
    }

    /// Refusals of calls already under way when the hold began are not news.
    pub fn refused(&mut self, probe: bool, base_seconds: u32, now_ms: u64) {
        let refusals = match self.hold {
            None => 1,
            Some(hold) if probe => hold.refusals.saturating_add(1),
            Some(_) => return,
        };
        let factor = 1u32
            .checked_shl(refusals.saturating_sub(1).min(16))
            .unwrap_or(u32::MAX);
        let seconds = base_seconds.saturating_mul(factor).min(MAX_HOLD_SECONDS);
        self.hold = Some(Hold {
            until_ms: now_ms.saturating_add(u64::from(seconds) * 1_000),
            refusals,
            probe_until_ms: 0,
        });
    }

    /// The probe succeeded (only the probe's success is told: a call that started before the
    /// hold cannot end it by chance), or the operator lifted it.
    pub fn lift(&mut self) {
        self.hold = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: u64 = 1_771_065_000_000;

    fn want(count: u32, wait_ms: u64, invite: bool) -> SlotRequest {
        SlotRequest {
            count,
            wait_ms,
            invite,
            interval_ms: 200,
        }
    }

    #[test]
    fn slots_are_handed_out_one_interval_apart() {
        let mut pace = Pace::default();
        let first = pace.take(want(2, 1_000, true), NOW);
        assert_eq!(
            first,
            Grant::Slots {
                first_ms: NOW,
                interval_ms: 200,
                count: 2,
                probe: false
            }
        );
        let second = pace.take(want(1, 1_000, false), NOW);
        assert!(matches!(second, Grant::Slots { first_ms, .. } if first_ms == NOW + 400));
    }

    #[test]
    fn a_caller_that_cannot_wait_long_enough_gets_no_slot_and_takes_none() {
        let mut pace = Pace::default();
        pace.take(want(10, 0, true), NOW); // the next 2 s are taken
        assert_eq!(
            pace.take(want(1, 1_500, true), NOW),
            Grant::Later { at_ms: NOW + 500 }
        );
        assert_eq!(pace.next_ms, NOW + 2_000, "a refused caller took nothing");
        assert!(matches!(
            pace.take(want(1, 2_000, true), NOW),
            Grant::Slots { .. }
        ));
    }

    #[test]
    fn retry_after_pushes_every_caller_back() {
        let mut pace = Pace::default();
        pace.slow_until(NOW + 30_000);
        assert_eq!(
            pace.take(want(1, 1_000, false), NOW),
            Grant::Later {
                at_ms: NOW + 29_000
            }
        );
        pace.slow_until(NOW); // an earlier one never brings it forward
        assert_eq!(pace.next_ms, NOW + 30_000);
    }

    #[test]
    fn a_quota_hold_ends_with_exactly_one_probe() {
        let mut pace = Pace::default();
        pace.refused(false, 60, NOW);
        let until = NOW + 60_000;
        assert_eq!(
            pace.take(want(5, 1_000, true), NOW),
            Grant::Held { until_ms: until }
        );
        // Reads (positions) are not held.
        assert!(matches!(
            pace.take(want(1, 1_000, false), NOW),
            Grant::Slots { .. }
        ));
        // After the hold: one probe, one slot, and everybody else waits for its answer.
        let probe = pace.take(want(5, 1_000, true), until);
        assert!(
            matches!(
                probe,
                Grant::Slots {
                    count: 1,
                    probe: true,
                    ..
                }
            ),
            "{probe:?}"
        );
        for _ in 0..10 {
            assert_eq!(
                pace.take(want(5, 1_000, true), until + 1),
                Grant::Held {
                    until_ms: until + 1 + PROBE_RECHECK_MS
                }
            );
        }
        pace.lift();
        assert!(matches!(
            pace.take(want(5, 1_000, true), until + 2),
            Grant::Slots {
                count: 5,
                probe: false,
                ..
            }
        ));
    }

    #[test]
    fn refused_probes_lengthen_the_hold_up_to_a_day() {
        let mut pace = Pace::default();
        pace.refused(false, 10_800, NOW);
        // Calls already under way when the hold began are refused too: not news.
        pace.refused(false, 10_800, NOW + 5);
        assert_eq!(pace.hold.map(|h| h.refusals), Some(1));
        let mut holds = Vec::new();
        let mut now = NOW;
        for _ in 0..5 {
            let until = pace.hold.map_or(0, |h| h.until_ms);
            holds.push((until - now) / 3_600_000);
            now = until;
            assert!(matches!(
                pace.take(want(1, 0, true), now),
                Grant::Slots { probe: true, .. }
            ));
            pace.refused(true, 10_800, now);
        }
        assert_eq!(holds, vec![3, 6, 12, 24, 24]);
    }

    #[test]
    fn a_lost_probe_is_replaced() {
        let mut pace = Pace::default();
        pace.refused(false, 1, NOW);
        assert!(matches!(
            pace.take(want(1, 0, true), NOW + 1_000),
            Grant::Slots { probe: true, .. }
        ));
        let later = NOW + 1_000 + PROBE_LEASE_MS;
        assert!(matches!(
            pace.take(want(1, 0, true), later),
            Grant::Slots { probe: true, .. }
        ));
        pace.lift();
        assert_eq!(pace.hold, None);
    }

    proptest! {
        /// However callers ask, no window of time holds more granted slots than the pace
        /// allows in it, plus the one at its edge.
        #[test]
        fn granted_slots_never_exceed_the_pace(
            asks in proptest::collection::vec((0u64..400, 1u32..8, 0u64..3_000), 1..200),
            interval in 1u64..1_000,
        ) {
            let mut pace = Pace::default();
            let mut now = NOW;
            let mut slots = Vec::new();
            for (gap, count, wait_ms) in asks {
                now += gap;
                let ask = SlotRequest { count, wait_ms, invite: true, interval_ms: interval };
                if let Grant::Slots { first_ms, interval_ms, count, .. } = pace.take(ask, now) {
                    prop_assert!(first_ms <= now + wait_ms);
                    slots.extend((0..u64::from(count)).map(|i| first_ms + i * interval_ms));
                }
            }
            slots.sort_unstable();
            for pair in slots.windows(2) {
                prop_assert!(pair[1] - pair[0] >= interval);
            }
        }
    }

    /// The protocol.
    mod protocol {
        use crate::objects::read;
        use crate::pace::rules::*;
        use serde::Serialize;
        use serde_json::Value;

        fn json(value: impl Serialize) -> String {
            serde_json::to_string(&value).unwrap()
        }

        #[test]
        fn calls_grants_and_holds_read_back_as_sent() {
            let calls = [
                Call::Take {
                    want: SlotRequest {
                        count: 2,
                        wait_ms: 1_500,
                        invite: true,
                        interval_ms: 200,
                    },
                },
                Call::Refresh { lease_ms: 10_000 },
                Call::Slow { until_ms: 5 },
                Call::Refused {
                    probe: true,
                    base_seconds: 60,
                },
                Call::ProbedOk,
                Call::Lift,
                Call::State,
            ];
            for call in calls {
                assert_eq!(read::<Call>(&json(call)), Some(call));
            }
            for grant in [
                Grant::Slots {
                    first_ms: 7,
                    interval_ms: 200,
                    count: 3,
                    probe: true,
                },
                Grant::Later { at_ms: 9 },
                Grant::Held { until_ms: 11 },
            ] {
                assert_eq!(read::<Grant>(&json(grant)), Some(grant));
            }
            let held = State {
                hold: Some(Hold {
                    until_ms: 1,
                    refusals: 2,
                    probe_until_ms: 3,
                }),
            };
            assert_eq!(read::<State>(&json(held)), Some(held));
            assert_eq!(
                read::<State>(r#"{"hold":null}"#),
                Some(State { hold: None })
            );
        }

        #[test]
        fn a_hold_keeps_the_json_shape_stored_in_sqlite_and_shown_by_admin() {
            let hold = Hold {
                until_ms: 1,
                refusals: 2,
                probe_until_ms: 3,
            };
            let shape = serde_json::json!({ "untilMs": 1, "refusals": 2, "probeUntilMs": 3 });
            assert_eq!(hold_to_value(Some(hold)), shape);
            assert_eq!(serde_json::from_str::<Value>(&json(hold)).unwrap(), shape);
            assert_eq!(read::<Hold>(&shape.to_string()), Some(hold));
            assert_eq!(hold_to_value(None), Value::Null);
        }

        #[test]
        fn anything_else_is_refused_not_a_panic() {
            for junk in [
                "",
                "null",
                "{}",
                r#"{"take":{}}"#,
                r#"{"take":{"want":{"count":-1,"waitMs":1,"invite":true,"intervalMs":1}}}"#,
                r#""nope""#,
            ] {
                assert_eq!(read::<Call>(junk), None, "{junk}");
            }
            assert_eq!(read::<Grant>(r#"{"slots":{"firstMs":1}}"#), None);
        }
    }
}
