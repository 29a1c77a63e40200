//! Every answer Hireflix can give, classified once into [`InviteOutcome`] (transport, HTTP
//! status, JSON, the GraphQL union), so the form and the queue never read a raw response.

mod invite;
mod reads;

pub use invite::classify_invites;
pub use reads::{parse_found_interview, parse_positions, FoundInterview, Position};

use super::interview_url::{InterviewUrl, TrustedHosts};
use crate::domain::Field;
use serde::Deserialize;
use serde_json::{Map, Value};
use strum_macros::IntoStaticStr;

pub use crate::fetch::Reply as HttpReply;

/// A failure worth retrying later: it says nothing about the application itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Transient {
    /// No reply (the body included) within the timeout.
    Timeout,
    Network,
    #[strum(serialize = "http_5xx")]
    ServerError,
    #[strum(serialize = "http_429")]
    RateLimited,
    #[strum(serialize = "malformed_response")]
    Malformed,
    /// The plan's invite quota is used up.
    QuotaExceeded,
    /// The key was refused: queued invites succeed once an operator fixes it.
    Auth,
    /// A top-level GraphQL error, or a union member this code does not know.
    #[strum(serialize = "upstream_error")]
    Upstream,
    /// A top-level GraphQL error naming this invite's alias: the problem may be this invite's
    /// own, so a batch that failed with it is tried again one invite per call.
    AliasError,
    /// Not sent: our pace had no slot in time, or the quota is held.
    Paced,
}

impl Transient {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A failure no retry can mend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permanent {
    PositionNotFound,
    PositionNotReady,
    /// Hireflix refused the candidate's data; each message by our form field where it names one.
    Invalid(Vec<(Option<Field>, String)>),
}

/// Why an interview that exists cannot be linked to: no link, or one on a host we never send
/// a candidate to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum LinkProblem {
    NoLink,
    UntrustedUrl,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteOutcome {
    Invited(InterviewUrl),
    /// This email or externalId already has an interview in the position: look it up.
    AlreadyExists,
    /// Made (Hireflix has emailed its link), but the link we got is unusable: not retried.
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

#[derive(Deserialize)]
struct Envelope {
    data: Option<Map<String, Value>>,
    errors: Option<Vec<GraphqlError>>,
}

#[derive(Deserialize)]
struct GraphqlError {
    #[serde(default)]
    message: String,
    extensions: Option<Value>,
    /// Where in `data` the error is: its first element is the alias of the invite it is about.
    path: Option<Vec<Value>>,
}

impl Envelope {
    fn errors(&self) -> &[GraphqlError] {
        self.errors.as_deref().unwrap_or_default()
    }

    /// Why a field the document asked for is missing from `data`.
    fn missing_field_reason(&self) -> Transient {
        let errors = self.errors();
        if errors.is_empty() {
            Transient::Malformed
        } else if errors.iter().any(GraphqlError::is_auth) {
            Transient::Auth
        } else if errors.iter().any(GraphqlError::is_throttling) {
            // How many GraphQL servers say "slow down": HTTP 200 and a top-level error.
            Transient::RateLimited
        } else {
            Transient::Upstream
        }
    }

    fn field(&self, name: &str) -> Result<&Value, Transient> {
        let value = self.data.as_ref().and_then(|d| d.get(name));
        if let Some(value) = value.filter(|v| !v.is_null()) {
            return Ok(value);
        }
        let named = |e: &GraphqlError| e.alias() == Some(name);
        match self.missing_field_reason() {
            Transient::Upstream if self.errors().iter().any(named) => Err(Transient::AliasError),
            reason => Err(reason),
        }
    }
}

impl GraphqlError {
    fn alias(&self) -> Option<&str> {
        self.path.as_deref()?.first()?.as_str()
    }

    fn code(&self) -> &str {
        let code = self.extensions.as_ref().and_then(|e| e.get("code"));
        code.and_then(Value::as_str).unwrap_or_default()
    }

    fn says(&self, words: &[&str]) -> bool {
        let message = self.message.to_ascii_lowercase();
        words.iter().any(|word| message.contains(word))
    }

    fn is_auth(&self) -> bool {
        ["UNAUTHENTICATED", "FORBIDDEN", "UNAUTHORIZED"].contains(&self.code())
            || self.says(&["api key", "api-key", "unauthori", "unauthenti", "forbidden"])
    }

    fn is_throttling(&self) -> bool {
        matches!(
            self.code().to_ascii_uppercase().as_str(),
            "RATE_LIMITED" | "RATE_LIMIT_EXCEEDED" | "TOO_MANY_REQUESTS" | "THROTTLED"
        ) || self.says(&["rate limit", "rate-limit", "too many requests", "throttl"])
    }
}

fn envelope(reply: Result<HttpReply, Transient>) -> Result<Envelope, Transient> {
    let reply = reply?;
    let parsed = || serde_json::from_str::<Envelope>(&reply.body);
    match reply.status {
        200..=299 => parsed().map_err(|_| Transient::Malformed),
        401 | 403 => Err(Transient::Auth),
        429 => Err(Transient::RateLimited),
        500..=599 => Err(Transient::ServerError),
        // GraphQL servers answer 400 for a document they cannot run; the body says why.
        _ => Err(parsed().map_or(Transient::Upstream, |e| e.missing_field_reason())),
    }
}

#[derive(Deserialize)]
struct UrlSet {
    public: Option<String>,
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
        let url = given
            .into_iter()
            .flatten()
            .find_map(|raw| InterviewUrl::parse(raw, trusted));
        url.ok_or(InviteOutcome::InvitedWithoutLink(problem))
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
