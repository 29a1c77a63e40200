//! What the worker asks a position's line: JSON over the object's `fetch`, derived with serde
//! on both ends (as `crate::ledger::protocol`). The answer is the rules' [`Admission`] itself.

use super::rules::Settings;
use serde::{Deserialize, Serialize};

/// May this application go now? If it must wait, the line keeps `body` to send when its turn
/// comes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admit {
    /// The mailbox's HMAC (`crate::ledger::mailbox`): a resubmission in any spelling finds its
    /// place again.
    pub mailbox: String,
    /// The queued invite (JSON) the line sends to the invite queue on release.
    pub body: String,
    /// The worker's current settings; the alarm goes on with the last ones it was given.
    pub settings: Settings,
}

#[cfg(test)]
mod tests {
    use super::super::rules::Admission;
    use super::*;
    use serde_json::{from_str, to_string};

    #[test]
    fn calls_and_answers_round_trip_and_nothing_odd_decodes() {
        let admit = Admit {
            mailbox: "m".into(),
            body: "{}".into(),
            settings: Settings {
                limit: 2,
                max_waiting: 3,
                max_wait_ms: 4,
                window_ms: 5,
            },
        };
        assert_eq!(
            from_str::<Admit>(&to_string(&admit).unwrap()).unwrap(),
            admit
        );
        let wait = Admission::Wait {
            place: 4_210,
            expected_by_ms: 9,
        };
        let text = to_string(&wait).unwrap();
        assert_eq!(text, r#"{"wait":{"place":4210,"expected_by_ms":9}}"#);
        assert_eq!(from_str::<Admission>(&text).unwrap(), wait);
        assert_eq!(from_str::<Admission>(r#""go""#).unwrap(), Admission::Go);
        for bad in [
            "",
            "null",
            r#"{"wait":{"place":-1,"expected_by_ms":1}}"#,
            r#""stop""#,
        ] {
            assert!(from_str::<Admission>(bad).is_err(), "{bad}");
        }
    }
}
