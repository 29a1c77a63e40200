//! Every answer Hireflix can give, classified once: transport, HTTP status, JSON and the
//! GraphQL union fold into [`InviteOutcome`], so the form and the queue never look at a raw
//! response. One file per operation, on top of the shared reply checks.

mod invite;
mod lookup;
mod positions;
mod reply;

pub use invite::classify_invites;
pub use lookup::{parse_found_interview, FoundInterview};
pub use positions::{parse_positions, Position};

use super::interview_url::InterviewUrl;
use crate::domain::Field;
use strum_macros::IntoStaticStr;

/// What came back over the wire, before any interpretation.
pub use crate::fetch::Reply as HttpReply;

/// A failure worth retrying later: it says nothing about the application itself. Named in
/// log lines and dead letters by `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Transient {
    /// No reply within the timeout (the body included).
    Timeout,
    /// No reply at all.
    Network,
    #[strum(serialize = "http_5xx")]
    ServerError,
    #[strum(serialize = "http_429")]
    RateLimited,
    #[strum(serialize = "malformed_response")]
    Malformed,
    /// The account's monthly invite quota is used up; it frees up, or the plan is raised.
    QuotaExceeded,
    /// The key was refused. An operator fixes the secret and the queued invites then succeed.
    Auth,
    /// A top-level GraphQL error or a union member this code does not know.
    #[strum(serialize = "upstream_error")]
    Upstream,
    /// A top-level GraphQL error whose path names this invite's alias: the problem may be this
    /// invite's own, so a batch that failed with it is tried again one invite per call.
    AliasError,
    /// Not sent: our own pace had no slot in time, or the plan's quota is held.
    Paced,
}

impl Transient {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A failure no retry can mend: this application cannot become an interview as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permanent {
    PositionNotFound,
    PositionNotReady,
    /// Hireflix refused the candidate's data; each message by our form field where it names one.
    Invalid(Vec<(Option<Field>, String)>),
}

/// Why an interview that exists cannot be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum LinkProblem {
    /// Hireflix gave no link.
    NoLink,
    /// Hireflix gave a link on a host we never send a candidate to.
    UntrustedUrl,
}

impl LinkProblem {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteOutcome {
    Invited(InterviewUrl),
    /// This email or externalId already has an interview in the position: look it up.
    AlreadyExists,
    /// The interview exists (and Hireflix has emailed its link), but the link Hireflix gave us
    /// is missing or on a host we never redirect to. Done, not retried: a retry cannot mend it.
    InvitedWithoutLink(LinkProblem),
    Transient(Transient),
    Permanent(Permanent),
}

impl InviteOutcome {
    /// The interview exists, whatever its link.
    pub fn made(&self) -> bool {
        matches!(
            self,
            Self::Invited(_) | Self::InvitedWithoutLink(_) | Self::AlreadyExists
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200 answer with this JSON body, for the classifiers' tests.
    pub(crate) fn answered_200(body: serde_json::Value) -> Result<HttpReply, Transient> {
        Ok(HttpReply {
            retry_after: None,
            status: 200,
            body: body.to_string(),
        })
    }

    #[test]
    fn log_lines_and_dead_letters_name_each_failure_as_before() {
        let named = [
            (Transient::Timeout, "timeout"),
            (Transient::Network, "network"),
            (Transient::ServerError, "http_5xx"),
            (Transient::RateLimited, "http_429"),
            (Transient::Malformed, "malformed_response"),
            (Transient::QuotaExceeded, "quota_exceeded"),
            (Transient::Auth, "auth"),
            (Transient::Upstream, "upstream_error"),
            (Transient::AliasError, "alias_error"),
            (Transient::Paced, "paced"),
        ];
        for (transient, name) in named {
            assert_eq!(transient.as_str(), name);
        }
        let problems = [LinkProblem::NoLink, LinkProblem::UntrustedUrl].map(LinkProblem::as_str);
        assert_eq!(problems, ["no_link", "untrusted_url"]);
    }
}
