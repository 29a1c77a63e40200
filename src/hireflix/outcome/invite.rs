//! The answer to an invite: one union member per alias.

use super::{envelope, HttpReply, InviteOutcome, LinkProblem, Permanent, Transient, UrlSet};
use crate::domain::Field;
use crate::hireflix::documents::invite_alias;
use crate::hireflix::interview_url::TrustedHosts;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InviteMember {
    #[serde(rename = "__typename", default)]
    typename: String,
    url: Option<UrlSet>,
    /// Whatever shape it came in: a list of field errors is used, anything else ignored.
    field_errors: Option<Value>,
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

/// The form field a validation message names, when it names exactly one.
fn field_named_in(message: &str) -> Option<Field> {
    let lower = message.to_ascii_lowercase();
    let mut named = [
        (Field::PhoneNumber, "phone"),
        (Field::Email, "email"),
        (Field::FirstName, "first"),
        (Field::LastName, "last"),
    ]
    .into_iter()
    .filter(|(_, word)| lower.contains(word));
    match (named.next(), named.next()) {
        (Some((one, _)), None) => Some(one),
        _ => None,
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
            None => InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink),
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
                .and_then(|v| Vec::<HireflixFieldError>::deserialize(v).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|e| (e.form_field(), e.message))
                .collect();
            if errors.is_empty() {
                let message = member.m6.unwrap_or_default();
                errors.push((field_named_in(&message), message));
            }
            InviteOutcome::Permanent(Permanent::Invalid(errors))
        }
        "" => InviteOutcome::Transient(Transient::Malformed),
        _ => InviteOutcome::Transient(Transient::Upstream),
    }
}

/// One outcome per alias of an invite request for `count` invites, in order, whatever came back.
pub fn classify_invites(
    reply: Result<HttpReply, Transient>,
    count: usize,
    trusted: &TrustedHosts,
) -> Vec<InviteOutcome> {
    let envelope = match envelope(reply) {
        Ok(envelope) => envelope,
        Err(reason) => return vec![InviteOutcome::Transient(reason); count],
    };
    let outcome = |n| match envelope.field(&invite_alias(n)) {
        Ok(value) => classify_member(value, trusted),
        Err(reason) => InviteOutcome::Transient(reason),
    };
    (1..=count).map(outcome).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    use crate::hireflix::outcome::tests::answered_200 as ok;

    fn one(reply: Result<HttpReply, Transient>) -> InviteOutcome {
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
        assert_eq!(
            outcome,
            InviteOutcome::InvitedWithoutLink(LinkProblem::UntrustedUrl)
        );
        let no_link = member(json!({ "__typename": "InterviewType", "id": "1" }));
        assert_eq!(
            no_link,
            InviteOutcome::InvitedWithoutLink(LinkProblem::NoLink)
        );
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
    fn a_validation_message_alone_lands_on_the_field_it_names() {
        let outcome = member(json!({
            "__typename": "ValidationError", "code": 400,
            "m6": "candidate.phone must be in international format"
        }));
        assert_eq!(
            outcome,
            InviteOutcome::Permanent(Permanent::Invalid(vec![(
                Some(Field::PhoneNumber),
                "candidate.phone must be in international format".into()
            )]))
        );
        let vague = member(json!({ "__typename": "ValidationError", "m6": "Invalid input" }));
        assert_eq!(
            vague,
            InviteOutcome::Permanent(Permanent::Invalid(vec![(None, "Invalid input".into())]))
        );
    }

    #[test]
    fn field_errors_of_an_unexpected_shape_are_ignored_not_fatal() {
        // An API catalogue shows `fieldErrors: {}`: a JSON scalar, not a list.
        let outcome = member(json!({
            "__typename": "ValidationError", "m6": "Bad email", "fieldErrors": {}
        }));
        assert_eq!(
            outcome,
            InviteOutcome::Permanent(Permanent::Invalid(vec![(
                Some(Field::Email),
                "Bad email".into()
            )]))
        );
    }

    #[test]
    fn transport_and_status_failures_are_transient() {
        let cases = [
            (Err(Transient::Timeout), Transient::Timeout),
            (Err(Transient::Network), Transient::Network),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 500,
                    body: "oops".into(),
                }),
                Transient::ServerError,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 503,
                    body: "".into(),
                }),
                Transient::ServerError,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 429,
                    body: "".into(),
                }),
                Transient::RateLimited,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 401,
                    body: "".into(),
                }),
                Transient::Auth,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 403,
                    body: "{}".into(),
                }),
                Transient::Auth,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 200,
                    body: "{\"data\": {\"r1\": {\"__type".into(),
                }),
                Transient::Malformed,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 200,
                    body: "<html>".into(),
                }),
                Transient::Malformed,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
                    status: 200,
                    body: "{}".into(),
                }),
                Transient::Malformed,
            ),
            (
                Ok(HttpReply {
                    retry_after: None,
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
            retry_after: None,
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
        // The error names r4: its problem may be its own. r5 is simply missing.
        assert_eq!(outcomes[3], InviteOutcome::Transient(Transient::AliasError));
        assert_eq!(outcomes[4], InviteOutcome::Transient(Transient::Upstream));
    }

    #[test]
    fn throttling_with_http_200_and_errors_is_a_rate_limit_not_a_per_invite_problem() {
        for error in [
            json!({ "message": "Too many requests, slow down" }),
            json!({ "message": "nope", "extensions": { "code": "RATE_LIMITED" } }),
            json!({ "message": "Request throttled", "path": ["r1"] }),
        ] {
            let reply = ok(json!({ "data": null, "errors": [error] }));
            let outcomes = classify_invites(reply, 3, &TrustedHosts::hireflix_only());
            assert_eq!(
                outcomes,
                vec![InviteOutcome::Transient(Transient::RateLimited); 3]
            );
        }
        // An error naming no alias fails the batch as a whole: nothing points at one invite.
        let whole = ok(json!({ "data": null, "errors": [{ "message": "Internal server error" }] }));
        assert_eq!(
            classify_invites(whole, 2, &TrustedHosts::hireflix_only()),
            vec![InviteOutcome::Transient(Transient::Upstream); 2]
        );
    }

    #[test]
    fn a_failed_batch_fails_every_member() {
        let outcomes = classify_invites(Err(Transient::Timeout), 3, &TrustedHosts::hireflix_only());
        assert_eq!(
            outcomes,
            vec![InviteOutcome::Transient(Transient::Timeout); 3]
        );
    }

    proptest! {
        #[test]
        fn any_body_and_status_gives_one_outcome_per_alias(status in 100u16..600, body in "\\PC{0,200}", count in 1usize..6) {
            let outcomes = classify_invites(Ok(HttpReply { status, retry_after: None, body }), count, &TrustedHosts::hireflix_only());
            prop_assert_eq!(outcomes.len(), count);
        }

        #[test]
        fn arbitrary_json_members_never_panic(typename in "[A-Za-z]{0,40}", url in "\\PC{0,60}") {
            let body = json!({ "data": { "r1": { "__typename": typename, "url": { "public": url } } } });
            let _ = one(ok(body));
        }
    }
}
