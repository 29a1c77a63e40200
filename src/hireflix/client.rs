//! The HTTP transport to Hireflix's GraphQL endpoint. Only this file touches the network, and
//! only it ever holds the API key.

use super::documents::{self, InviteInput};
use super::interview_url::TrustedHosts;
use super::outcome::{
    self, FoundInterview, HttpReply, InviteOutcome, Position, Transient, TransportError,
};
use super::Inviter;
use crate::domain::PositionId;
use crate::http_url::HttpUrl;
use js_sys::{Promise, Uint8Array};
use std::cell::OnceCell;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, RequestRedirect, Response};

#[wasm_bindgen]
extern "C" {
    /// The runtime's global `fetch(url, init)`: `worker::Fetch` first builds a `Request` object
    /// and its `Response::text()` reads the reply through a stream reader, each costing more
    /// CPU than the call itself.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

pub struct HireflixClient {
    /// Kept as text: it is only ever the target of a fetch.
    api_url: String,
    api_key: String,
    timeout_ms: u32,
    trusted: TrustedHosts,
    /// The same for every call of this client; the runtime copies them into each request.
    headers: OnceCell<Headers>,
}

impl HireflixClient {
    pub fn new(api_url: &HttpUrl, api_key: String, timeout_ms: u32) -> Self {
        let trusted = TrustedHosts::for_api(api_url);
        HireflixClient {
            api_url: api_url.to_string(),
            api_key,
            timeout_ms,
            trusted,
            headers: OnceCell::new(),
        }
    }

    pub async fn positions(&self) -> Result<Vec<Position>, Transient> {
        outcome::parse_positions(self.post(&documents::positions_request()).await)
    }

    fn headers(&self) -> Result<&Headers, TransportError> {
        if let Some(headers) = self.headers.get() {
            return Ok(headers);
        }
        let headers = Headers::new().map_err(|_| TransportError::Network)?;
        for (name, value) in [
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("x-api-key", self.api_key.as_str()),
        ] {
            headers
                .set(name, value)
                .map_err(|_| TransportError::Network)?;
        }
        Ok(self.headers.get_or_init(|| headers))
    }

    async fn post(&self, body: &str) -> Result<HttpReply, TransportError> {
        let init = RequestInit::new();
        init.set_method("POST");
        // Never follow a redirect: it would carry X-API-KEY to wherever it points.
        init.set_redirect(RequestRedirect::Manual);
        init.set_headers(self.headers()?);
        init.set_body(&JsValue::from_str(body));
        // The signal covers the whole exchange, body included, so a server that sends headers
        // and then stalls cannot hold the candidate either.
        let signal = AbortSignal::timeout_with_u32(self.timeout_ms);
        init.set_signal(Some(&signal));
        let sent = global_fetch(&self.api_url, &init).map_err(|_| TransportError::Network)?;
        let response: Response = JsFuture::from(sent)
            .await
            .map_err(|_| transport_error(&signal))?
            .dyn_into()
            .map_err(|_| TransportError::Network)?;
        let status = response.status();
        // One arrayBuffer() rather than text(): a reply that is not UTF-8 stays a transport
        // error, as it was when the body was decoded in Rust, instead of being read with
        // replacement characters.
        let buffer = response
            .array_buffer()
            .map_err(|_| transport_error(&signal))?;
        let bytes = JsFuture::from(buffer)
            .await
            .map_err(|_| transport_error(&signal))?;
        let body = String::from_utf8(Uint8Array::new(&bytes).to_vec())
            .map_err(|_| transport_error(&signal))?;
        Ok(HttpReply { status, body })
    }
}

impl Inviter for HireflixClient {
    fn trusted_hosts(&self) -> &TrustedHosts {
        &self.trusted
    }

    async fn invite(&self, invites: &[InviteInput<'_>]) -> Vec<InviteOutcome> {
        if invites.is_empty() {
            return Vec::new();
        }
        let body = documents::invite_request(invites.iter().copied());
        let reply = self.post(&body).await;
        outcome::classify_invites(reply, invites.len(), &self.trusted)
    }

    async fn validation_details(&self, invite: InviteInput<'_>) -> InviteOutcome {
        let reply = self
            .post(&documents::validation_detail_request(invite))
            .await;
        outcome::classify_invites(reply, 1, &self.trusted)
            .into_iter()
            .next()
            .unwrap_or(InviteOutcome::Transient(Transient::Malformed))
    }

    async fn find_interview(
        &self,
        position: &PositionId,
        email: &str,
    ) -> Result<Option<FoundInterview>, InviteOutcome> {
        let reply = self
            .post(&documents::find_interview_request(position, email))
            .await;
        outcome::parse_found_interview(reply, &self.trusted)
    }
}

fn transport_error(signal: &AbortSignal) -> TransportError {
    if signal.aborted() {
        TransportError::Timeout
    } else {
        TransportError::Network
    }
}
