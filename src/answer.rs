//! Every answer the worker gives a candidate or a calling page, in one table (`Answer::row`):
//! its status, its JSON keys, its `Retry-After`, its words in the catalogue and the kind of
//! page it is. The pipeline decides one, the gates and routes give others, and `http::render`
//! projects any of them to a page or to JSON. A new answer is a new variant and its row here.

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
    pub page: Page<'a>,
}

/// A place in the position's line (1: next) and when to expect the email (ms since the epoch).
type Line = Option<(u32, u64)>;

/// The kind of page an answer is, with its words.
#[derive(Debug, PartialEq, Eq)]
pub enum Page<'a> {
    /// A page that only says something, with a way on.
    Message(&'static Message, Option<Onward>),
    /// A page that sends the candidate to their inbox: no form, since sending the application
    /// again could only get the same answer. It has an address of its own,
    /// `/apply/{id}/{slug}`, which shows it again on a GET: a language switch never posts again.
    /// Its line: the JSON's `place` and `expectedBy`, and the page's panel.
    Inbox(&'static Message, &'static str, Line),
    /// The form again with every value kept, with a notice (the JSON's `message`; without
    /// one, the summary of the errors), errors by field and the human check's.
    Form(
        Option<&'a str>,
        Option<&'a FieldErrors>,
        Option<&'static str>,
    ),
    /// On to the interview (303).
    Redirect(&'a InterviewUrl),
}

/// Where a message page leads: the open positions, or the position's form (when the answer
/// is to a post for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onward {
    Positions,
    Form,
}

type Cells<'a> = (u16, Option<&'static str>, Option<&'static str>, Page<'a>);

/// A refusal of the whole request, and a page that says why.
fn say(
    status: u16,
    error: &'static str,
    m: &'static Message,
    on: Option<Onward>,
) -> Cells<'static> {
    (status, Some(error), None, Page::Message(m, on))
}

/// Where the application stands, and the page that sends the candidate to their inbox.
fn inbox(
    status: u16,
    state: &'static str,
    m: &'static Message,
    slug: &'static str,
) -> Cells<'static> {
    (status, None, Some(state), Page::Inbox(m, slug, None))
}

/// The form again, with a notice that says why the post was refused.
fn notice(status: u16, error: &'static str, notice: &'static str) -> Cells<'static> {
    let page = Page::Form(Some(notice), None, None);
    (status, Some(error), None, page)
}

/// The form again, with the human check's error.
fn check(error: &'static str) -> Cells<'static> {
    (422, None, None, Page::Form(None, None, Some(error)))
}

impl Answer {
    /// The answers that have an address of their own (`Page::Inbox`).
    const INBOXES: [Answer; 3] = [Answer::Queued, Answer::InvitedByEmail, Answer::LinkUnusable];

    pub fn row(&self, w: &'static Words) -> Row<'_> {
        use Answer as A;
        let (home, back) = (Some(Onward::Positions), Some(Onward::Form));
        let invited = "invited_by_email";
        let (status, error, state, page) = match self {
            A::Interview(url) => (200, None, Some("invited"), Page::Redirect(url)),
            A::InvitedByEmail => inbox(200, invited, &w.invited_by_email, "check-email"),
            A::Queued => inbox(202, "queued", &w.queued, "received"),
            A::InLine {
                place,
                expected_by_ms,
            } => {
                let line = Some((*place, *expected_by_ms));
                (
                    202,
                    None,
                    Some("queued"),
                    Page::Inbox(&w.in_line, "received", line),
                )
            }
            A::LinkUnusable => {
                let page = Page::Inbox(&w.link_unusable, "link-sent", None);
                (502, Some("upstream_error"), Some(invited), page)
            }
            A::PositionPaused { .. } => notice(429, "position_paused", w.position_paused),
            A::Rejected {
                errors,
                hireflix_says,
            } => {
                // Hireflix's words that name no field; when it named nothing at all, ours.
                let ours = errors.is_empty().then_some(w.refused_by_hireflix);
                let page = Page::Form(hireflix_says.as_deref().or(ours), Some(errors), None);
                (422, None, None, page)
            }
            A::Invalid(errors) => (422, None, None, Page::Form(None, Some(errors), None)),
            A::HumanCheckMissing => check(w.human_check_missing),
            A::HumanCheckRefused => check(w.human_check_refused),
            A::Unavailable => notice(503, "unavailable", w.unavailable),
            A::RateLimited => notice(429, "rate_limited", w.rate_limited),
            A::HumanCheckUnavailable => {
                notice(503, "turnstile_unavailable", w.human_check_unavailable)
            }
            A::PositionNotFound => say(404, "position_not_found", &w.position_not_found, home),
            A::PositionClosed => say(410, "position_closed", &w.position_closed, home),
            A::OriginNotAllowed => say(403, "origin_not_allowed", &w.origin_not_allowed, None),
            A::TooLarge => say(413, "payload_too_large", &w.too_large, back),
            A::UnsupportedType => say(415, "unsupported_media_type", &w.unsupported_type, back),
            A::Unreadable => say(400, "malformed_body", &w.unreadable, back),
            A::PageNotFound => say(404, "not_found", &w.page_not_found, home),
            A::MethodNotAllowed => say(405, "method_not_allowed", &w.page_not_found, home),
            A::Misconfigured => say(503, "misconfigured", &w.misconfigured, None),
            A::PositionsUnavailable => say(503, "unavailable", &w.positions_unavailable, None),
        };
        let retry_after = match self {
            A::PositionPaused { retry_after_s } => Some(*retry_after_s),
            A::Misconfigured => Some(MISCONFIGURED_RETRY_SECONDS),
            A::Unavailable
            | A::RateLimited
            | A::HumanCheckUnavailable
            | A::PositionsUnavailable => Some(RETRY_SECONDS),
            _ => None,
        };
        Row {
            status,
            error,
            state,
            retry_after,
            page,
        }
    }

    /// The answer whose page lives at `/apply/{id}/{slug}`.
    pub fn from_slug(slug: &str, w: &'static Words) -> Option<Answer> {
        Answer::INBOXES
            .into_iter()
            .find(|answer| matches!(answer.row(w).page, Page::Inbox(_, s, _) if s == slug))
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
            let Page::Inbox(_, slug, _) = answer.row(w).page else {
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
            Page::Form(notice, ..) => notice.map(str::to_string),
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
