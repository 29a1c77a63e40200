//! What the worker and the pace object say to each other, derived with serde (enums externally
//! tagged, `{"take":{"want":{...}}}`, `"lift"`, as in `crate::ledger::protocol`).

use super::rules::{Hold, SlotRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Call {
    /// Slots for calls (answer: a `Grant`).
    Take { want: SlotRequest },
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub hold: Option<Hold>,
}

/// A hold as JSON (`null` for none) for `/admin/quota`, the shape its derive stores
/// (`serde_json::to_value` would cost 430 B of gzipped wasm).
pub fn hold_to_value(hold: Option<Hold>) -> Value {
    match hold {
        Some(h) => serde_json::json!({
            "untilMs": h.until_ms, "refusals": h.refusals, "probeUntilMs": h.probe_until_ms,
        }),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::read;
    use crate::pace::rules::Grant;

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
