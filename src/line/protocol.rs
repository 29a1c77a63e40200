//! What the worker asks a position's line and what it answers, as JSON written and read by hand
//! over `serde_json::Value`, which the worker already carries (as `crate::pace::protocol`):
//! serde's derived decoders would cost kilobytes of wasm.
//!
//! The call: `{"mailbox":"<hmac>","limit":100,"maxWaiting":1000,"maxWaitMs":..,"windowMs":..,
//! "body":{the queued invite}}`; it carries the worker's current settings, so the object needs
//! none of its own. The answer: `"go"`, `{"wait":{"place":4,"expectedByMs":..}}` or
//! `{"paused":{"retryAfterS":36}}`.

use super::rules::{Admission, Settings};
use serde_json::Value;

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
        let s = &self.settings;
        format!(
            r#"{{"mailbox":"{}","limit":{},"maxWaiting":{},"maxWaitMs":{},"windowMs":{},"body":{}}}"#,
            self.mailbox, s.limit, s.max_waiting, s.max_wait_ms, s.window_ms, self.body
        )
    }

    pub fn from_json(text: &str) -> Option<Admit> {
        let v: Value = serde_json::from_str(text).ok()?;
        let num = |key: &str| v.get(key)?.as_u64();
        let body = v.get("body").filter(|b| b.is_object())?;
        Some(Admit {
            mailbox: v.get("mailbox")?.as_str()?.to_string(),
            body: body.to_string(),
            settings: Settings {
                limit: u32::try_from(num("limit")?).ok()?,
                max_waiting: u32::try_from(num("maxWaiting")?).ok()?,
                max_wait_ms: num("maxWaitMs")?,
                window_ms: num("windowMs")?,
            },
        })
    }
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
                limit: 2,
                max_waiting: 3,
                max_wait_ms: 4,
                window_ms: 5,
            },
        };
        assert_eq!(Admit::from_json(&admit.to_json()), Some(admit));
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
    }

    proptest! {
        #[test]
        fn decoding_never_panics(raw in "\\PC{0,200}") {
            let _ = Admit::from_json(&raw);
            let _ = answer_from_json(&raw);
        }
    }
}
