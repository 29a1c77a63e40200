//! Every answer Hireflix can give, classified once, here.
//!
//! Transport, HTTP status, JSON and the GraphQL union all fold into [`InviteOutcome`], so the
//! form handler and the queue consumer never look at a raw response and can never disagree
//! about what is worth retrying.

use super::interview_url::{InterviewUrl, TrustedHosts};
use crate::domain::Field;
use serde::Deserialize;
use serde_json::{Map, Value};

/// What came back over the wire, before any interpretation.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub body: String,
}

/// Why no HTTP reply came back at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportError {
    Timeout,
    Network,
}

/// A failure worth retrying later: it says nothing about the application itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    Timeout,
    Network,
    ServerError,
    RateLimited,
    Malformed,
    /// The account's monthly invite quota is used up; it frees up, or the plan is raised.
    QuotaExceeded,
    /// The key was refused. An operator fixes the secret and the queued invites then succeed.
    Auth,
    /// A top-level GraphQL error or a union member this code does not know.
    Upstream,
}

impl Transient {
    pub fn as_str(self) -> &'static str {
        match self {
            Transient::Timeout => "timeout",
            Transient::Network => "network",
            Transient::ServerError => "http_5xx",
            Transient::RateLimited => "http_429",
            Transient::Malformed => "malformed_response",
            Transient::QuotaExceeded => "quota_exceeded",
            Transient::Auth => "auth",
            Transient::Upstream => "upstream_error",
        }
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

impl Permanent {
    pub fn as_str(&self) -> &'static str {
        match self {
            Permanent::PositionNotFound => "position_not_found",
            Permanent::PositionNotReady => "position_not_ready",
            Permanent::Invalid(_) => "validation_error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteOutcome {
    Invited(InterviewUrl),
    /// This email or externalId already has an interview in the position: look it up.
    AlreadyExists,
    /// The interview exists (and Hireflix has emailed its link), but the link Hireflix gave us
    /// is missing or on a host we never redirect to. Done, not retried: a retry cannot mend it.
    InvitedWithoutLink(&'static str),
    Transient(Transient),
    Permanent(Permanent),
}

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
        } else {
            Transient::Upstream
        }
    }

    fn field(&self, name: &str) -> Result<&Value, Transient> {
        match self.data.as_ref().and_then(|d| d.get(name)) {
            Some(value) if !value.is_null() => Ok(value),
            _ => Err(self.missing_field_reason()),
        }
    }
}

impl GraphqlError {
    fn is_auth(&self) -> bool {
        let code = self
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let message = self.message.to_ascii_lowercase();
        matches!(code, "UNAUTHENTICATED" | "FORBIDDEN" | "UNAUTHORIZED")
            || ["api key", "api-key", "unauthori", "unauthenti", "forbidden"]
                .iter()
                .any(|needle| message.contains(needle))
    }
}

/// Status and JSON checks shared by every call.
fn envelope(reply: Result<HttpReply, TransportError>) -> Result<Envelope, Transient> {
    let reply = reply.map_err(|e| match e {
        TransportError::Timeout => Transient::Timeout,
        TransportError::Network => Transient::Network,
    })?;
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
        let candidates = [self.public.as_deref(), self.short.as_deref()];
        let given: Vec<&str> = candidates
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
        if given.is_empty() {
            return Err(InviteOutcome::InvitedWithoutLink("no_link"));
        }
        given
            .into_iter()
            .find_map(|raw| InterviewUrl::parse(raw, trusted))
            .ok_or(InviteOutcome::InvitedWithoutLink("untrusted_url"))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InviteMember {
    #[serde(rename = "__typename", default)]
    typename: String,
    #[serde(default)]
    url: Option<UrlSet>,
    #[serde(default)]
    field_errors: Option<Vec<HireflixFieldError>>,
    #[serde(default)]
    m6: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HireflixFieldError {
    #[serde(default)]
    flattened_path: String,
    #[serde(default)]
    message: String,
}

impl HireflixFieldError {
    /// `candidate.email` is our `email` field, `candidate.phone` our `phoneNumber`.
    fn form_field(&self) -> Option<Field> {
        match self.flattened_path.rsplit('.').next().unwrap_or_default() {
            "email" => Some(Field::Email),
            "firstName" => Some(Field::FirstName),
            "lastName" => Some(Field::LastName),
            "phone" | "phoneNumber" => Some(Field::PhoneNumber),
            _ => None,
        }
    }
}

fn classify_member(value: &Value, trusted: &TrustedHosts) -> InviteOutcome {
    let Ok(member) = InviteMember::deserialize(value) else {
        return InviteOutcome::Transient(Transient::Malformed);
    };
    match member.typename.as_str() {
        "InterviewType" => match member.url.as_ref().map(|u| u.interview_url(trusted)) {
            Some(Ok(url)) => InviteOutcome::Invited(url),
            Some(Err(outcome)) => outcome,
            None => InviteOutcome::InvitedWithoutLink("no_link"),
        },
        "InterviewAlreadyExistsInPositionError"
        | "InterviewExternalIdAlreadyExistsInPositionError" => InviteOutcome::AlreadyExists,
        "ExceededInvitesThisPeriodError" => InviteOutcome::Transient(Transient::QuotaExceeded),
        "PositionNotFoundError" => InviteOutcome::Permanent(Permanent::PositionNotFound),
        "PositionNotReadyToAcceptInvitesError" => {
            InviteOutcome::Permanent(Permanent::PositionNotReady)
        }
        "ValidationError" => {
            let mut errors: Vec<(Option<Field>, String)> = member
                .field_errors
                .unwrap_or_default()
                .into_iter()
                .map(|e| (e.form_field(), e.message))
                .collect();
            if errors.is_empty() {
                errors.push((None, member.m6.unwrap_or_default()));
            }
            InviteOutcome::Permanent(Permanent::Invalid(errors))
        }
        "" => InviteOutcome::Transient(Transient::Malformed),
        _ => InviteOutcome::Transient(Transient::Upstream),
    }
}

/// Classifies the answer to [`super::documents::invite_request`] for `count` invites: one
/// outcome per alias, in order, whatever came back.
pub fn classify_invites(
    reply: Result<HttpReply, TransportError>,
    count: usize,
    trusted: &TrustedHosts,
) -> Vec<InviteOutcome> {
    let envelope = match envelope(reply) {
        Ok(envelope) => envelope,
        Err(reason) => return vec![InviteOutcome::Transient(reason); count],
    };
    (1..=count)
        .map(
            |n| match envelope.field(&super::documents::invite_alias(n)) {
                Ok(value) => classify_member(value, trusted),
                Err(reason) => InviteOutcome::Transient(reason),
            },
        )
        .collect()
}

/// The answer to [`super::documents::find_interview_request`]: the interview's link, or
/// `None` when Hireflix has none for that email.
/// An interview found by email: its link, and the names it was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundInterview {
    pub url: InterviewUrl,
    pub first_name: String,
    pub last_name: String,
}

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
        .ok_or(InviteOutcome::InvitedWithoutLink("no_link"))?;
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

/// A position as Hireflix lists it.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct Position {
    pub id: String,
    pub name: String,
    /// Epoch milliseconds when archived; an archived position takes no applications.
    #[serde(default)]
    pub archived: Option<f64>,
}

impl Position {
    pub fn is_open(&self) -> bool {
        self.archived.is_none()
    }
}

pub fn parse_positions(
    reply: Result<HttpReply, TransportError>,
) -> Result<Vec<Position>, Transient> {
    let envelope = envelope(reply)?;
    let list = envelope
        .field("positions")?
        .as_array()
        .ok_or(Transient::Malformed)?;
    // One odd entry should not hide every other position.
    Ok(list
        .iter()
        .filter_map(|p| Position::deserialize(p).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn ok(body: Value) -> Result<HttpReply, TransportError> {
        Ok(HttpReply {
            status: 200,
            body: body.to_string(),
        })
    }

    fn one(reply: Result<HttpReply, TransportError>) -> InviteOutcome {
        let mut outcomes = classify_invites(reply, 1, &TrustedHosts::hireflix_only());
        assert_eq!(outcomes.len(), 1);
        outcomes.remove(0)
    }

    fn member(value: Value) -> InviteOutcome {
        one(ok(json!({ "data": { "r1": value } })))
    }

    #[test]
    fn success_yields_the_public_link() {
        let outcome = member(json!({
            "__typename": "InterviewType", "id": "68d4164f19367e041b2030c0",
            "url": { "short": "https://hflx.io/c/HQ2oCtTC", "public": "https://app.hireflix.com/HQ2oCtTC" }
        }));
        let InviteOutcome::Invited(url) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(url.as_str(), "https://app.hireflix.com/HQ2oCtTC");
    }

    #[test]
    fn short_link_is_used_when_public_is_missing_or_foreign() {
        for urls in [
            json!({ "short": "https://hflx.io/c/HQ2oCtTC" }),
            json!({ "short": "https://hflx.io/c/HQ2oCtTC", "public": "https://evil.example/x" }),
        ] {
            let outcome = member(json!({ "__typename": "InterviewType", "id": "1", "url": urls }));
            let InviteOutcome::Invited(url) = outcome else {
                panic!("{outcome:?}")
            };
            assert_eq!(url.as_str(), "https://hflx.io/c/HQ2oCtTC");
        }
    }

    #[test]
    fn foreign_links_are_never_redirect_targets() {
        let outcome = member(json!({
            "__typename": "InterviewType", "id": "1", "url": { "public": "https://evil.example/x" }
        }));
        assert_eq!(outcome, InviteOutcome::InvitedWithoutLink("untrusted_url"));
        let no_link = member(json!({ "__typename": "InterviewType", "id": "1" }));
        assert_eq!(no_link, InviteOutcome::InvitedWithoutLink("no_link"));
    }

    #[test]
    fn every_union_member_is_classified() {
        let cases = [
            (
                "InterviewAlreadyExistsInPositionError",
                InviteOutcome::AlreadyExists,
            ),
            (
                "InterviewExternalIdAlreadyExistsInPositionError",
                InviteOutcome::AlreadyExists,
            ),
            (
                "ExceededInvitesThisPeriodError",
                InviteOutcome::Transient(Transient::QuotaExceeded),
            ),
            (
                "PositionNotFoundError",
                InviteOutcome::Permanent(Permanent::PositionNotFound),
            ),
            (
                "PositionNotReadyToAcceptInvitesError",
                InviteOutcome::Permanent(Permanent::PositionNotReady),
            ),
            (
                "SomethingNewError",
                InviteOutcome::Transient(Transient::Upstream),
            ),
        ];
        for (typename, expected) in cases {
            assert_eq!(
                member(json!({ "__typename": typename, "code": 400, "m1": "x" })),
                expected,
                "{typename}"
            );
        }
    }

    #[test]
    fn validation_errors_map_to_form_fields() {
        let outcome = member(json!({
            "__typename": "ValidationError", "code": 400, "m6": "Invalid input",
            "fieldErrors": [
                { "flattenedPath": "candidate.phone", "message": "Phone must be international" },
                { "flattenedPath": "externalId", "message": "Too long" }
            ]
        }));
        assert_eq!(
            outcome,
            InviteOutcome::Permanent(Permanent::Invalid(vec![
                (
                    Some(Field::PhoneNumber),
                    "Phone must be international".into()
                ),
                (None, "Too long".into()),
            ]))
        );
    }

    #[test]
    fn transport_and_status_failures_are_transient() {
        let cases = [
            (Err(TransportError::Timeout), Transient::Timeout),
            (Err(TransportError::Network), Transient::Network),
            (
                Ok(HttpReply {
                    status: 500,
                    body: "oops".into(),
                }),
                Transient::ServerError,
            ),
            (
                Ok(HttpReply {
                    status: 503,
                    body: "".into(),
                }),
                Transient::ServerError,
            ),
            (
                Ok(HttpReply {
                    status: 429,
                    body: "".into(),
                }),
                Transient::RateLimited,
            ),
            (
                Ok(HttpReply {
                    status: 401,
                    body: "".into(),
                }),
                Transient::Auth,
            ),
            (
                Ok(HttpReply {
                    status: 403,
                    body: "{}".into(),
                }),
                Transient::Auth,
            ),
            (
                Ok(HttpReply {
                    status: 200,
                    body: "{\"data\": {\"r1\": {\"__type".into(),
                }),
                Transient::Malformed,
            ),
            (
                Ok(HttpReply {
                    status: 200,
                    body: "<html>".into(),
                }),
                Transient::Malformed,
            ),
            (
                Ok(HttpReply {
                    status: 200,
                    body: "{}".into(),
                }),
                Transient::Malformed,
            ),
            (
                Ok(HttpReply {
                    status: 200,
                    body: "[]".into(),
                }),
                Transient::Malformed,
            ),
        ];
        for (reply, expected) in cases {
            assert_eq!(
                one(reply.clone()),
                InviteOutcome::Transient(expected),
                "{reply:?}"
            );
        }
    }

    #[test]
    fn top_level_errors_are_told_apart() {
        let auth = ok(json!({ "data": null, "errors": [{ "message": "Invalid API key" }] }));
        assert_eq!(one(auth), InviteOutcome::Transient(Transient::Auth));
        let coded = ok(
            json!({ "errors": [{ "message": "no", "extensions": { "code": "UNAUTHENTICATED" } }] }),
        );
        assert_eq!(one(coded), InviteOutcome::Transient(Transient::Auth));
        let schema = Ok(HttpReply {
            status: 400,
            body:
                json!({ "errors": [{ "message": "Cannot query field \"x\" on type \"Query\"." }] })
                    .to_string(),
        });
        assert_eq!(one(schema), InviteOutcome::Transient(Transient::Upstream));
    }

    #[test]
    fn a_batch_answers_each_alias_on_its_own() {
        let reply = ok(json!({
            "data": {
                "r1": { "__typename": "InterviewType", "id": "1", "url": { "public": "https://app.hireflix.com/a" } },
                "r2": { "__typename": "ExceededInvitesThisPeriodError", "code": 403, "m3": "quota" },
                "r3": { "__typename": "InterviewAlreadyExistsInPositionError", "code": 409, "m1": "exists" },
                "r4": null,
            },
            "errors": [{ "message": "internal error", "path": ["r4"] }]
        }));
        let outcomes = classify_invites(reply, 5, &TrustedHosts::hireflix_only());
        assert_eq!(outcomes.len(), 5);
        assert!(matches!(outcomes[0], InviteOutcome::Invited(_)));
        assert_eq!(
            outcomes[1],
            InviteOutcome::Transient(Transient::QuotaExceeded)
        );
        assert_eq!(outcomes[2], InviteOutcome::AlreadyExists);
        assert_eq!(outcomes[3], InviteOutcome::Transient(Transient::Upstream));
        assert_eq!(outcomes[4], InviteOutcome::Transient(Transient::Upstream));
    }

    #[test]
    fn a_failed_batch_fails_every_member() {
        let outcomes = classify_invites(
            Err(TransportError::Timeout),
            3,
            &TrustedHosts::hireflix_only(),
        );
        assert_eq!(
            outcomes,
            vec![InviteOutcome::Transient(Transient::Timeout); 3]
        );
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

    #[test]
    fn positions_parse_and_archived_ones_are_closed() {
        let reply = ok(json!({ "data": { "positions": [
            { "id": "a", "name": "Open", "archived": null },
            { "id": "b", "name": "Closed", "archived": 1700000000000u64 },
            { "name": "broken" }
        ] } }));
        let positions = parse_positions(reply).unwrap();
        assert_eq!(positions.len(), 2);
        assert!(positions[0].is_open());
        assert!(!positions[1].is_open());
    }

    proptest! {
        #[test]
        fn any_body_and_status_gives_one_outcome_per_alias(status in 100u16..600, body in "\\PC{0,200}", count in 1usize..6) {
            let outcomes = classify_invites(Ok(HttpReply { status, body }), count, &TrustedHosts::hireflix_only());
            prop_assert_eq!(outcomes.len(), count);
        }

        #[test]
        fn arbitrary_json_members_never_panic(typename in "[A-Za-z]{0,40}", url in "\\PC{0,60}") {
            let body = json!({ "data": { "r1": { "__typename": typename, "url": { "public": url } } } });
            let _ = one(ok(body));
        }
    }
}
