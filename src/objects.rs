//! One way to ask any of the project's Durable Objects: JSON text over RPC (the object's `ask`,
//! [`answers_calls`]) under the caller's deadline, an overloaded object told apart from a failed
//! one; each object placed at its creation (`OBJECT_PLACEMENT`). Also what the objects share.

mod db;

pub use db::{at, text, Db};

use futures_util::future::{select, Either};
use js_sys::{Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::cell::Cell;
use std::time::Duration;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::ObjectNamespace;

#[wasm_bindgen]
extern "C" {
    type JsStub;

    /// A string each way: no `Request` or `Response` to build (docs/performance.md).
    #[wasm_bindgen(method, catch, js_name = ask)]
    fn ask(this: &JsStub, call: &str) -> Result<Promise, JsValue>;

    /// workers-rs 0.8.7 has no `jurisdiction()`.
    type JsNamespace;

    #[wasm_bindgen(method, catch)]
    fn jurisdiction(this: &JsNamespace, name: &str) -> Result<JsValue, JsValue>;
}

/// Where an object is created, and stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    #[default]
    FirstUse,
    /// A region, at creation only.
    Hint(&'static str),
    /// The EU jurisdiction: its ids are not the unrestricted ones, so switching to or from it
    /// starts every object afresh.
    Eu,
    /// A refused value: no object is asked rather than one created in the wrong place.
    Invalid,
}

const HINTS: [&str; 9] = [
    "wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me",
];

impl Placement {
    pub const EXPECTED: &str =
        "must be empty, eu, or a location hint: wnam, enam, sam, weur, eeur, apac, oc, afr, me";

    pub fn parse(raw: &str) -> Placement {
        match raw.trim() {
            "" => Placement::FirstUse,
            "eu" => Placement::Eu,
            hint => HINTS
                .into_iter()
                .find(|h| *h == hint)
                .map_or(Placement::Invalid, Placement::Hint),
        }
    }
}

thread_local! {
    /// Set once per isolate (`crate::app`, or an object that calls another).
    static PLACEMENT: Cell<Placement> = const { Cell::new(Placement::FirstUse) };
}

pub fn place(placement: Placement) {
    PLACEMENT.with(|p| p.set(placement));
}

/// For an object's isolate, which may never build the worker's `App`.
pub fn place_from(env: &worker::Env) {
    let raw = crate::config::Vars::var(env, "OBJECT_PLACEMENT").unwrap_or_default();
    place(Placement::parse(&raw));
}

/// Why an object gave no answer: no binding or stub; not within the deadline (it may still
/// have acted); refused by the platform as overloaded (not to be retried now); anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Unbound,
    Timeout,
    Overloaded,
    Failed,
}

/// Asks the object `name` of `namespace` for its answer's text. A failure the platform marks
/// retryable is tried once more after a short pause, within the same deadline, if `repeat`:
/// such a failure may come after the object ran the call, so only a call safe to run twice.
pub async fn ask(
    namespace: &ObjectNamespace,
    name: &str,
    body: &str,
    timeout_ms: u32,
    repeat: bool,
) -> Result<String, Failure> {
    let started = crate::clock::now_ms();
    let (failure, retryable) = match once(namespace, name, body, timeout_ms).await {
        Ok(text) => return Ok(text),
        Err(failed) => failed,
    };
    let spent = crate::clock::now_ms().saturating_sub(started);
    let left = u64::from(timeout_ms).saturating_sub(spent);
    let Some(pause) = second_try(failure, retryable && repeat, left) else {
        return Err(failure);
    };
    worker::Delay::from(Duration::from_millis(pause)).await;
    let left = u32::try_from(left - pause).unwrap_or(timeout_ms);
    once(namespace, name, body, left)
        .await
        .map_err(|(failure, _)| failure)
}

/// [`ask`] in JSON, with its second try: the lines', dead letters' and ledger hand-over's calls
/// act by mailbox or id, and the pace's, run twice, only spend a slot or a turn (never one more
/// Hireflix call). An answer of another shape is [`Failure::Failed`].
pub async fn ask_as<A: DeserializeOwned>(
    namespace: &ObjectNamespace,
    name: &str,
    call: &impl Serialize,
    timeout_ms: u32,
) -> Result<A, Failure> {
    let body = serde_json::to_string(call).map_err(|_| Failure::Failed)?;
    let answer = ask(namespace, name, &body, timeout_ms, true).await?;
    read(&answer).ok_or(Failure::Failed)
}

/// JSON read through `serde_json::Value`, whose parser the worker carries once: decoded
/// straight from text, each type would bring its own copy (2.2 KB of gzipped wasm, measured).
pub fn read<T: DeserializeOwned>(text: &str) -> Option<T> {
    T::deserialize(&parse(text)?).ok()
}

#[inline(never)]
fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// The pause before the one second try: only for a plain failure (the platform: an overloaded
/// object must not be retried in a loop), and only if the deadline leaves time for it.
fn second_try(failure: Failure, retryable: bool, left_ms: u64) -> Option<u64> {
    const PAUSE_MS: u64 = 100;
    const SHORTEST_TRY_MS: u64 = 250;
    let worth = retryable && failure == Failure::Failed;
    (worth && left_ms >= PAUSE_MS + SHORTEST_TRY_MS).then_some(PAUSE_MS)
}

/// One try; a failure comes with whether it is retryable (the runtime's `.retryable`).
async fn once(
    namespace: &ObjectNamespace,
    name: &str,
    body: &str,
    timeout_ms: u32,
) -> Result<String, (Failure, bool)> {
    let plain = |failure| (failure, false);
    let placement = PLACEMENT.with(Cell::get);
    let restricted: ObjectNamespace;
    let namespace = match placement {
        Placement::Invalid => return Err(plain(Failure::Unbound)),
        Placement::Eu => {
            let js: &JsNamespace = namespace.as_ref().unchecked_ref();
            restricted = js
                .jurisdiction("eu")
                .map_err(|_| plain(Failure::Unbound))?
                .unchecked_into();
            &restricted
        }
        _ => namespace,
    };
    // A stub per call: the namespace outlives requests, a stub belongs to one.
    let stub = namespace
        .id_from_name(name)
        .and_then(|id| match placement {
            Placement::Hint(hint) => id.get_stub_with_location_hint(hint),
            _ => id.get_stub(),
        })
        .map_err(|_| plain(Failure::Unbound))?
        .into_rpc::<JsStub>();
    let answer = JsFuture::from(stub.ask(body).map_err(|e| classify(&e))?);
    // An RPC call takes no abort signal: past the deadline it is only no longer awaited.
    let deadline = worker::Delay::from(Duration::from_millis(u64::from(timeout_ms)));
    match select(answer, deadline).await {
        Either::Left((Ok(text), _)) => text.as_string().ok_or(plain(Failure::Failed)),
        Either::Left((Err(e), _)) => Err(classify(&e)),
        Either::Right(_) => Err(plain(Failure::Timeout)),
    }
}

fn classify(error: &JsValue) -> (Failure, bool) {
    let flag = |key: &str| {
        let value = Reflect::get(error, &JsValue::from_str(key)).ok();
        value.and_then(|v| v.as_bool()).unwrap_or(false)
    };
    let failure = match flag("overloaded") {
        true => Failure::Overloaded,
        false => Failure::Failed,
    };
    (failure, flag("retryable"))
}

/// What an object does with a call's text; an error reaches the caller as [`Failure::Failed`].
pub trait Answers {
    async fn answer(&self, call: String) -> worker::Result<String>;
}

/// The same for a `fetch` (tests and tools that post a call by hand).
pub async fn serve(
    object: &impl Answers,
    mut req: worker::Request,
) -> worker::Result<worker::Response> {
    let Ok(call) = req.text().await else {
        return worker::Response::error("unreadable call", 400);
    };
    match object.answer(call).await {
        Ok(text) => worker::Response::ok(text),
        Err(_) => worker::Response::error("object error", 500),
    }
}

/// Exports an object's [`Answers`] as its RPC method `ask` (`src/entry.mjs` offers RPC on
/// these classes).
#[macro_export]
macro_rules! answers_calls {
    ($object:ty) => {
        #[wasm_bindgen::prelude::wasm_bindgen]
        impl $object {
            pub async fn ask(
                &self,
                call: String,
            ) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
                match <Self as $crate::objects::Answers>::answer(self, call).await {
                    Ok(text) => Ok(wasm_bindgen::JsValue::from_str(&text)),
                    // An Error, with a name and a stack in the runtime's logs.
                    Err(e) => Err(js_sys::Error::new(&e.to_string()).into()),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_retryable_plain_failure_is_tried_again_once_within_the_deadline() {
        assert_eq!(second_try(Failure::Failed, true, 2_000), Some(100));
        // The platform: an overloaded object must not be retried; ours: nor a slow one.
        assert_eq!(second_try(Failure::Overloaded, true, 2_000), None);
        assert_eq!(second_try(Failure::Timeout, true, 2_000), None);
        assert_eq!(second_try(Failure::Failed, false, 2_000), None);
        assert_eq!(second_try(Failure::Failed, true, 300), None, "no time left");
    }

    #[test]
    fn placements_are_empty_eu_or_a_known_hint() {
        assert_eq!(Placement::parse(" "), Placement::FirstUse);
        assert_eq!(Placement::parse("eu"), Placement::Eu);
        for hint in HINTS {
            assert_eq!(Placement::parse(hint), Placement::Hint(hint));
        }
        for bad in ["EU", "fedramp", "weur,enam", "us", "auto"] {
            assert_eq!(Placement::parse(bad), Placement::Invalid, "{bad}");
        }
    }
}
