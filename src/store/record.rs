//! One candidate's state in one position, as KV holds it.

use crate::hireflix::InterviewUrl;
use serde::{Deserialize, Serialize};

/// Values hold no email, no name, no key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Record {
    /// Hireflix has an interview for them: send them straight to it, if the names match
    /// (`who` is [`crate::domain::names_tag`] of the interview's names).
    Invited { url: String, who: String },
    /// Accepted and waiting in the retry queue; Hireflix will email the invite.
    Queued,
}

impl Record {
    pub fn invited(url: &InterviewUrl, who: String) -> Self {
        Record::Invited {
            url: url.as_str().to_string(),
            who,
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
        };
        assert_eq!(
            serde_json::to_string(&invited).unwrap(),
            r#"{"state":"invited","url":"https://app.hireflix.com/x","who":"ab12"}"#
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
