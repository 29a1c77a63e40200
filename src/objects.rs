//! One way to ask any of the project's Durable Objects: JSON text over the platform's RPC (the
//! object's `ask` method, see [`answers_calls`]), under a deadline. Every caller (ledger, pace, waiting room, letters) goes through here, so
//! no call can hold a candidate longer than its caller allows, and an overloaded object is told
//! apart from one that merely failed (the platform says an overloaded object must not be
//! retried in a loop). Every object is also placed here, at its creation (`OBJECT_PLACEMENT`).

use futures_util::future::{select, Either};
use js_sys::{Promise, Reflect};
use std::cell::Cell;
use std::time::Duration;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::ObjectNamespace;

#[wasm_bindgen]
extern "C" {
    /// The object's stub as the runtime gives it.
    type JsStub;

    /// The object's `ask` over RPC: a string each way, with no `Request`, `Response`, headers
    /// or body streams to build and read on either side (measured in docs/performance.md).
    #[wasm_bindgen(method, catch, js_name = ask)]
    fn ask(this: &JsStub, call: &str) -> Result<Promise, JsValue>;

    /// A namespace as the runtime gives it: workers-rs 0.8.7 has no `jurisdiction()`.
    type JsNamespace;

    /// The same class's objects restricted to a jurisdiction (their own ids).
    #[wasm_bindgen(method, catch)]
    fn jurisdiction(this: &JsNamespace, name: &str) -> Result<JsValue, JsValue>;
}

/// Where an object is created, and stays: `OBJECT_PLACEMENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// Near the first request that names it.
    #[default]
    FirstUse,
    /// A location hint (a region): creation only, the object never moves afterwards.
    Hint(&'static str),
    /// The EU jurisdiction: the object runs and stores only there. Its ids are not the
    /// unrestricted ones, so switching to or from it starts every object afresh.
    Eu,
    /// A value the configuration refused: no object is asked, rather than one created in the
    /// wrong place (invites wait in the queue, dead letters go to KV).
    Invalid,
}

const HINTS: [&str; 9] = [
    "wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me",
];

impl Placement {
    pub const EXPECTED: &str =
        "must be empty, eu, or a location hint: wnam, enam, sam, weur, eeur, apac, oc, afr, me";

    /// The setting's value, trimmed; empty is [`Placement::FirstUse`].
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
    /// Set once per isolate from the configuration (`crate::app`, or an object that calls
    /// another), so no caller has to pass it.
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

/// Why an object gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Its binding is missing or its stub could not be made.
    Unbound,
    /// No answer within the caller's deadline. It may still have acted: the caller treats
    /// the outcome as unknown.
    Timeout,
    /// The platform refused the call because the object is overloaded: not to be retried now.
    Overloaded,
    /// Any other failure (an error answer, a reset, an unreadable reply); the platform marks
    /// some as retryable, which callers may retry once, later.
    Failed,
}

/// Asks the object called `name` in `namespace`. `Ok` is its answer's text. A failure the platform marks
/// retryable is asked once more after a short pause, within the same deadline; an overloaded
/// object never is.
pub async fn ask(
    namespace: &ObjectNamespace,
    name: &str,
    body: &str,
    timeout_ms: u32,
) -> Result<String, Failure> {
    let started = crate::clock::now_ms();
    let (failure, retryable) = match once(namespace, name, body, timeout_ms).await {
        Ok(text) => return Ok(text),
        Err(failed) => failed,
    };
    let spent = crate::clock::now_ms().saturating_sub(started);
    let left = u64::from(timeout_ms).saturating_sub(spent);
    let Some(pause) = second_try(failure, retryable, left) else {
        return Err(failure);
    };
    worker::Delay::from(Duration::from_millis(pause)).await;
    let left = u32::try_from(left - pause).unwrap_or(timeout_ms);
    once(namespace, name, body, left)
        .await
        .map_err(|(failure, _)| failure)
}

/// The pause before the one second try, if there is one: only for a plain failure the platform
/// marked retryable, and only if the deadline leaves time for it.
fn second_try(failure: Failure, retryable: bool, left_ms: u64) -> Option<u64> {
    const PAUSE_MS: u64 = 100;
    const SHORTEST_TRY_MS: u64 = 250;
    let worth = retryable && failure == Failure::Failed;
    (worth && left_ms >= PAUSE_MS + SHORTEST_TRY_MS).then_some(PAUSE_MS)
}

/// One try; a failure comes with whether the platform marked it retryable.
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
    // An RPC call takes no abort signal: past the deadline it is no longer awaited (the object
    // may still act, which callers already assume of a timeout), and what waits for it is freed
    // when it settles or its request ends.
    let deadline = worker::Delay::from(Duration::from_millis(u64::from(timeout_ms)));
    match select(answer, deadline).await {
        Either::Left((Ok(text), _)) => text.as_string().ok_or(plain(Failure::Failed)),
        Either::Left((Err(e), _)) => Err(classify(&e)),
        Either::Right(_) => Err(plain(Failure::Timeout)),
    }
}

/// The runtime's error, by its documented marks: `.overloaded` is set on errors from an object
/// past its load limit, `.retryable` on those worth one more try.
fn classify(error: &JsValue) -> (Failure, bool) {
    let flag = |key: &str| {
        Reflect::get(error, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    };
    let failure = if flag("overloaded") {
        Failure::Overloaded
    } else {
        Failure::Failed
    };
    (failure, flag("retryable"))
}

/// What each object of this worker does with a call: its text in, its answer's text out. An
/// error reaches the caller as [`Failure::Failed`].
pub trait Answers {
    async fn answer(&self, call: String) -> worker::Result<String>;
}

/// The same for a `fetch` (tests and tools that post a call by hand): 200 with the answer, 500
/// on an error, 400 for an unreadable body.
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

/// Exports an object's [`Answers`] as its RPC method `ask`, which [`ask`] calls. (The entry
/// module, `src/entry.mjs`, makes the runtime offer RPC on these classes.)
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
                    // An Error, as the runtime's own, with a name and a stack in its logs.
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
