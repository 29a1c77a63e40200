//! Calls to Hireflix's GraphQL endpoint, at the account's pace. Only this file holds the key.

use super::documents::{self, InviteInput};
use super::interview_url::TrustedHosts;
use super::outcome::{self, FoundInterview, HttpReply, InviteOutcome, Position, Transient};
use super::Inviter;
use crate::clock::now_ms;
use crate::domain::PositionId;
use crate::fetch::{self, Failure};
use crate::http_url::HttpUrl;
use crate::pace::{self, Pacer, Permit};
use std::cell::OnceCell;
use web_sys::Headers;

pub struct HireflixClient {
    api_url: String,
    api_key: String,
    timeout_ms: u32,
    trusted: TrustedHosts,
    /// The same for every call; the runtime copies them into each request.
    headers: OnceCell<Headers>,
    /// `None`: unpaced (no binding).
    pacer: Option<Pacer>,
}

/// Throttled without a `Retry-After`: nobody calls for this long.
const DEFAULT_THROTTLE_MS: u64 = 2_000;

impl HireflixClient {
    pub fn new(api_url: &HttpUrl, api_key: String, timeout_ms: u32) -> Self {
        let trusted = TrustedHosts::for_api(api_url);
        HireflixClient {
            api_url: api_url.to_string(),
            api_key,
            timeout_ms,
            trusted,
            headers: OnceCell::new(),
            pacer: None,
        }
    }

    pub fn with_pacer(mut self, pacer: Option<Pacer>) -> Self {
        self.pacer = pacer;
        self
    }

    /// The pace every call keeps (`None`: unpaced), for `/admin/`'s quota hold.
    pub fn pacer(&self) -> Option<&Pacer> {
        self.pacer.as_ref()
    }

    pub async fn positions(&self) -> Result<Vec<Position>, Transient> {
        let (reply, retry_after) = self.read(&documents::positions_request()).await;
        let positions = outcome::parse_positions(reply);
        if let Err(failed) = positions {
            self.heed(&[InviteOutcome::Transient(failed)], retry_after)
                .await;
        }
        positions
    }

    /// True for one caller per `lease_ms` (all when unpaced): that one refreshes the positions.
    pub async fn may_refresh(&self, lease_ms: u64) -> bool {
        match &self.pacer {
            Some(pacer) => pacer.may_refresh(lease_ms).await,
            None => true,
        }
    }

    async fn permit(&self, invite: bool) -> Permit {
        match &self.pacer {
            Some(pacer) => pacer.take(invite).await,
            None => Permit::Go { probe: false },
        }
    }

    /// Throttled: everyone waits its `Retry-After` (or a default), as do this call's invites.
    async fn heed(&self, outcomes: &[InviteOutcome], retry_after_ms: Option<u64>) -> Option<u64> {
        let throttled = InviteOutcome::Transient(Transient::RateLimited);
        let unavailable = InviteOutcome::Transient(Transient::ServerError);
        let until = if outcomes.contains(&throttled) {
            now_ms().saturating_add(retry_after_ms.unwrap_or(DEFAULT_THROTTLE_MS))
        } else if outcomes.contains(&unavailable) {
            // A 503 may say when it expects to be back.
            now_ms().saturating_add(retry_after_ms?)
        } else {
            return None;
        };
        if let Some(pacer) = &self.pacer {
            pacer.slow_until(until).await;
        }
        Some(until)
    }

    fn headers(&self) -> Option<&Headers> {
        if let Some(headers) = self.headers.get() {
            return Some(headers);
        }
        let headers = Headers::new().ok()?;
        for (name, value) in [
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("x-api-key", self.api_key.as_str()),
        ] {
            headers.set(name, value).ok()?;
        }
        Some(self.headers.get_or_init(|| headers))
    }

    /// A call that invites nobody, once the pace gives it a slot (`Paced` when none came).
    async fn read(&self, body: &str) -> (Result<HttpReply, Transient>, Option<u64>) {
        match self.permit(false).await {
            Permit::Go { .. } => self.post(body).await,
            Permit::Wait { .. } => (Err(Transient::Paced), None),
        }
    }

    /// The reply, and its readable `Retry-After` in ms.
    async fn post(&self, body: &str) -> (Result<HttpReply, Transient>, Option<u64>) {
        let reply = match self.headers() {
            Some(headers) => fetch::post(&self.api_url, headers, body, self.timeout_ms).await,
            None => Err(Failure::Network),
        };
        let retry_after = reply.as_ref().ok().and_then(|r| r.retry_after.as_deref());
        let ms = retry_after.and_then(|v| pace::retry_after_ms(v, now_ms()));
        let reply = reply.map_err(|failure| match failure {
            Failure::Timeout => Transient::Timeout,
            Failure::Network => Transient::Network,
        });
        (reply, ms)
    }
}

impl Inviter for HireflixClient {
    fn trusted_hosts(&self) -> &TrustedHosts {
        &self.trusted
    }

    /// While the quota is held, one call probes with the first invite alone; the rest wait.
    async fn invite(&self, invites: &[InviteInput<'_>]) -> (Vec<InviteOutcome>, Option<u64>) {
        let paced = |n: usize| vec![InviteOutcome::Transient(Transient::Paced); n];
        let probe = match self.permit(true).await {
            Permit::Go { probe } => probe,
            Permit::Wait { until_ms } => return (paced(invites.len()), Some(until_ms)),
        };
        let sent = invites.get(..1).filter(|_| probe).unwrap_or(invites);
        if sent.is_empty() {
            return (Vec::new(), None);
        }
        let body = documents::invite_request(sent.iter().copied());
        let (reply, retry_after) = self.post(&body).await;
        let mut outcomes = outcome::classify_invites(reply, sent.len(), &self.trusted);
        let mut resume = self.heed(&outcomes, retry_after).await;
        if let Some(pacer) = &self.pacer {
            match told_to_pace(probe, &outcomes) {
                Some(QuotaNews::Refused) => resume = pacer.refused(probe).await.or(resume),
                Some(QuotaNews::ProbeSucceeded) => pacer.probe_succeeded().await,
                None => {}
            }
        }
        if outcomes.len() < invites.len() {
            // Held back for the probe: back as soon as its answer is in.
            outcomes.extend(paced(invites.len() - outcomes.len()));
            resume = resume.or(Some(now_ms()));
        }
        (outcomes, resume)
    }

    async fn validation_details(&self, invite: InviteInput<'_>) -> InviteOutcome {
        let body = documents::validation_detail_request(invite);
        let (reply, retry_after) = self.read(&body).await;
        let mut outcomes = outcome::classify_invites(reply, 1, &self.trusted);
        self.heed(&outcomes, retry_after).await;
        let malformed = InviteOutcome::Transient(Transient::Malformed);
        outcomes.pop().unwrap_or(malformed)
    }

    async fn find_interview(
        &self,
        position: &PositionId,
        email: &str,
    ) -> Result<Option<FoundInterview>, InviteOutcome> {
        let body = documents::find_interview_request(position, email);
        let (reply, retry_after) = self.read(&body).await;
        let found = outcome::parse_found_interview(reply, &self.trusted);
        if let Err(failed) = &found {
            self.heed(std::slice::from_ref(failed), retry_after).await;
        }
        found
    }
}

/// What the pace hears of the quota after an invite call.
#[derive(Debug, PartialEq, Eq)]
enum QuotaNews {
    Refused,
    ProbeSucceeded,
}

/// Only the probe's success reopens: a call that started before the hold proves nothing.
fn told_to_pace(probe: bool, outcomes: &[InviteOutcome]) -> Option<QuotaNews> {
    if outcomes.contains(&InviteOutcome::Transient(Transient::QuotaExceeded)) {
        Some(QuotaNews::Refused)
    } else if probe && outcomes.iter().any(InviteOutcome::made) {
        Some(QuotaNews::ProbeSucceeded)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_probes_success_reopens_and_any_quota_refusal_is_told() {
        let made = [InviteOutcome::AlreadyExists];
        assert_eq!(told_to_pace(true, &made), Some(QuotaNews::ProbeSucceeded));
        assert_eq!(
            told_to_pace(false, &made),
            None,
            "a call from before the hold"
        );
        let refused = [
            InviteOutcome::AlreadyExists,
            InviteOutcome::Transient(Transient::QuotaExceeded),
        ];
        assert_eq!(told_to_pace(false, &refused), Some(QuotaNews::Refused));
        assert_eq!(told_to_pace(true, &refused), Some(QuotaNews::Refused));
        let failed = [InviteOutcome::Transient(Transient::Paced)];
        assert_eq!(told_to_pace(true, &failed), None);
    }
}
