//! What the worker asks a position's line and what it answers: JSON derived with serde on both
//! ends, enums externally tagged as in `crate::pace::protocol`. Every `Admit` carries the
//! worker's current settings (the object keeps the last ones, in the same JSON, for its alarm).
//! Decoding never panics: anything unexpected is `None`, which callers treat as a line that
//! did not answer.

use super::rules::Settings;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// One application not yet admitted (answer: a `rules::Admission`). The mailbox's HMAC
    /// finds a resubmission's place again in any spelling; `body` is the queued invite's JSON,
    /// which the line sends to the invite queue on release.
    Admit {
        mailbox: String,
        body: String,
        settings: Settings,
    },
    /// Erasure: this mailbox's waiting entry (answer: how many went, 0 or 1).
    Forget { mailbox: String },
}

/// Reads a message through `serde_json::Value`, whose decoder the worker already carries (see
/// `crate::pace::protocol::read`).
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    T::deserialize(&serde_json::from_str::<Value>(text).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::rules::{Admission, Windows};
    use proptest::prelude::*;

    #[test]
    fn calls_and_answers_read_back_as_sent_and_nothing_odd_decodes() {
        let settings = Settings {
            limits: [2, 3, 4, 5],
            windows: Windows {
                hour_seconds: 6,
                day_seconds: 7,
                month_seconds: 0,
            },
            max_waiting: 8,
            max_wait_ms: 9,
        };
        let calls = [
            Call::Admit {
                mailbox: "ab12".into(),
                body: r#"{"email":"a\"b@example.com"}"#.into(),
                settings,
            },
            Call::Forget {
                mailbox: "ab12".into(),
            },
        ];
        for call in calls {
            let json = serde_json::to_string(&call).unwrap();
            assert_eq!(read::<Call>(&json), Some(call));
        }
        for answer in [
            Admission::Go,
            Admission::Wait {
                place: 4_210,
                expected_by_ms: 1_796_218_412_000,
            },
            Admission::Paused { retry_after_s: 36 },
        ] {
            let json = serde_json::to_string(&answer).unwrap();
            assert_eq!(read::<Admission>(&json), Some(answer));
        }
        for bad in [
            "",
            "null",
            r#""stop""#,
            r#"{"wait":{"place":-1,"expected_by_ms":1}}"#,
            r#"{"wait":{"place":5000000000,"expected_by_ms":1}}"#,
            r#"{"paused":{}}"#,
        ] {
            assert_eq!(read::<Admission>(bad), None, "{bad}");
        }
        assert_eq!(read::<Call>(r#"{"forget":{"mailbox":1}}"#), None);
        let json = serde_json::to_string(&settings).unwrap();
        let short = json.replace("[2,3,4,5]", "[2,3,4]");
        assert_eq!(read::<Settings>(&short), None, "every budget or none");
    }

    proptest! {
        #[test]
        fn decoding_never_panics(raw in "\\PC{0,200}") {
            let _ = read::<Call>(&raw);
            let _ = read::<Admission>(&raw);
        }
    }
}
