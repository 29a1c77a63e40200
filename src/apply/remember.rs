//! What an invite transaction keeps of Hireflix's answer: a new interview's link in KV, or,
//! when Hireflix says one exists already, that interview looked up and kept.

use super::decision::{Answered, Existing};
use super::invite::{Candidate, Invites};
use crate::domain::{names_tag, Application};
use crate::hireflix::{InviteOutcome, Inviter};
use crate::log::Reason;
use crate::store::{Memory, Record};

impl<I: Inviter, L, M: Memory, W> Invites<'_, I, L, M, W> {
    /// A new interview is remembered; "already exists" becomes the existing interview,
    /// looked up and remembered.
    pub(super) async fn remember(&self, c: &Candidate<'_>, outcome: InviteOutcome) -> Answered {
        match outcome {
            InviteOutcome::Invited(url) => {
                let who = self.names_of(c.application);
                let record = Record::invited(&url, who, Some((self.clock)()));
                self.keep(c, record).await;
                Answered::Hireflix(InviteOutcome::Invited(url))
            }
            InviteOutcome::AlreadyExists => self.find_existing(c).await,
            other => Answered::Hireflix(other),
        }
    }

    async fn keep(&self, c: &Candidate<'_>, record: Record) {
        let record = record.with_consent(c.consent.cloned());
        self.memory.remember_soon(c.key, record).await;
    }

    /// The existing interview of this email, under the address as given or its lower-case form.
    async fn find_existing(&self, c: &Candidate<'_>) -> Answered {
        let email = &c.application.email;
        let mut spellings = vec![email.as_str().to_string()];
        if email.dedupe_form() != email.as_str() {
            spellings.push(email.dedupe_form());
        }
        for spelling in spellings {
            let found = match self.inviter.find_interview(c.position, &spelling).await {
                Ok(found) => found,
                // Found, but with no link we may send anyone to: the same answer as any other.
                Err(InviteOutcome::InvitedWithoutLink(problem)) => {
                    return Answered::Existing(Err(Reason::Link(problem)))
                }
                Err(failure) => return Answered::Hireflix(failure),
            };
            if let Some(found) = found {
                let theirs = names_tag(self.secret, &found.first_name, &found.last_name);
                let same_names = theirs == self.names_of(c.application);
                self.keep(c, Record::invited(&found.url, theirs, found.created_ms))
                    .await;
                return Answered::Existing(Ok(Existing {
                    url: found.url,
                    same_names,
                    created_ms: found.created_ms,
                }));
            }
        }
        Answered::Existing(Err(Reason::NoMatchingInterview))
    }

    pub fn names_of(&self, application: &Application) -> String {
        let (first, last) = (&application.first_name, &application.last_name);
        names_tag(self.secret, first.as_str(), last.as_str())
    }
}
