//! A candidate's consent to their data going to Hireflix (`REQUIRE_CONSENT`): when it was
//! given and to which version of the notice. Never the notice's words: the version names them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// When the form that carried it was received (ISO 8601, UTC).
    pub at: String,
    /// `CONSENT_NOTICE_VERSION`.
    pub notice: String,
}

/// A ticked box: browsers send `on` (or the `value` given), a JSON client may send `true`.
pub fn is_given(raw: &str) -> bool {
    !matches!(
        raw.trim().to_ascii_lowercase().as_str(),
        "" | "false" | "0" | "no" | "off"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticked_box_is_any_value_but_an_explicit_no() {
        for yes in ["on", "yes", "true", "1", "agree"] {
            assert!(is_given(yes), "{yes}");
        }
        for no in ["", " ", "false", "0", "no", "off", "FALSE"] {
            assert!(!is_given(no), "{no}");
        }
    }
}
