//! What the pipeline remembers and finds again: a new interview written to KV, and an
//! "already exists" answer turned into the existing interview.

use super::decision::{Answered, Existing};
use super::Pipeline;
use crate::domain::{names_tag, Application, CandidateKey, PositionId};
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{InterviewUrl, InviteOutcome};
use crate::log::{now_ms, Reason};
use crate::store::Record;

impl Pipeline<'_> {
    /// For the queue: remembers a new interview in KV, and turns "already exists" into the
    /// existing interview where Hireflix finds one made for the same names (nobody is shown a
    /// link from the queue; Hireflix emails it).
    pub async fn settle(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
        outcome: InviteOutcome,
    ) -> InviteOutcome {
        match outcome {
            InviteOutcome::Invited(url) => {
                self.remember_new(key, input, &url).await;
                InviteOutcome::Invited(url)
            }
            InviteOutcome::AlreadyExists => match self.find_existing(key, input).await {
                Ok(Some(existing)) if existing.same_names => InviteOutcome::Invited(existing.url),
                Ok(_) => InviteOutcome::AlreadyExists,
                Err(failure) => failure,
            },
            other => other,
        }
    }

    /// For the candidate at the form: the same, keeping what the link rules need to know of an
    /// interview that already existed.
    pub(super) async fn settle_for_candidate(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
        outcome: InviteOutcome,
    ) -> Answered {
        match outcome {
            InviteOutcome::Invited(url) => {
                self.remember_new(key, input, &url).await;
                Answered::Hireflix(InviteOutcome::Invited(url))
            }
            InviteOutcome::AlreadyExists => match self.find_existing(key, input).await {
                Ok(Some(existing)) => Answered::Existing(Ok(existing)),
                Ok(None) => Answered::Existing(Err(Reason::NoMatchingInterview)),
                // Found, but with no link we may send anyone to: the same answer as any other.
                Err(InviteOutcome::InvitedWithoutLink(problem)) => {
                    Answered::Existing(Err(Reason::Link(problem)))
                }
                Err(failure) => Answered::Hireflix(failure),
            },
            other => Answered::Hireflix(other),
        }
    }

    /// An interview this very call made: its time is now.
    pub(super) async fn remember_new(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
        url: &InterviewUrl,
    ) {
        let who = self.names_of(input.application);
        self.remember(key, Record::invited(url, who, Some(now_ms())))
            .await;
    }

    /// The link pass a browser is given with this candidate's interview link.
    pub fn link_pass(
        &self,
        position: &PositionId,
        application: &Application,
        url: &InterviewUrl,
    ) -> String {
        CandidateKey::new(self.secret, position, &application.email)
            .link_pass(self.secret, url.as_str())
    }

    /// Losing this write costs one more Hireflix call next time, never a second interview.
    pub(super) async fn remember(&self, key: &CandidateKey, record: Record) {
        let record = record.with_consent(self.consent.cloned());
        match self.background {
            Some(ctx) => {
                let (store, key) = (self.store.clone(), key.clone());
                ctx.wait_until(async move {
                    store.remember(&key, &record).await;
                });
            }
            None => {
                self.store.remember(key, &record).await;
            }
        }
    }

    /// The existing interview of this email, remembered in KV: `None` when Hireflix finds none,
    /// `Err` when the look-up failed or found no link we may use.
    pub(super) async fn find_existing(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
    ) -> Result<Option<Existing>, InviteOutcome> {
        let email = &input.application.email;
        let mut spellings = vec![email.as_str().to_string()];
        if email.dedupe_form() != email.as_str() {
            spellings.push(email.dedupe_form());
        }
        for spelling in spellings {
            if let Some(found) = self
                .client
                .find_interview(input.position, &spelling)
                .await?
            {
                let theirs = names_tag(self.secret, &found.first_name, &found.last_name);
                let same_names = theirs == self.names_of(input.application);
                let record = Record::invited(&found.url, theirs, found.created_ms);
                self.remember(key, record).await;
                return Ok(Some(Existing {
                    url: found.url,
                    same_names,
                    created_ms: found.created_ms,
                }));
            }
        }
        Ok(None)
    }
}
