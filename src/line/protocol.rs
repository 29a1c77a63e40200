//! What the worker asks a position's line and what it answers, as JSON written and read by hand
//! over `serde_json::Value`, which the worker already carries (as `crate::pace::protocol`):
//! serde's derived decoders would cost kilobytes of wasm.
//!
//! The call: `{"mailbox":"<hmac>","limits":[100,10,50,200],"windows":[3600,86400,0],
//! "maxWaiting":1000,"maxWaitMs":..,"body":{the queued invite}}`; it carries the worker's current
//! settings (the object keeps the last ones, in the same JSON, for its alarm). The answer: `"go"`, `{"wait":{"place":4,"expectedByMs":..}}` or
//! `{"paused":{"retryAfterS":36}}`. Erasure's call is `{"forget":"<hmac>"}`; the answer is how
//! many entries went (0 or 1).

use super::rules::{Admission, Settings, Windows};
use serde_json::Value;

/// Erasure's call for one mailbox's entry.
pub fn forget_to_json(mailbox: &str) -> String {
    format!(r#"{{"forget":"{mailbox}"}}"#)
}

/// The mailbox an erasure call names (an HMAC in hex, so nothing is escaped); `None` for any
/// other call.
pub fn forget_from_json(call: &str) -> Option<&str> {
    let mailbox = call.strip_prefix(r#"{"forget":""#)?.strip_suffix(r#""}"#)?;
    mailbox
        .bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then_some(mailbox)
}

/// One application at its position's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admit {
    /// The mailbox's HMAC: a resubmission in any spelling finds its place again.
    pub mailbox: String,
    /// The queued invite's JSON, which the line sends to the invite queue on release.
    pub body: String,
    pub settings: Settings,
}

impl Admit {
    /// `body` must be JSON (the worker's own serialisation of a queued invite); the mailbox is
    /// hex, so neither needs escaping here.
    pub fn to_json(&self) -> String {
        let settings = settings_to_json(&self.settings);
        let fields = settings.trim_start_matches('{');
        format!(
            r#"{{"mailbox":"{}","body":{},{fields}"#,
            self.mailbox, self.body
        )
    }

    pub fn from_json(text: &str) -> Option<Admit> {
        let v: Value = serde_json::from_str(text).ok()?;
        let body = v.get("body").filter(|b| b.is_object())?;
        Some(Admit {
            mailbox: v.get("mailbox")?.as_str()?.to_string(),
            body: body.to_string(),
            settings: settings_from(&v)?,
        })
    }
}

pub fn settings_to_json(s: &Settings) -> String {
    let [hour, minute, day, month] = s.limits;
    let w = s.windows;
    format!(
        r#"{{"limits":[{hour},{minute},{day},{month}],"windows":[{},{},{}],"maxWaiting":{},"maxWaitMs":{}}}"#,
        w.hour_seconds, w.day_seconds, w.month_seconds, s.max_waiting, s.max_wait_ms
    )
}

/// The settings' fields of a call, or of the object's stored copy.
pub fn settings_from(v: &Value) -> Option<Settings> {
    let shorts = |key: &str| -> Option<Vec<u32>> {
        let items = v.get(key)?.as_array()?.iter();
        items.map(|n| u32::try_from(n.as_u64()?).ok()).collect()
    };
    let (limits, windows) = (shorts("limits")?, shorts("windows")?);
    let (&[hour, minute, day, month], &[hour_s, day_s, month_s]) =
        (limits.as_slice(), windows.as_slice())
    else {
        return None;
    };
    Some(Settings {
        limits: [hour, minute, day, month],
        windows: Windows {
            hour_seconds: hour_s,
            day_seconds: day_s,
            month_seconds: month_s,
        },
        max_waiting: u32::try_from(v.get("maxWaiting")?.as_u64()?).ok()?,
        max_wait_ms: v.get("maxWaitMs")?.as_u64()?,
    })
}

pub fn answer_to_json(answer: Admission) -> String {
    match answer {
        Admission::Go => r#""go""#.into(),
        Admission::Wait {
            place,
            expected_by_ms,
        } => format!(r#"{{"wait":{{"place":{place},"expectedByMs":{expected_by_ms}}}}}"#),
        Admission::Paused { retry_after_s } => {
            format!(r#"{{"paused":{{"retryAfterS":{retry_after_s}}}}}"#)
        }
    }
}

/// `None` for anything unexpected: the caller treats it as a line that did not answer.
pub fn answer_from_json(text: &str) -> Option<Admission> {
    let v: Value = serde_json::from_str(text).ok()?;
    if v.as_str() == Some("go") {
        return Some(Admission::Go);
    }
    let num = |v: &Value, key: &str| v.get(key)?.as_u64();
    let short = |v: &Value, key: &str| u32::try_from(num(v, key)?).ok();
    if let Some(wait) = v.get("wait") {
        return Some(Admission::Wait {
            place: short(wait, "place")?,
            expected_by_ms: num(wait, "expectedByMs")?,
        });
    }
    Some(Admission::Paused {
        retry_after_s: short(v.get("paused")?, "retryAfterS")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn calls_and_answers_round_trip_and_nothing_odd_decodes() {
        let admit = Admit {
            mailbox: "ab12".into(),
            body: r#"{"email":"a\"b@example.com"}"#.into(),
            settings: Settings {
                limits: [2, 3, 4, 5],
                windows: Windows {
                    hour_seconds: 6,
                    day_seconds: 7,
                    month_seconds: 0,
                },
                max_waiting: 8,
                max_wait_ms: 9,
            },
        };
        assert_eq!(Admit::from_json(&admit.to_json()), Some(admit.clone()));
        for answer in [
            Admission::Go,
            Admission::Wait {
                place: 4_210,
                expected_by_ms: 1_796_218_412_000,
            },
            Admission::Paused { retry_after_s: 36 },
        ] {
            assert_eq!(answer_from_json(&answer_to_json(answer)), Some(answer));
        }
        for bad in [
            "",
            "null",
            r#""stop""#,
            r#"{"wait":{"place":-1,"expectedByMs":1}}"#,
            r#"{"wait":{"place":5000000000,"expectedByMs":1}}"#,
            r#"{"paused":{}}"#,
        ] {
            assert_eq!(answer_from_json(bad), None, "{bad}");
        }
        assert_eq!(Admit::from_json(r#"{"mailbox":"m","body":"text"}"#), None);
        let short = admit.to_json().replace("[2,3,4,5]", "[2,3,4]");
        assert_eq!(Admit::from_json(&short), None, "every budget or none");
        assert_eq!(forget_from_json(&forget_to_json("ab12")), Some("ab12"));
        assert_eq!(
            forget_from_json(&admit.to_json()),
            None,
            "an admit is not an erasure"
        );
        assert_eq!(
            forget_from_json(r#"{"forget":"ab\"}"}"#),
            None,
            "an HMAC is hex"
        );
    }

    proptest! {
        #[test]
        fn decoding_never_panics(raw in "\\PC{0,200}") {
            let _ = Admit::from_json(&raw);
            let _ = answer_from_json(&raw);
        }
    }
}
