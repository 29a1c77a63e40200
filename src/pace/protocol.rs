//! What the worker and the pace object say to each other, as JSON: written with serde's
//! derive, read by hand over `serde_json::Value`, which the worker already carries. Deriving
//! `Deserialize` too cost 6.6 KB of gzipped wasm (measured 2026-12): each struct's visitor
//! instantiates serde_json's decoder again.

use super::rules::{Grant, Hold, Want};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Call {
    /// Slots for calls (answer: a `Grant`).
    Take { want: Want },
    /// May this caller refresh the positions list now? (answer: `true` for one caller per
    /// `lease_ms`).
    Refresh { lease_ms: u64 },
    /// Hireflix throttled: nobody calls before `until_ms`.
    Slow { until_ms: u64 },
    /// Hireflix refused an invite for quota.
    Refused { probe: bool, base_seconds: u32 },
    /// The probe's invite was made.
    ProbedOk,
    /// The operator lifts the quota hold.
    Lift,
    /// Just the hold, for `/admin`.
    State,
}

/// The answer to every call but `Take` and `Refresh`: the quota hold, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct State {
    pub hold: Option<Hold>,
}

fn num(v: &Value, key: &str) -> Option<u64> {
    v.get(key)?.as_u64()
}

fn num32(v: &Value, key: &str) -> Option<u32> {
    u32::try_from(num(v, key)?).ok()
}

fn flag(v: &Value, key: &str) -> Option<bool> {
    v.get(key)?.as_bool()
}

impl Call {
    pub fn from_json(text: &str) -> Option<Call> {
        let v: Value = serde_json::from_str(text).ok()?;
        Some(match v.get("op")?.as_str()? {
            "take" => {
                let want = v.get("want")?;
                Call::Take {
                    want: Want {
                        count: num32(want, "count")?,
                        wait_ms: num(want, "waitMs")?,
                        invite: flag(want, "invite")?,
                        interval_ms: num(want, "intervalMs")?,
                    },
                }
            }
            "refresh" => Call::Refresh {
                lease_ms: num(&v, "leaseMs")?,
            },
            "slow" => Call::Slow {
                until_ms: num(&v, "untilMs")?,
            },
            "refused" => Call::Refused {
                probe: flag(&v, "probe")?,
                base_seconds: num32(&v, "baseSeconds")?,
            },
            "probedOk" => Call::ProbedOk,
            "lift" => Call::Lift,
            "state" => Call::State,
            _ => return None,
        })
    }
}

pub fn grant_from_json(text: &str) -> Option<Grant> {
    let v: Value = serde_json::from_str(text).ok()?;
    if let Some(at_ms) = num(&v, "laterMs") {
        return Some(Grant::Later { at_ms });
    }
    if let Some(until_ms) = num(&v, "heldMs") {
        return Some(Grant::Held { until_ms });
    }
    Some(Grant::Slots {
        first_ms: num(&v, "firstMs")?,
        interval_ms: num(&v, "intervalMs")?,
        count: num32(&v, "count")?,
        probe: flag(&v, "probe")?,
    })
}

/// A hold as JSON (`null` for none), for `/admin/quota`: the shape its derive writes to the
/// object's SQLite row (`serde_json::to_value` would cost 430 B of gzipped wasm).
pub fn hold_to_value(hold: Option<Hold>) -> Value {
    match hold {
        Some(h) => serde_json::json!({
            "untilMs": h.until_ms, "refusals": h.refusals, "probeUntilMs": h.probe_until_ms,
        }),
        None => Value::Null,
    }
}

pub fn hold_from_value(v: &Value) -> Option<Hold> {
    Some(Hold {
        until_ms: num(v, "untilMs")?,
        refusals: num32(v, "refusals")?,
        probe_until_ms: num(v, "probeUntilMs")?,
    })
}

impl State {
    pub fn from_json(text: &str) -> Option<State> {
        let v: Value = serde_json::from_str(text).ok()?;
        Some(State {
            hold: v.get("hold").and_then(hold_from_value),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: impl Serialize) -> String {
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn calls_grants_and_holds_read_back_as_sent() {
        let calls = [
            Call::Take {
                want: Want {
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
            assert_eq!(Call::from_json(&json(call)), Some(call));
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
            assert_eq!(grant_from_json(&json(grant)), Some(grant));
        }
        let held = State {
            hold: Some(Hold {
                until_ms: 1,
                refusals: 2,
                probe_until_ms: 3,
            }),
        };
        assert_eq!(State::from_json(&json(held)), Some(held));
        assert_eq!(
            State::from_json(r#"{"hold":null}"#),
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
        assert_eq!(hold_from_value(&shape), Some(hold));
        assert_eq!(hold_to_value(None), Value::Null);
    }

    #[test]
    fn anything_else_is_refused_not_a_panic() {
        for junk in [
            "",
            "null",
            "{}",
            r#"{"op":"take"}"#,
            r#"{"op":"take","want":{"count":-1,"waitMs":1,"invite":true,"intervalMs":1}}"#,
            r#"{"op":"nope"}"#,
        ] {
            assert_eq!(Call::from_json(junk), None, "{junk}");
        }
        assert_eq!(grant_from_json(r#"{"firstMs":1}"#), None);
    }
}
