//! One candidate's state in one position, as KV holds it.

use crate::domain::Consent;
use crate::hireflix::InterviewUrl;
use serde::{Deserialize, Serialize};

/// No email, no name, no key. A consent is two plain fields: a nested struct in this
/// internally tagged enum would cost serde's buffered-content visitors in the wasm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Record {
    /// Hireflix has an interview for them (`who`: [`crate::domain::names_tag`] of its names;
    /// `at`: when it was made, ms, when known).
    Invited {
        url: String,
        who: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent_notice: Option<String>,
    },
    /// In the retry queue. In its position's line: the place and time (ms) it was told, so a
    /// resubmission hears them again without asking the line.
    Queued {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        place: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_by: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent_notice: Option<String>,
    },
}

impl Record {
    pub fn invited(url: &InterviewUrl, who: String, at: Option<u64>) -> Self {
        Record::Invited {
            url: url.as_str().to_string(),
            who,
            at,
            consent_at: None,
            consent_notice: None,
        }
    }

    pub fn queued(line: Option<(u32, u64)>) -> Self {
        let (place, expected_by) = line.unzip();
        Record::Queued {
            place,
            expected_by,
            consent_at: None,
            consent_notice: None,
        }
    }

    /// The record is the proof of the consent, when one was asked for.
    pub fn with_consent(mut self, given: Option<Consent>) -> Self {
        if let Some(consent) = given {
            let (Record::Invited {
                consent_at,
                consent_notice,
                ..
            }
            | Record::Queued {
                consent_at,
                consent_notice,
                ..
            }) = &mut self;
            *consent_at = Some(consent.at);
            *consent_notice = Some(consent.notice);
        }
        self
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
            consent_at: None,
            consent_notice: None,
        };
        let timed = r#"{"state":"invited","url":"https://app.hireflix.com/x","who":"ab12","at":1764000000000}"#;
        assert_eq!(serde_json::to_string(&invited).unwrap(), timed);
        assert_eq!(serde_json::from_str::<Record>(timed).unwrap(), invited);
        // A record without its time reads as one made at an unknown time.
        let untimed = r#"{"state":"invited","url":"https://app.hireflix.com/x","who":"ab12"}"#;
        assert_eq!(
            serde_json::from_str::<Record>(untimed).unwrap(),
            Record::Invited {
                url: "https://app.hireflix.com/x".into(),
                who: "ab12".into(),
                at: None,
                consent_at: None,
                consent_notice: None,
            }
        );
        let queued = Record::queued(None);
        assert_eq!(
            serde_json::to_string(&queued).unwrap(),
            r#"{"state":"queued"}"#
        );
        assert_eq!(
            serde_json::from_str::<Record>(r#"{"state":"queued","extra":1}"#).unwrap(),
            queued
        );
        let waiting = r#"{"state":"queued","place":4,"expected_by":1764000000000}"#;
        let in_line = Record::queued(Some((4, 1_764_000_000_000)));
        assert_eq!(serde_json::to_string(&in_line).unwrap(), waiting);
        assert_eq!(serde_json::from_str::<Record>(waiting).unwrap(), in_line);
        let consent = Consent {
            at: "2026-11-26T15:40:25.123Z".into(),
            notice: "2026-11".into(),
        };
        let with = invited.with_consent(Some(consent.clone()));
        let json = serde_json::to_string(&with).unwrap();
        assert_eq!(
            json,
            r#"{"state":"invited","url":"https://app.hireflix.com/x","who":"ab12","at":1764000000000,"consent_at":"2026-11-26T15:40:25.123Z","consent_notice":"2026-11"}"#
        );
        assert_eq!(serde_json::from_str::<Record>(&json).unwrap(), with);
        assert!(serde_json::from_str::<Record>(r#"{"state":"weird"}"#).is_err());
    }
}
