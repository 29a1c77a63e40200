//! What the worker asks a position's line, derived with serde (as `crate::ledger::protocol`):
//! `{"mailbox":"<hmac>","body":{the queued invite},"limits":[100,10,50,200],
//! "windows":[3600,86400,0],"maxWaiting":1000,"maxWaitMs":..}`, answered `"go"`,
//! `{"wait":{"place":4,"expectedByMs":..}}` or `{"paused":{"retryAfterS":36}}`; erasure's
//! `{"forget":"<hmac>"}`, answered with how many entries went (0 or 1). The call carries the
//! worker's current settings; the object keeps the last ones, in the same JSON, for its alarm.

use super::rules::{Settings, Windows};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// One application at its position's line; `B` is its queued invite, sent on at its turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admit<B> {
    /// The mailbox's HMAC: a resubmission in any spelling finds its place again.
    pub mailbox: String,
    pub body: B,
    /// Read by the object from the same call (`Settings` skips the other fields): a flattened
    /// decoder costs 2 KB of gzipped wasm.
    #[serde(flatten, skip_deserializing)]
    pub settings: Settings,
}

impl Admit<Value> {
    /// The object's reading: the queued invite must be a JSON object.
    pub fn read(call: &str) -> Option<Self> {
        let call: Value = serde_json::from_str(call).ok()?;
        let admit = Admit::<Value>::deserialize(&call).ok();
        let admit = admit.filter(|a| a.body.is_object())?;
        let settings = Settings::deserialize(&call).ok()?;
        Some(Admit { settings, ..admit })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forget {
    pub forget: String,
}

/// [`Settings::windows`] as `[hour, day, month]` seconds.
pub mod windows {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::rules::Admission;
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
