//! One application, from a valid form to a decision: the same pipeline for the HTML form, the
//! JSON API, and (through `invite_and_remember`) the retry queue.

use crate::candidate_key::{names_tag, CandidateKey};
use crate::domain::{Application, ApplicationForm, Field, FieldErrors, PositionId};
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{HireflixClient, InterviewUrl, InviteOutcome, Permanent};
use crate::log::{now_ms, ApplicationLog, Source};
use crate::retry::QueuedInvite;
use crate::store::{Record, Store};
use worker::Queue;

/// What the candidate is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Their interview: go there now.
    Interview(InterviewUrl),
    /// Hireflix already has their interview but would not tell us its link; Hireflix emailed it.
    InvitedByEmail,
    /// Accepted and queued; Hireflix emails the invite when it goes through.
    Queued,
    /// Hireflix refused the candidate's data: back to the form.
    Rejected {
        errors: FieldErrors,
        general: Option<String>,
    },
    /// The position does not exist (any more).
    PositionNotFound,
    /// The position exists but takes no invites now.
    PositionClosed,
    /// Nothing could be promised: Hireflix failed and the queue could not take the application.
    Unavailable,
    /// The interview exists, but Hireflix gave no link we may send the candidate to (missing,
    /// or on a foreign host); Hireflix has emailed it. An upstream error, never a redirect.
    LinkUnusable,
}

pub struct Pipeline<'a> {
    pub client: &'a HireflixClient,
    pub store: &'a Store,
    pub queue: Option<&'a Queue>,
    pub request_id: &'a str,
    pub source: Source,
    /// When set, an interview link is written to KV after the response instead of before:
    /// the candidate is not kept waiting on a KV write (slow at the edge), and Hireflix's own
    /// uniqueness covers a resubmission that arrives before the write lands.
    pub background: Option<&'a worker::Context>,
}

/// The result of one invite, already remembered in KV when it produced an interview.
pub struct Resolved {
    pub outcome: InviteOutcome,
    pub hireflix_ms: u64,
}

impl Pipeline<'_> {
    pub async fn submit(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        application: &Application,
    ) -> Decision {
        let key = CandidateKey::new(position, &application.email);
        let log =
            |outcome: &'static str, reason: Option<&'static str>, hireflix_ms: Option<u64>| {
                ApplicationLog {
                    event: "application",
                    request_id: self.request_id,
                    position_id: position.as_str(),
                    candidate: key.log_tag(),
                    source: self.source,
                    outcome,
                    reason,
                    hireflix_ms,
                    attempt: 1,
                }
                .emit()
            };

        match self.store.get(&key).await {
            Some(Record::Invited { url, who }) => {
                if let Some(url) = InterviewUrl::parse(&url, self.client.trusted_hosts()) {
                    if who == names_of(application) {
                        log("kv_hit", None, None);
                        return Decision::Interview(url);
                    }
                    // Someone who knows the email but not the names gets no link.
                    log("kv_hit", Some("other_names"), None);
                    return Decision::InvitedByEmail;
                }
            }
            Some(Record::Queued) => {
                log("already_queued", None, None);
                return Decision::Queued;
            }
            None => {}
        }

        let external_id = key.external_id();
        let input = InviteInput {
            position,
            application,
            external_id: &external_id,
        };
        let resolved = self.invite_and_remember(&key, &input).await;
        let hireflix_ms = Some(resolved.hireflix_ms);
        match resolved.outcome {
            InviteOutcome::Invited(url) => {
                log("invited", None, hireflix_ms);
                Decision::Interview(url)
            }
            InviteOutcome::AlreadyExists => {
                log(
                    "already_invited",
                    Some("no_matching_interview"),
                    hireflix_ms,
                );
                Decision::InvitedByEmail
            }
            InviteOutcome::InvitedWithoutLink(reason) => {
                log("invited_without_link", Some(reason), hireflix_ms);
                Decision::LinkUnusable
            }
            InviteOutcome::Transient(reason) => {
                let queued = self.enqueue(position, form, &key).await;
                log(
                    if queued {
                        "queued"
                    } else {
                        "lost_queue_unavailable"
                    },
                    Some(reason.as_str()),
                    hireflix_ms,
                );
                if queued {
                    Decision::Queued
                } else {
                    Decision::Unavailable
                }
            }
            InviteOutcome::Permanent(permanent) => {
                log("permanent", Some(permanent.as_str()), hireflix_ms);
                match permanent {
                    Permanent::PositionNotFound => Decision::PositionNotFound,
                    Permanent::PositionNotReady => Decision::PositionClosed,
                    Permanent::Invalid(messages) => rejected(messages),
                }
            }
        }
    }

    /// Invites one candidate; an "already exists" answer is followed by a look-up of the
    /// existing interview. Any interview found is stored in KV before returning.
    pub async fn invite_and_remember(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
    ) -> Resolved {
        let started = now_ms();
        let outcome = self
            .client
            .invite(std::slice::from_ref(input))
            .await
            .into_iter()
            .next();
        let outcome = outcome.unwrap_or(InviteOutcome::Transient(
            crate::hireflix::Transient::Malformed,
        ));
        let outcome = self.settle(key, input, outcome).await;
        Resolved {
            outcome,
            hireflix_ms: now_ms().saturating_sub(started),
        }
    }

    /// Remembers a new interview in KV, and turns "already exists" into the existing interview
    /// where Hireflix finds one made for the same names.
    pub async fn settle(
        &self,
        key: &CandidateKey,
        input: &InviteInput<'_>,
        outcome: InviteOutcome,
    ) -> InviteOutcome {
        match outcome {
            InviteOutcome::Invited(url) => {
                let who = names_of(input.application);
                self.remember(key, Record::invited(&url, who)).await;
                InviteOutcome::Invited(url)
            }
            InviteOutcome::AlreadyExists => self.find_existing(key, input).await,
            other => other,
        }
    }

    /// Losing this write costs one more Hireflix call next time, never a second interview.
    async fn remember(&self, key: &CandidateKey, record: Record) {
        match self.background {
            Some(ctx) => {
                let (store, key) = (self.store.clone(), key.clone());
                ctx.wait_until(async move {
                    store.put(&key, &record).await;
                });
            }
            None => {
                self.store.put(key, &record).await;
            }
        }
    }

    /// The existing interview of this email: `Invited` when it was made for the same names,
    /// `AlreadyExists` (the candidate has it by email) when not, or when none is found.
    async fn find_existing(&self, key: &CandidateKey, input: &InviteInput<'_>) -> InviteOutcome {
        let email = &input.application.email;
        let mut spellings = vec![email.as_str().to_string()];
        if email.dedupe_form() != email.as_str() {
            spellings.push(email.dedupe_form());
        }
        for spelling in spellings {
            match self.client.find_interview(input.position, &spelling).await {
                Ok(Some(found)) => {
                    let theirs = names_tag(&found.first_name, &found.last_name);
                    let same_person = theirs == names_of(input.application);
                    self.remember(key, Record::invited(&found.url, theirs))
                        .await;
                    return if same_person {
                        InviteOutcome::Invited(found.url)
                    } else {
                        InviteOutcome::AlreadyExists
                    };
                }
                Ok(None) => continue,
                Err(failure) => return failure,
            }
        }
        InviteOutcome::AlreadyExists
    }

    async fn enqueue(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        key: &CandidateKey,
    ) -> bool {
        let Some(queue) = self.queue else {
            return false;
        };
        let message = QueuedInvite::new(position, form, 1, self.request_id);
        if queue.send(&message).await.is_err() {
            return false;
        }
        // Remembered so a resubmission while queued gets the same answer and is not queued twice.
        self.store.put(key, &Record::Queued).await;
        true
    }
}

fn names_of(application: &Application) -> String {
    names_tag(
        application.first_name.as_str(),
        application.last_name.as_str(),
    )
}

fn rejected(messages: Vec<(Option<Field>, String)>) -> Decision {
    let mut errors = FieldErrors::default();
    let mut general = Vec::new();
    for (field, message) in messages {
        match field {
            Some(field) if errors.get(field).is_none() => errors = errors.with(field, message),
            _ => general.push(message),
        }
    }
    let general = (!general.is_empty() || errors.is_empty()).then(|| {
        let text = general.join(" ");
        if text.trim().is_empty() {
            "Hireflix could not accept these details. Please check them and try again.".to_string()
        } else {
            text
        }
    });
    Decision::Rejected { errors, general }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hireflix_field_errors_land_on_form_fields() {
        let decision = rejected(vec![
            (Some(Field::PhoneNumber), "Invalid phone".into()),
            (None, "Something else".into()),
        ]);
        let Decision::Rejected { errors, general } = decision else {
            panic!()
        };
        assert_eq!(errors.get(Field::PhoneNumber), Some("Invalid phone"));
        assert_eq!(general.as_deref(), Some("Something else"));
    }

    #[test]
    fn a_rejection_without_details_still_says_something() {
        let Decision::Rejected { errors, general } = rejected(vec![]) else {
            panic!()
        };
        assert!(errors.is_empty());
        assert!(general.unwrap().contains("check"));
    }
}
