//! The HTTP transport to Hireflix's GraphQL endpoint. Only this file touches the network, and
//! only it ever holds the API key.

use super::documents::{self, InviteInput};
use super::interview_url::TrustedHosts;
use super::outcome::{
    self, FoundInterview, HttpReply, InviteOutcome, Position, Transient, TransportError,
};
use crate::domain::PositionId;
use crate::http_url::HttpUrl;
use serde_json::Value;
use worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

pub struct HireflixClient {
    /// Kept as text: it is only ever the target of a fetch.
    api_url: String,
    api_key: String,
    timeout_ms: u32,
    trusted: TrustedHosts,
}

impl HireflixClient {
    pub fn new(api_url: &HttpUrl, api_key: String, timeout_ms: u32) -> Self {
        let trusted = TrustedHosts::for_api(api_url);
        HireflixClient {
            api_url: api_url.to_string(),
            api_key,
            timeout_ms,
            trusted,
        }
    }

    /// The hosts an interview link from this API may point to.
    pub fn trusted_hosts(&self) -> &TrustedHosts {
        &self.trusted
    }

    /// Invites every candidate in one request; one outcome per input, in order.
    pub async fn invite(&self, invites: &[InviteInput<'_>]) -> Vec<InviteOutcome> {
        if invites.is_empty() {
            return Vec::new();
        }
        let body = documents::invite_request(invites.iter().copied());
        let reply = self.post(&body).await;
        outcome::classify_invites(reply, invites.len(), &self.trusted)
    }

    /// The same single invite again, asking for which fields a validation error is about.
    pub async fn validation_details(&self, invite: InviteInput<'_>) -> InviteOutcome {
        let reply = self
            .post(&documents::validation_detail_request(invite))
            .await;
        outcome::classify_invites(reply, 1, &self.trusted)
            .into_iter()
            .next()
            .unwrap_or(InviteOutcome::Transient(Transient::Malformed))
    }

    /// The existing interview of this email in this position, if Hireflix has one.
    pub async fn find_interview(
        &self,
        position: &PositionId,
        email: &str,
    ) -> Result<Option<FoundInterview>, InviteOutcome> {
        let reply = self
            .post(&documents::find_interview_request(position, email))
            .await;
        outcome::parse_found_interview(reply, &self.trusted)
    }

    pub async fn positions(&self) -> Result<Vec<Position>, Transient> {
        outcome::parse_positions(self.post(&documents::positions_request()).await)
    }

    async fn post(&self, body: &Value) -> Result<HttpReply, TransportError> {
        let headers = Headers::new();
        for (name, value) in [
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("x-api-key", self.api_key.as_str()),
        ] {
            headers
                .set(name, value)
                .map_err(|_| TransportError::Network)?;
        }
        let mut init = RequestInit::new();
        // Never follow a redirect: it would carry X-API-KEY to wherever it points.
        init.with_method(Method::Post)
            .with_redirect(RequestRedirect::Manual)
            .with_headers(headers)
            .with_body(Some(body.to_string().into()));
        let request =
            Request::new_with_init(&self.api_url, &init).map_err(|_| TransportError::Network)?;
        // The signal covers the whole exchange, body included, so a server that sends headers
        // and then stalls cannot hold the candidate either.
        let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(self.timeout_ms));
        let mut response = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(|_| transport_error(&signal))?;
        let status = response.status_code();
        let body = response
            .text()
            .await
            .map_err(|_| transport_error(&signal))?;
        Ok(HttpReply { status, body })
    }
}

fn transport_error(signal: &AbortSignal) -> TransportError {
    if signal.aborted() {
        TransportError::Timeout
    } else {
        TransportError::Network
    }
}
