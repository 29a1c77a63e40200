//! Posts to Hireflix and siteverify through the global `fetch(url, init)`: `worker::Fetch`
//! builds a `Request` and reads the reply through a stream reader, each costing more CPU than
//! the call itself.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, RequestRedirect, Response};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Timeout,
    Network,
}

/// Never follows a redirect: it would carry the headers (a key, a secret) along. The deadline
/// covers the body too, so a server that stalls after its headers cannot hold the candidate.
pub async fn post(
    url: &str,
    headers: &Headers,
    body: &str,
    timeout_ms: u32,
) -> Result<Reply, Failure> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_redirect(RequestRedirect::Manual);
    init.set_headers(headers);
    init.set_body(&JsValue::from_str(body));
    let signal = AbortSignal::timeout_with_u32(timeout_ms);
    init.set_signal(Some(&signal));
    let failed = || match signal.aborted() {
        true => Failure::Timeout,
        false => Failure::Network,
    };
    let sent = global_fetch(url, &init).map_err(|_| Failure::Network)?;
    let response = JsFuture::from(sent).await.map_err(|_| failed())?;
    let response: Response = response.dyn_into().map_err(|_| Failure::Network)?;
    let retry_after = response.headers().get("retry-after").ok().flatten();
    // arrayBuffer(), not text(): a reply that is not UTF-8 fails instead of being read with
    // replacement characters.
    let buffer = response.array_buffer().map_err(|_| failed())?;
    let bytes = JsFuture::from(buffer).await.map_err(|_| failed())?;
    let body = String::from_utf8(Uint8Array::new(&bytes).to_vec()).map_err(|_| failed())?;
    Ok(Reply {
        status: response.status(),
        retry_after,
        body,
    })
}
