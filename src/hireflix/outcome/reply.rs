//! The checks every Hireflix reply goes through: transport, HTTP status, JSON, top-level
//! GraphQL errors; and the interview links that invites and look-ups share.

use super::{HttpReply, InviteOutcome, LinkProblem, Transient};
use crate::hireflix::interview_url::{InterviewUrl, TrustedHosts};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
pub(super) struct Envelope {
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

    pub(super) fn field(&self, name: &str) -> Result<&Value, Transient> {
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
pub(super) fn envelope(reply: Result<HttpReply, Transient>) -> Result<Envelope, Transient> {
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
pub(super) struct UrlSet {
    #[serde(default)]
    public: Option<String>,
    #[serde(default)]
    short: Option<String>,
}

impl UrlSet {
    /// The public link opens the interview directly; the short one is a redirect to it.
    pub(super) fn interview_url(
        &self,
        trusted: &TrustedHosts,
    ) -> Result<InterviewUrl, InviteOutcome> {
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
