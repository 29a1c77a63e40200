//! GraphQL documents and their variables. Values travel only as variables, never spliced
//! into a document, so no input can change what is asked.

use crate::domain::{Application, PositionId};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// The invite's result is a union: business errors arrive as members with HTTP 200. `message`
/// is aliased per member: GraphQL forbids one field two types across fragments, and
/// Hireflix's members do not promise one. Only what Hireflix's docs or two independent clients
/// confirm, as one wrong selection fails every invite: `ValidationError.fieldErrors`, whose
/// type public clients disagree on, is asked for only after a validation error named no field.
macro_rules! invite_selection {
    ($validation_extra:literal) => {
        concat!(
            "{
    __typename
    ... on InterviewType { id url { public short } }
    ... on InterviewAlreadyExistsInPositionError { code m1: message }
    ... on InterviewExternalIdAlreadyExistsInPositionError { code m2: message }
    ... on ExceededInvitesThisPeriodError { code m3: message }
    ... on PositionNotFoundError { code m4: message }
    ... on PositionNotReadyToAcceptInvitesError { code m5: message }
    ... on ValidationError { code m6: message",
            $validation_extra,
            " }
  }"
        )
    };
}

const INVITE_SELECTION: &str = invite_selection!("");
const VALIDATION_DETAIL_SELECTION: &str =
    invite_selection!(" fieldErrors { flattenedPath message }");

/// One document inviting `count` candidates, each under its own alias (`r1`, `r2`, ...), so a
/// batch costs one HTTP request and each invite still gets its own answer.
fn invite_document(count: usize, selection: &str) -> String {
    let mut params = Vec::with_capacity(count);
    let mut fields = String::new();
    for n in 1..=count {
        params.push(format!("$i{n}: InviteCandidateToInterviewInput!"));
        fields.push_str(&format!(
            "  {alias}: inviteCandidateToInterview(input: $i{n}) {selection}\n",
            alias = invite_alias(n)
        ));
    }
    format!("mutation Invite({}) {{\n{fields}}}", params.join(", "))
}

pub fn invite_alias(n: usize) -> String {
    format!("r{n}")
}

/// Serialized straight from these types: a `serde_json::Value` tree cost more than printing.
#[derive(Serialize)]
struct GraphqlRequest<'a, V> {
    query: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    variables: Option<V>,
}

fn request_body<V: Serialize>(query: &str, variables: Option<V>) -> String {
    // Strings and string-keyed maps only: serializing cannot fail.
    serde_json::to_string(&GraphqlRequest { query, variables }).unwrap_or_default()
}

/// `{"i1": ..., "i2": ...}`, each invite under its alias's variable. Written out: a `BTreeMap`
/// costs the wasm 3.4 KB gzip.
struct InviteVariables<'a>(Vec<InviteInput<'a>>);

impl Serialize for InviteVariables<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (i, invite) in self.0.iter().enumerate() {
            let app = invite.application;
            let input = InviteCandidateInput {
                position_id: invite.position.as_str(),
                external_id: invite.external_id,
                candidate: CandidateInput {
                    email: app.email.as_str(),
                    first_name: app.first_name.as_str(),
                    last_name: app.last_name.as_str(),
                    phone: app.phone.as_ref().map(|p| p.as_str()),
                },
            };
            map.serialize_entry(&format!("i{}", i + 1), &input)?;
        }
        map.end()
    }
}

/// The request body inviting these candidates, `r1` being the first.
pub fn invite_request<'a>(invites: impl ExactSizeIterator<Item = InviteInput<'a>>) -> String {
    let document = invite_document(invites.len(), INVITE_SELECTION);
    request_body(&document, Some(InviteVariables(invites.collect())))
}

pub fn validation_detail_request(invite: InviteInput<'_>) -> String {
    let document = invite_document(1, VALIDATION_DETAIL_SELECTION);
    request_body(&document, Some(InviteVariables(vec![invite])))
}

#[derive(Debug, Clone, Copy)]
pub struct InviteInput<'a> {
    pub position: &'a PositionId,
    pub application: &'a Application,
    pub external_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InviteCandidateInput<'a> {
    position_id: &'a str,
    external_id: &'a str,
    candidate: CandidateInput<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CandidateInput<'a> {
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
}

const FIND_INTERVIEW: &str = "query FindInterview($positionId: String!, $email: String!) {
  position(id: $positionId) {
    interviewList(input: {
      filter: { email: { equal: $email } }
      pagination: { limit: 1 }
      sort: [{ field: createdAt, direction: DESC }]
    }) {
      results { id createdAt url { public short } candidate { firstName lastName } }
    }
  }
}";

/// The newest interview of this email in this position. `equal`, not `regex`: `+` and `.`
/// are common in addresses.
pub fn find_interview_request(position: &PositionId, email: &str) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Variables<'a> {
        position_id: &'a str,
        email: &'a str,
    }
    let position_id = position.as_str();
    request_body(FIND_INTERVIEW, Some(Variables { position_id, email }))
}

const POSITIONS: &str = "query Positions { positions { id name archived description } }";

pub fn positions_request() -> String {
    request_body::<()>(POSITIONS, None)
}

/// One GraphQL document the worker sends, as `scripts/check-hireflix` validates it.
pub struct SentDocument {
    pub name: &'static str,
    pub query: String,
    /// Safe to run against the real API: it reads and invites nobody.
    pub read_only: bool,
    /// The worker works without it (its failure only loses detail).
    pub optional: bool,
}

/// Every document the worker can send, taken from the same constants the client uses.
pub fn every_document() -> Vec<SentDocument> {
    let detail = invite_document(1, VALIDATION_DETAIL_SELECTION);
    let invite = |count| invite_document(count, INVITE_SELECTION);
    [
        ("Positions", POSITIONS.to_string(), true, false),
        ("FindInterview", FIND_INTERVIEW.to_string(), true, false),
        ("Invite (one)", invite(1), false, false),
        ("Invite (batch of 2)", invite(2), false, false),
        ("Invite (validation detail)", detail, false, true),
    ]
    .map(|(name, query, read_only, optional)| SentDocument {
        name,
        query,
        read_only,
        optional,
    })
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ApplicationForm;
    use serde_json::{json, Value};

    fn parsed(body: &str) -> Value {
        serde_json::from_str(body).unwrap()
    }

    fn application(phone: &str) -> Application {
        ApplicationForm::from_pairs([
            ("firstName", "Ann"),
            // Names can no longer carry GraphQL syntax (see domain::name); an apostrophe still
            // would break a document that spliced values into its text.
            ("lastName", "O'Lee"),
            ("email", "ann@example.com"),
            ("phoneNumber", phone),
        ])
        .parse()
        .unwrap()
    }

    #[test]
    fn a_batch_has_one_aliased_field_and_variable_per_invite() {
        let position = PositionId::parse("68b43e38b19cf131a17c543f").unwrap();
        let app = application("");
        let input = InviteInput {
            position: &position,
            application: &app,
            external_id: "x1",
        };
        let body = parsed(&invite_request([input, input, input].into_iter()));
        let document = body["query"].as_str().unwrap();
        assert_eq!(document.matches("inviteCandidateToInterview(").count(), 3);
        for n in 1..=3 {
            assert!(document.contains(&format!("r{n}: inviteCandidateToInterview(input: $i{n})")));
            assert!(document.contains(&format!("$i{n}: InviteCandidateToInterviewInput!")));
            assert_eq!(body["variables"][format!("i{n}")]["externalId"], "x1");
        }
    }

    fn one_invite(phone: &str) -> Value {
        let position = PositionId::parse("68b43e38b19cf131a17c543f").unwrap();
        let app = application(phone);
        let input = InviteInput {
            position: &position,
            application: &app,
            external_id: "x",
        };
        parsed(&invite_request([input].into_iter()))
    }

    #[test]
    fn user_input_stays_in_variables() {
        let body = one_invite("+44 20 7946 0958");
        assert!(!body["query"].as_str().unwrap().contains("Lee"));
        let candidate = &body["variables"]["i1"]["candidate"];
        assert_eq!(candidate["lastName"], "O'Lee");
        assert_eq!(candidate["phone"], "+442079460958");
        assert_eq!(
            body["variables"]["i1"]["positionId"],
            "68b43e38b19cf131a17c543f"
        );
    }

    #[test]
    fn phone_is_left_out_when_not_given() {
        let body = one_invite("");
        assert!(body["variables"]["i1"]["candidate"].get("phone").is_none());
    }

    #[test]
    fn an_invite_body_is_the_document_and_its_variables_only() {
        let body = one_invite("+44 20 7946 0958");
        assert_eq!(
            body,
            json!({
                "query": invite_document(1, INVITE_SELECTION),
                "variables": { "i1": {
                    "positionId": "68b43e38b19cf131a17c543f",
                    "externalId": "x",
                    "candidate": {
                        "email": "ann@example.com",
                        "firstName": "Ann",
                        "lastName": "O'Lee",
                        "phone": "+442079460958",
                    },
                } },
            })
        );
    }

    #[test]
    fn look_up_bodies_keep_their_shape() {
        let position = PositionId::parse("68b43e38b19cf131a17c543f").unwrap();
        assert_eq!(
            parsed(&find_interview_request(&position, "a+b@example.com")),
            json!({
                "query": FIND_INTERVIEW,
                "variables": { "positionId": "68b43e38b19cf131a17c543f", "email": "a+b@example.com" },
            })
        );
        assert_eq!(parsed(&positions_request()), json!({ "query": POSITIONS }));
    }

    #[test]
    fn the_detail_request_is_one_invite_asking_for_field_errors() {
        let position = PositionId::parse("68b43e38b19cf131a17c543f").unwrap();
        let app = application("");
        let input = InviteInput {
            position: &position,
            application: &app,
            external_id: "x",
        };
        let body = parsed(&validation_detail_request(input));
        assert!(body["query"].as_str().unwrap().contains("fieldErrors"));
        assert_eq!(body["variables"]["i1"]["externalId"], "x");
        assert_eq!(body["variables"].as_object().unwrap().len(), 1);
    }
}
