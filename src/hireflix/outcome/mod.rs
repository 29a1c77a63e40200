//! Every answer Hireflix can give, classified once: transport, HTTP status, JSON and the
//! GraphQL union fold into [`InviteOutcome`], so the form and the queue never look at a raw
//! response. One file per operation, on top of the shared reply checks.

mod invite;
mod lookup;
mod positions;

pub use invite::classify_invites;
pub use lookup::{parse_found_interview, FoundInterview};
pub use positions::{parse_positions, Position};

use super::interview_url::{InterviewUrl, TrustedHosts};
use crate::domain::Field;
use serde::Deserialize;
use serde_json::{Map, Value};
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

// The checks every reply goes through: transport, HTTP status, JSON, top-level GraphQL
// errors; and the interview links that invites and look-ups share.

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    data: Option<Map<String, Value>>,
    #[serde(default)]
    errors: Option<Vec<GraphqlError>>,
}

#[derive(Deserialize)]
struct GraphqlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<Value>,
    /// Where in `data` the error is: its first element is the alias of the invite it is about.
    #[serde(default)]
    path: Option<Vec<Value>>,
}

impl Envelope {
    /// Why a field the document asked for is missing from `data`.
    fn missing_field_reason(&self) -> Transient {
        let errors = self.errors.as_deref().unwrap_or_default();
        if errors.is_empty() {
            return Transient::Malformed;
        }
        if errors.iter().any(GraphqlError::is_auth) {
            Transient::Auth
        } else if errors.iter().any(GraphqlError::is_throttling) {
            // How many GraphQL servers say "slow down": HTTP 200 and a top-level error.
            Transient::RateLimited
        } else {
            Transient::Upstream
        }
    }

    fn field(&self, name: &str) -> Result<&Value, Transient> {
        match self.data.as_ref().and_then(|d| d.get(name)) {
            Some(value) if !value.is_null() => Ok(value),
            _ => match self.missing_field_reason() {
                Transient::Upstream if self.names(name) => Err(Transient::AliasError),
                reason => Err(reason),
            },
        }
    }

    /// Some error's path starts at this alias.
    fn names(&self, alias: &str) -> bool {
        let errors = self.errors.as_deref().unwrap_or_default();
        errors.iter().any(|e| {
            e.path
                .as_deref()
                .and_then(<[Value]>::first)
                .and_then(Value::as_str)
                == Some(alias)
        })
    }
}

impl GraphqlError {
    fn code(&self) -> &str {
        self.extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    fn is_auth(&self) -> bool {
        let message = self.message.to_ascii_lowercase();
        matches!(
            self.code(),
            "UNAUTHENTICATED" | "FORBIDDEN" | "UNAUTHORIZED"
        ) || ["api key", "api-key", "unauthori", "unauthenti", "forbidden"]
            .iter()
            .any(|needle| message.contains(needle))
    }

    fn is_throttling(&self) -> bool {
        let message = self.message.to_ascii_lowercase();
        matches!(
            self.code().to_ascii_uppercase().as_str(),
            "RATE_LIMITED" | "RATE_LIMIT_EXCEEDED" | "TOO_MANY_REQUESTS" | "THROTTLED"
        ) || ["rate limit", "rate-limit", "too many requests", "throttl"]
            .iter()
            .any(|needle| message.contains(needle))
    }
}

/// Status and JSON checks shared by every call.
fn envelope(reply: Result<HttpReply, Transient>) -> Result<Envelope, Transient> {
    let reply = reply?;
    match reply.status {
        200..=299 => {}
        401 | 403 => return Err(Transient::Auth),
        429 => return Err(Transient::RateLimited),
        500..=599 => return Err(Transient::ServerError),
        // GraphQL servers answer 400 for a document they cannot run; the body says why.
        _ => {
            return Err(serde_json::from_str::<Envelope>(&reply.body)
                .map(|e| e.missing_field_reason())
                .unwrap_or(Transient::Upstream))
        }
    }
    serde_json::from_str(&reply.body).map_err(|_| Transient::Malformed)
}

#[derive(Deserialize)]
struct UrlSet {
    #[serde(default)]
    public: Option<String>,
    #[serde(default)]
    short: Option<String>,
}

impl UrlSet {
    /// The public link opens the interview directly; the short one is a redirect to it.
    fn interview_url(&self, trusted: &TrustedHosts) -> Result<InterviewUrl, InviteOutcome> {
        let given = [&self.public, &self.short].map(|u| u.as_deref().filter(|s| !s.is_empty()));
        let problem = match given {
            [None, None] => LinkProblem::NoLink,
            _ => LinkProblem::UntrustedUrl,
        };
        given
            .into_iter()
            .flatten()
            .find_map(|raw| InterviewUrl::parse(raw, trusted))
            .ok_or(InviteOutcome::InvitedWithoutLink(problem))
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
        let problems = [LinkProblem::NoLink, LinkProblem::UntrustedUrl].map(<&str>::from);
        assert_eq!(problems, ["no_link", "untrusted_url"]);
    }
}
