//! What the worker and the pace object say to each other, as JSON. Written by hand over
//! `serde_json::Value`, which the worker already carries: serde's derives (the tagged enums
//! above all) cost about 30 KB of gzipped wasm here, over the size budget.

use super::rules::{Grant, Hold, Want};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub fn to_json(self) -> String {
        match self {
            Call::Take { want } => format!(
                r#"{{"op":"take","count":{},"waitMs":{},"invite":{},"intervalMs":{}}}"#,
                want.count, want.wait_ms, want.invite, want.interval_ms
            ),
            Call::Refresh { lease_ms } => format!(r#"{{"op":"refresh","leaseMs":{lease_ms}}}"#),
            Call::Slow { until_ms } => format!(r#"{{"op":"slow","untilMs":{until_ms}}}"#),
            Call::Refused {
                probe,
                base_seconds,
            } => format!(r#"{{"op":"refused","probe":{probe},"baseSeconds":{base_seconds}}}"#),
            Call::ProbedOk => r#"{"op":"probedOk"}"#.into(),
            Call::Lift => r#"{"op":"lift"}"#.into(),
            Call::State => r#"{"op":"state"}"#.into(),
        }
    }

    pub fn from_json(text: &str) -> Option<Call> {
        let v: Value = serde_json::from_str(text).ok()?;
        Some(match v.get("op")?.as_str()? {
            "take" => Call::Take {
                want: Want {
                    count: num32(&v, "count")?,
                    wait_ms: num(&v, "waitMs")?,
                    invite: flag(&v, "invite")?,
                    interval_ms: num(&v, "intervalMs")?,
                },
            },
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

pub fn grant_to_json(grant: Grant) -> String {
    match grant {
        Grant::Slots {
            first_ms,
            interval_ms,
            count,
            probe,
        } => format!(
            r#"{{"firstMs":{first_ms},"intervalMs":{interval_ms},"count":{count},"probe":{probe}}}"#
        ),
        Grant::Later { at_ms } => format!(r#"{{"laterMs":{at_ms}}}"#),
        Grant::Held { until_ms } => format!(r#"{{"heldMs":{until_ms}}}"#),
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

/// A hold as JSON (`null` for none): in the object's SQLite row, and in `/admin/quota`.
pub fn hold_to_value(hold: Option<Hold>) -> Value {
    match hold {
        Some(h) => json!({
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
    pub fn to_json(self) -> String {
        json!({ "hold": hold_to_value(self.hold) }).to_string()
    }

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
            assert_eq!(Call::from_json(&call.to_json()), Some(call));
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
            assert_eq!(grant_from_json(&grant_to_json(grant)), Some(grant));
        }
        let held = State {
            hold: Some(Hold {
                until_ms: 1,
                refusals: 2,
                probe_until_ms: 3,
            }),
        };
        assert_eq!(State::from_json(&held.to_json()), Some(held));
        assert_eq!(
            State::from_json(r#"{"hold":null}"#),
            Some(State { hold: None })
        );
    }

    #[test]
    fn anything_else_is_refused_not_a_panic() {
        for junk in [
            "",
            "null",
            "{}",
            r#"{"op":"take"}"#,
            r#"{"op":"take","count":-1,"waitMs":1,"invite":true,"intervalMs":1}"#,
            r#"{"op":"nope"}"#,
        ] {
            assert_eq!(Call::from_json(junk), None, "{junk}");
        }
        assert_eq!(grant_from_json(r#"{"firstMs":1}"#), None);
    }
}
