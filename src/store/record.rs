//! One candidate's state in one position, as KV holds it.

use crate::hireflix::InterviewUrl;
use serde::{Deserialize, Serialize};

/// Values hold no email, no name, no key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Record {
    /// Hireflix has an interview for them (`who` is [`crate::domain::names_tag`] of the
    /// interview's names; `at` when it was made, ms since the epoch, when known). Who may be
    /// sent to it is `crate::apply::decision`'s business.
    Invited {
        url: String,
        who: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<u64>,
    },
    /// Accepted and waiting in the retry queue; Hireflix will email the invite.
    Queued,
}

impl Record {
    pub fn invited(url: &InterviewUrl, who: String, at: Option<u64>) -> Self {
        Record::Invited {
            url: url.as_str().to_string(),
            who,
            at,
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_have_a_stable_json_shape() {
        let invited = Record::Invited {
            url: "https://app.hireflix.com/x".into(),
            who: "ab12".into(),
            at: Some(1_764_000_000_000),
        };
        let json = r#"{"state":"invited","url":"https://app.hireflix.com/x","who":"ab12","at":1764000000000}"#;
        assert_eq!(serde_json::to_string(&invited).unwrap(), json);
        assert_eq!(serde_json::from_str::<Record>(json).unwrap(), invited);
        // A record without its time reads as one made at an unknown time.
        let untimed = r#"{"state":"invited","url":"https://app.hireflix.com/x","who":"ab12"}"#;
        assert_eq!(
            serde_json::from_str::<Record>(untimed).unwrap(),
            Record::Invited {
                url: "https://app.hireflix.com/x".into(),
                who: "ab12".into(),
                at: None
            }
        );
        assert_eq!(
            serde_json::to_string(&Record::Queued).unwrap(),
            r#"{"state":"queued"}"#
        );
        assert_eq!(
            serde_json::from_str::<Record>(r#"{"state":"queued","extra":1}"#).unwrap(),
            Record::Queued
        );
        assert!(serde_json::from_str::<Record>(r#"{"state":"weird"}"#).is_err());
    }
}
