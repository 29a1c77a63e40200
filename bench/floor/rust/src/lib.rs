//! Floor bench for issue 21, not part of the worker: the skeleton of the project's new-invite
//! path and nothing more, written the project's way on workers-rs 0.8.7 (entry, `ask` over RPC
//! with a deadline, hmac+sha2, serde_json, the global fetch), so the bench can say what that
//! runtime work costs at its minimum in Rust/wasm against the same work in JavaScript
//! (`../js/index.js`, same steps in the same order).
//!
//! GET: a tiny form. POST /apply/<id>: read the form, HMAC the lowercased email under
//! APP_SECRET, KV get; a hit is a 303 to the stored URL; a miss asks the `InviteLedger` once
//! (one SELECT, one INSERT), invites at Hireflix, puts the URL in KV after the response, 303.
//!
//!   bash build.sh && cd /work/benchcopy && node bench.mjs /work/wt/floor/bench/floor/rust \
//!     /work/wt/floor/bench/floor/js --rounds 3 --kv stub \
//!     --var APP_SECRET=bench-secret-0123456789abcdef0123456789

use futures_util::future::{select, Either};
use hmac::{KeyInit, Mac};
use js_sys::Promise;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, RequestRedirect};
use worker::{
    durable_object, event, Context, DurableObject, Env, Method, Request, Response, SqlStorage,
    SqlStorageValue, State,
};

const FORM: &str = r#"<!doctype html><title>Apply</title><form method="post"><input name="firstName"><input name="lastName"><input name="email"><input name="phoneNumber"><button>Apply</button></form>"#;
const KV_TTL_SECONDS: u64 = 30 * 24 * 3600;
const LEDGER_TIMEOUT_MS: u64 = 2_000;
const UPSTREAM_TIMEOUT_MS: u32 = 8_000;
const INVITE_MUTATION: &str = "mutation Invite($input: InviteCandidateToInterviewInput!) {
  inviteCandidateToInterview(input: $input) {
    __typename
    ... on InterviewType { id url { short public } }
    ... on InterviewAlreadyExistsInPositionError { code m1: message }
    ... on InterviewExternalIdAlreadyExistsInPositionError { code m2: message }
    ... on ExceededInvitesThisPeriodError { code m3: message }
    ... on PositionNotFoundError { code m4: message }
    ... on PositionNotReadyToAcceptInvitesError { code m5: message }
    ... on ValidationError { code m6: message }
  }
}";

type HmacSha256 = hmac::Hmac<Sha256>;

thread_local! {
    /// The keyed HMAC state, once per isolate, as the project keeps it.
    static KEYED: RefCell<Option<(String, HmacSha256)>> = const { RefCell::new(None) };
}

fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = KEYED.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &*slot {
            Some((key, mac)) if key == secret => mac.clone(),
            _ => {
                let mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
                    .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
                *slot = Some((secret.to_string(), mac.clone()));
                mac
            }
        }
    });
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[wasm_bindgen]
extern "C" {
    type JsStub;

    #[wasm_bindgen(method, catch, js_name = ask)]
    fn ask(this: &JsStub, call: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// The ledger's call and its answer.
#[derive(Serialize, Deserialize)]
struct Ask<'a> {
    mailbox: &'a str,
    position: &'a str,
}

#[derive(Serialize, Deserialize)]
struct Gate<'a> {
    gate: &'a str,
}

#[derive(Serialize)]
struct Invite<'a> {
    query: &'static str,
    variables: Variables<'a>,
}

#[derive(Serialize)]
struct Variables<'a> {
    input: Input<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Input<'a> {
    position_id: &'a str,
    external_id: &'a str,
    candidate: Candidate<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Candidate<'a> {
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
}

#[derive(Deserialize)]
struct Reply {
    data: Data,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    invite_candidate_to_interview: Invited,
}

#[derive(Deserialize)]
struct Invited {
    url: Urls,
}

#[derive(Deserialize)]
struct Urls {
    short: String,
}

fn see_other(url: &str) -> worker::Result<Response> {
    let resp = Response::empty()?.with_status(303);
    resp.headers().set("location", url)?;
    Ok(resp)
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    if req.method() != Method::Post {
        let resp = Response::ok(FORM)?;
        resp.headers().set("content-type", "text/html; charset=utf-8")?;
        return Ok(resp);
    }
    let path = req.path();
    let position = path.strip_prefix("/apply/").unwrap_or_default();
    let body = req.bytes().await?;
    let (mut first, mut last, mut email, mut phone) =
        (String::new(), String::new(), String::new(), String::new());
    for (name, value) in form_urlencoded::parse(&body) {
        let slot = match &*name {
            "firstName" => &mut first,
            "lastName" => &mut last,
            "email" => &mut email,
            "phoneNumber" => &mut phone,
            _ => continue,
        };
        if slot.is_empty() {
            *slot = value.into_owned();
        }
    }
    let email = email.trim().to_lowercase();
    if !email.contains('@') {
        return Response::error("invalid", 422);
    }
    let secret = env.var("APP_SECRET").map(|v| v.to_string()).unwrap_or_default();
    let key = hmac_hex(&secret, email.as_bytes());
    let kv = env.kv("SUBMISSIONS")?;
    if let Some(url) = kv.get(&key).text().await? {
        return see_other(&url);
    }

    let call = serde_json::to_string(&Ask {
        mailbox: &key,
        position,
    })?;
    let Some(answer) = ask_ledger(&env, &call).await else {
        return Response::error("ledger", 503);
    };
    let gate: Gate = serde_json::from_str(&answer)?;
    if gate.gate != "invite" && gate.gate != "resubmission" {
        return Response::ok("check your email");
    }

    let api_url = env.var("HIREFLIX_API_URL")?.to_string();
    let api_key = env.var("HIREFLIX_API_KEY")?.to_string();
    let invite = serde_json::to_string(&Invite {
        query: INVITE_MUTATION,
        variables: Variables {
            input: Input {
                position_id: position,
                external_id: key.get(..40).unwrap_or(&key),
                candidate: Candidate {
                    email: &email,
                    first_name: &first,
                    last_name: &last,
                    phone: (!phone.is_empty()).then_some(phone.as_str()),
                },
            },
        },
    })?;
    let headers = Headers::new()?;
    headers.set("content-type", "application/json")?;
    headers.set("x-api-key", &api_key)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_redirect(RequestRedirect::Manual);
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&invite));
    let signal = AbortSignal::timeout_with_u32(UPSTREAM_TIMEOUT_MS);
    init.set_signal(Some(&signal));
    let response: web_sys::Response = JsFuture::from(global_fetch(&api_url, &init)?)
        .await?
        .dyn_into()?;
    if !response.ok() {
        return Response::error("upstream", 503);
    }
    let bytes = JsFuture::from(response.array_buffer()?).await?;
    let reply: Reply = serde_json::from_slice(&js_sys::Uint8Array::new(&bytes).to_vec())?;
    let url = reply.data.invite_candidate_to_interview.url.short;

    let put = kv
        .put_bytes(&key, url.as_bytes())?
        .expiration_ttl(KV_TTL_SECONDS);
    ctx.wait_until(async move {
        let _late = put.execute().await;
    });
    see_other(&url)
}

/// One `ask` over RPC under a deadline, as the project's `objects::ask` (without its retry).
async fn ask_ledger(env: &Env, call: &str) -> Option<String> {
    let namespace = env.durable_object("INVITE_LEDGER").ok()?;
    let id = namespace.id_from_name("account").ok()?;
    let stub = id.get_stub().ok()?.into_rpc::<JsStub>();
    let answer = JsFuture::from(stub.ask(call).ok()?);
    let deadline = worker::Delay::from(Duration::from_millis(LEDGER_TIMEOUT_MS));
    match select(answer, deadline).await {
        Either::Left((Ok(text), _)) => text.as_string(),
        _ => None,
    }
}

#[durable_object]
pub struct InviteLedger {
    sql: SqlStorage,
}

impl DurableObject for InviteLedger {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        let _made = sql.exec(
            "CREATE TABLE IF NOT EXISTS invites (mailbox TEXT NOT NULL, position TEXT NOT NULL,
              at_ms INTEGER NOT NULL, UNIQUE (mailbox, position))",
            vec![],
        );
        InviteLedger { sql }
    }

    async fn fetch(&self, _req: Request) -> worker::Result<Response> {
        Response::error("ask over RPC", 405)
    }
}

impl InviteLedger {
    fn answer(&self, call: &str) -> worker::Result<String> {
        let ask: Ask = serde_json::from_str(call)?;
        let prior = self
            .sql
            .exec(
                "SELECT at_ms FROM invites WHERE mailbox = ? AND position = ?",
                vec![ask.mailbox.into(), ask.position.into()],
            )?
            .raw()
            .next()
            .is_some();
        let gate = if prior {
            "resubmission"
        } else {
            self.sql.exec(
                "INSERT INTO invites (mailbox, position, at_ms) VALUES (?, ?, ?)",
                vec![
                    ask.mailbox.into(),
                    ask.position.into(),
                    SqlStorageValue::Integer(js_sys::Date::now() as i64),
                ],
            )?;
            "invite"
        };
        Ok(serde_json::to_string(&Gate { gate })?)
    }
}

// The project's `answers_calls!`: the object's `ask` as an RPC method (entry.mjs makes the
// runtime offer it).
#[wasm_bindgen]
impl InviteLedger {
    pub async fn ask(&self, call: String) -> Result<JsValue, JsValue> {
        match self.answer(&call) {
            Ok(text) => Ok(JsValue::from_str(&text)),
            Err(e) => Err(js_sys::Error::new(&e.to_string()).into()),
        }
    }
}
