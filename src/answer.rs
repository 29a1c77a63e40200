//! Every answer the worker gives a candidate or a calling page, in one table: its status, its
//! JSON key, its `Retry-After`, its words in the catalogue and the kind of page it is. The
//! pipeline decides one, the gates and routes give others, and `http::render` projects any of
//! them to a page or to JSON. A new answer is a new variant and its row here.

use crate::domain::FieldErrors;
use crate::hireflix::InterviewUrl;
use crate::i18n::{Message, Words};

/// A candidate who cannot go on now is asked to wait this long before sending again.
const RETRY_SECONDS: u32 = 60;
/// An operator must act first: asked again less often.
const MISCONFIGURED_RETRY_SECONDS: u32 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Their interview: go there now.
    Interview(InterviewUrl),
    /// Hireflix already has their interview and emailed its link.
    InvitedByEmail,
    /// Accepted and queued; Hireflix emails the invite when it goes through.
    Queued,
    /// Waiting in the position's line: their place (1: next), and by when the email comes.
    InLine {
        place: u32,
        expected_by_ms: u64,
    },
    /// The position's line is full, or its wait too long: the form again, nothing stored;
    /// try again after this long.
    PositionPaused {
        retry_after_s: u32,
    },
    /// The interview exists, but Hireflix gave no link we may send the candidate to (missing,
    /// or on a foreign host); Hireflix has emailed it. An upstream error, never a redirect.
    LinkUnusable,
    /// Hireflix refused the candidate's data: back to the form, with Hireflix's own words where
    /// it gave any that name no field.
    Rejected {
        errors: FieldErrors,
        hireflix_says: Option<String>,
    },
    /// The form's own checks failed.
    Invalid(FieldErrors),
    /// Nothing could be promised: Hireflix failed and the queue could not take the application.
    Unavailable,
    RateLimited,
    /// Turnstile's token was missing (the widget not solved, or JavaScript off).
    HumanCheckMissing,
    /// Siteverify said no, or the token was made for another action, position or site.
    HumanCheckRefused,
    /// Siteverify could not be asked: nothing is decided, the candidate tries again.
    HumanCheckUnavailable,
    /// The position does not exist (any more).
    PositionNotFound,
    /// The position exists but takes no invites now.
    PositionClosed,
    /// A page on a site that is neither ours nor allowed posted the form.
    OriginNotAllowed,
    /// The body was refused; the page links back to the position's form.
    TooLarge,
    UnsupportedType,
    Unreadable,
    PageNotFound,
    MethodNotAllowed,
    /// A setting or binding is missing: an operator must act.
    Misconfigured,
    PositionsUnavailable,
}

/// An answer's row of the table.
#[derive(Debug, PartialEq, Eq)]
pub struct Row<'a> {
    /// The HTTP status (a page that redirects answers 303 whatever this says).
    pub status: u16,
    /// The JSON's `error`: the request as a whole was refused. Without it a form answer's JSON
    /// has `errors`, by field.
    pub error: Option<&'static str>,
    /// The JSON's `status`: where the application stands.
    pub state: Option<&'static str>,
    pub retry_after: Option<u32>,
    /// A place in the position's line and when to expect the email (ms since the epoch): the
    /// JSON's `place` and `expectedBy`, and the page's panel.
    pub line: Option<(u32, u64)>,
    pub page: Page<'a>,
}

impl<'a> Row<'a> {
    fn new(
        status: u16,
        error: Option<&'static str>,
        state: Option<&'static str>,
        page: Page<'a>,
    ) -> Self {
        Row {
            status,
            error,
            state,
            retry_after: None,
            line: None,
            page,
        }
    }

    fn retry_after(self, seconds: Option<u32>) -> Self {
        Row {
            retry_after: seconds,
            ..self
        }
    }
}

/// A refusal of the whole request, and a page that says why.
fn refusal(
    status: u16,
    error: &'static str,
    message: &'static Message,
    onward: Option<Onward>,
) -> Row<'static> {
    Row::new(status, Some(error), None, Page::Message(message, onward))
}

/// Where the application stands, and a page that sends the candidate to their inbox.
fn inbox(
    (status, error, state): (u16, Option<&'static str>, &'static str),
    message: &'static Message,
    slug: &'static str,
) -> Row<'static> {
    Row::new(status, error, Some(state), Page::Inbox(message, slug))
}

fn form<'a>(
    status: u16,
    error: Option<&'static str>,
    notice: Option<&'a str>,
    errors: Option<&'a FieldErrors>,
    human_check: Option<&'static str>,
) -> Row<'a> {
    let page = Page::Form {
        notice,
        errors,
        human_check,
    };
    Row::new(status, error, None, page)
}

/// The kind of page an answer is, with its words.
#[derive(Debug, PartialEq, Eq)]
pub enum Page<'a> {
    /// A page that only says something, with a way on.
    Message(&'static Message, Option<Onward>),
    /// A page that sends the candidate to their inbox: no form, since sending the application
    /// again could only get the same answer. It has an address of its own,
    /// `/apply/{id}/{slug}`, which shows it again on a GET: a language switch never posts again.
    Inbox(&'static Message, &'static str),
    /// The form again with every value kept, with a notice (the JSON's `message`; without
    /// one, the summary of the errors) and errors by field.
    Form {
        notice: Option<&'a str>,
        errors: Option<&'a FieldErrors>,
        human_check: Option<&'static str>,
    },
    /// On to the interview (303).
    Redirect(&'a InterviewUrl),
    /// An answer for code only (the admin API): no words.
    Bare,
}

/// Where a message page leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onward {
    Positions,
    /// The position's form (when the answer is to a post for one).
    Form,
}

impl Answer {
    /// The answers that have an address of their own (`Page::Inbox`).
    const INBOXES: [Answer; 3] = [Answer::Queued, Answer::InvitedByEmail, Answer::LinkUnusable];

    pub fn row(&self, w: &'static Words) -> Row<'_> {
        let (home, back) = (Some(Onward::Positions), Some(Onward::Form));
        let wait = Some(RETRY_SECONDS);
        match self {
            Answer::Interview(url) => Row::new(200, None, Some("invited"), Page::Redirect(url)),
            Answer::InvitedByEmail => inbox(
                (200, None, "invited_by_email"),
                &w.invited_by_email,
                "check-email",
            ),
            Answer::Queued => inbox((202, None, "queued"), &w.queued, "received"),
            Answer::InLine {
                place,
                expected_by_ms,
            } => Row {
                line: Some((*place, *expected_by_ms)),
                ..inbox((202, None, "queued"), &w.in_line, "received")
            },
            Answer::PositionPaused { retry_after_s } => {
                let notice = Some(w.position_paused);
                form(429, Some("position_paused"), notice, None, None)
                    .retry_after(Some(*retry_after_s))
            }
            Answer::LinkUnusable => {
                let refused = (502, Some("upstream_error"), "invited_by_email");
                inbox(refused, &w.link_unusable, "link-sent")
            }
            Answer::Rejected {
                errors,
                hireflix_says,
            } => {
                // Hireflix's words that name no field; when it named nothing at all, ours.
                let ours = errors.is_empty().then_some(w.refused_by_hireflix);
                form(
                    422,
                    None,
                    hireflix_says.as_deref().or(ours),
                    Some(errors),
                    None,
                )
            }
            Answer::Invalid(errors) => form(422, None, None, Some(errors), None),
            Answer::HumanCheckMissing => form(422, None, None, None, Some(w.human_check_missing)),
            Answer::HumanCheckRefused => form(422, None, None, None, Some(w.human_check_refused)),
            Answer::Unavailable => {
                form(503, Some("unavailable"), Some(w.unavailable), None, None).retry_after(wait)
            }
            Answer::RateLimited => {
                form(429, Some("rate_limited"), Some(w.rate_limited), None, None).retry_after(wait)
            }
            Answer::HumanCheckUnavailable => {
                let notice = Some(w.human_check_unavailable);
                form(503, Some("turnstile_unavailable"), notice, None, None).retry_after(wait)
            }
            Answer::PositionNotFound => {
                refusal(404, "position_not_found", &w.position_not_found, home)
            }
            Answer::PositionClosed => refusal(410, "position_closed", &w.position_closed, home),
            Answer::OriginNotAllowed => {
                refusal(403, "origin_not_allowed", &w.origin_not_allowed, None)
            }
            Answer::TooLarge => refusal(413, "payload_too_large", &w.too_large, back),
            Answer::UnsupportedType => {
                refusal(415, "unsupported_media_type", &w.unsupported_type, back)
            }
            Answer::Unreadable => refusal(400, "malformed_body", &w.unreadable, back),
            Answer::PageNotFound => refusal(404, "not_found", &w.page_not_found, home),
            Answer::MethodNotAllowed => refusal(405, "method_not_allowed", &w.page_not_found, home),
            Answer::Misconfigured => refusal(503, "misconfigured", &w.misconfigured, None)
                .retry_after(Some(MISCONFIGURED_RETRY_SECONDS)),
            Answer::PositionsUnavailable => {
                refusal(503, "unavailable", &w.positions_unavailable, None).retry_after(wait)
            }
        }
    }

    /// The answer whose page lives at `/apply/{id}/{slug}`.
    pub fn from_slug(slug: &str, w: &'static Words) -> Option<Answer> {
        Answer::INBOXES
            .into_iter()
            .find(|answer| matches!(answer.row(w).page, Page::Inbox(_, s) if s == slug))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::english;

    #[test]
    fn each_inbox_page_is_found_again_by_its_slug() {
        let w = english();
        for answer in Answer::INBOXES {
            let Page::Inbox(_, slug) = answer.row(w).page else {
                panic!("{answer:?} has no address of its own")
            };
            assert_eq!(Answer::from_slug(slug, w), Some(answer));
        }
        assert_eq!(Answer::from_slug("invited", w), None);
    }

    #[test]
    fn a_refusal_without_words_from_hireflix_says_ours_only_when_no_field_is_named() {
        let w = english();
        let notice = |answer: &Answer| match answer.row(w).page {
            Page::Form { notice, .. } => notice.map(str::to_string),
            _ => panic!(),
        };
        let silent = Answer::Rejected {
            errors: FieldErrors::default(),
            hireflix_says: None,
        };
        assert_eq!(notice(&silent).as_deref(), Some(w.refused_by_hireflix));
        let on_a_field = Answer::Rejected {
            errors: FieldErrors::default().with(
                crate::domain::Field::Email,
                crate::domain::FieldError::NotAnEmail,
            ),
            hireflix_says: None,
        };
        assert_eq!(notice(&on_a_field), None);
    }

    #[test]
    fn whoever_must_wait_is_told_for_how_long() {
        let w = english();
        for answer in [
            Answer::RateLimited,
            Answer::Unavailable,
            Answer::HumanCheckUnavailable,
            Answer::PositionsUnavailable,
        ] {
            assert_eq!(answer.row(w).retry_after, Some(RETRY_SECONDS), "{answer:?}");
        }
        assert_eq!(Answer::Misconfigured.row(w).retry_after, Some(300));
        assert_eq!(Answer::Queued.row(w).retry_after, None);
    }
}
