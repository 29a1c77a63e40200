//! The answer to a look-up of an existing interview by email.

use super::reply::{envelope, UrlSet};
use super::{HttpReply, InviteOutcome, LinkProblem, Transient, TransportError};
use crate::hireflix::interview_url::{InterviewUrl, TrustedHosts};
use serde::Deserialize;
use serde_json::Value;

/// An interview found by email: its link, and the names it was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundInterview {
    pub url: InterviewUrl,
    pub first_name: String,
    pub last_name: String,
}

/// The answer to [`crate::hireflix::documents::find_interview_request`]: the newest interview
/// of that email, or `None` when Hireflix has none.
pub fn parse_found_interview(
    reply: Result<HttpReply, TransportError>,
    trusted: &TrustedHosts,
) -> Result<Option<FoundInterview>, InviteOutcome> {
    let envelope = envelope(reply).map_err(InviteOutcome::Transient)?;
    let position = envelope
        .field("position")
        .map_err(InviteOutcome::Transient)?;
    let first = position
        .pointer("/interviewList/results")
        .and_then(Value::as_array)
        .ok_or(InviteOutcome::Transient(Transient::Malformed))?
        .first();
    let Some(first) = first else { return Ok(None) };
    let urls = first
        .get("url")
        .and_then(|u| UrlSet::deserialize(u).ok())
        .ok_or(InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink))?;
    let name = |field: &str| {
        first
            .pointer(&format!("/candidate/{field}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(Some(FoundInterview {
        url: urls.interview_url(trusted)?,
        first_name: name("firstName"),
        last_name: name("lastName"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(body: Value) -> Result<HttpReply, TransportError> {
        Ok(HttpReply {
            status: 200,
            body: body.to_string(),
        })
    }

    #[test]
    fn found_interview_or_none() {
        let trusted = TrustedHosts::hireflix_only();
        let found = ok(
            json!({ "data": { "position": { "interviewList": { "results": [{
            "id": "1",
            "url": { "public": "https://app.hireflix.com/x", "short": "https://hflx.io/c/x" },
            "candidate": { "firstName": "Ann", "lastName": "Lee" }
        }] } } } }),
        );
        let found = parse_found_interview(found, &trusted).unwrap().unwrap();
        assert_eq!(found.url.as_str(), "https://app.hireflix.com/x");
        assert_eq!(
            (found.first_name.as_str(), found.last_name.as_str()),
            ("Ann", "Lee")
        );
        let none = ok(json!({ "data": { "position": { "interviewList": { "results": [] } } } }));
        assert_eq!(parse_found_interview(none, &trusted), Ok(None));
        let missing = ok(json!({ "data": { "position": null } }));
        assert!(parse_found_interview(missing, &trusted).is_err());
    }
}
