//! Every answer the worker gives a candidate or a calling page, in one table (`Answer::row`);
//! `http::render` projects a row to a page or to JSON.

use crate::domain::FieldErrors;
use crate::hireflix::InterviewUrl;
use crate::i18n::{Message, Words};

const RETRY_SECONDS: u32 = 60;
/// An operator must act first.
const MISCONFIGURED_RETRY_SECONDS: u32 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Interview(InterviewUrl),
    /// Hireflix already has their interview and emailed its link.
    InvitedByEmail,
    Queued,
    /// Their place in the position's line (1: next), and by when the email comes.
    InLine {
        place: u32,
        expected_by_ms: u64,
    },
    /// The position's line is full, or its wait too long: nothing stored.
    PositionPaused {
        retry_after_s: u32,
    },
    /// The interview exists, but its link is missing or on a foreign host; Hireflix emailed it.
    LinkUnusable,
    /// Hireflix refused the data, with its own words where they name no field.
    Rejected {
        errors: FieldErrors,
        hireflix_says: Option<String>,
    },
    Invalid(FieldErrors),
    /// Hireflix failed and the queue could not take the application.
    Unavailable,
    RateLimited,
    HumanCheckMissing,
    /// Siteverify said no, or the token was made for another action, position or site.
    HumanCheckRefused,
    HumanCheckUnavailable,
    PositionNotFound,
    /// The position exists but takes no invites now.
    PositionClosed,
    OriginNotAllowed,
    TooLarge,
    UnsupportedType,
    Unreadable,
    PageNotFound,
    MethodNotAllowed,
    Misconfigured,
    PositionsUnavailable,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Row<'a> {
    /// A page that redirects answers 303 whatever this says.
    pub status: u16,
    /// The JSON's `error`: the whole request was refused (else a form's JSON has `errors`).
    pub error: Option<&'static str>,
    /// The JSON's `status`.
    pub state: Option<&'static str>,
    pub retry_after: Option<u32>,
    pub page: Page<'a>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Page<'a> {
    Message(&'static Message, Option<Onward>),
    /// To the inbox: no form, as posting again could only get the same answer. Its address,
    /// `/apply/{id}/{slug}`, shows it again on a GET, so a language switch never posts again.
    /// The place in line and the email's ms since the epoch: the JSON's `place`, `expectedBy`.
    Inbox(&'static Message, &'static str, Option<(u32, u64)>),
    /// The form again, every value kept: a notice (the JSON's `message`; without one, the
    /// errors' summary), errors by field and the human check's.
    Form(
        Option<&'a str>,
        Option<&'a FieldErrors>,
        Option<&'static str>,
    ),
    Redirect(&'a InterviewUrl),
}

/// Where a message page leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onward {
    Positions,
    Form,
}

impl Answer {
    const INBOXES: [Answer; 3] = [Answer::Queued, Answer::InvitedByEmail, Answer::LinkUnusable];

    #[rustfmt::skip]
    pub fn row(&self, w: &'static Words) -> Row<'_> {
        use Answer as A;
        use Page::{Form, Inbox, Message as Say, Redirect};
        let (home, back) = (Some(Onward::Positions), Some(Onward::Form));
        let (invited, queued, wait) = (Some("invited_by_email"), Some("queued"), Some(RETRY_SECONDS));
        let (status, error, state, retry_after, page) = match self {
            // answer =>               (status, JSON `error`, JSON `status`, Retry-After, page)
            A::Interview(url) =>        (200, None, Some("invited"), None, Redirect(url)),
            A::InvitedByEmail =>        (200, None, invited, None, Inbox(&w.invited_by_email, "check-email", None)),
            A::Queued =>                (202, None, queued, None, Inbox(&w.queued, "received", None)),
            A::InLine { place, expected_by_ms: by } =>
                                        (202, None, queued, None, Inbox(&w.in_line, "received", Some((*place, *by)))),
            A::LinkUnusable =>          (502, Some("upstream_error"), invited, None, Inbox(&w.link_unusable, "link-sent", None)),
            A::PositionPaused { retry_after_s } =>
                                        (429, Some("position_paused"), None, Some(*retry_after_s), Form(Some(w.position_paused), None, None)),
            A::Rejected { errors, hireflix_says } => {
                // Hireflix's words that name no field; when it named nothing at all, ours.
                let notice = hireflix_says.as_deref().or(errors.is_empty().then_some(w.refused_by_hireflix));
                (422, None, None, None, Form(notice, Some(errors), None))
            }
            A::Invalid(errors) =>       (422, None, None, None, Form(None, Some(errors), None)),
            A::HumanCheckMissing =>     (422, None, None, None, Form(None, None, Some(w.human_check_missing))),
            A::HumanCheckRefused =>     (422, None, None, None, Form(None, None, Some(w.human_check_refused))),
            A::Unavailable =>           (503, Some("unavailable"), None, wait, Form(Some(w.unavailable), None, None)),
            A::RateLimited =>           (429, Some("rate_limited"), None, wait, Form(Some(w.rate_limited), None, None)),
            A::HumanCheckUnavailable => (503, Some("turnstile_unavailable"), None, wait, Form(Some(w.human_check_unavailable), None, None)),
            A::PositionNotFound =>      (404, Some("position_not_found"), None, None, Say(&w.position_not_found, home)),
            A::PositionClosed =>        (410, Some("position_closed"), None, None, Say(&w.position_closed, home)),
            A::OriginNotAllowed =>      (403, Some("origin_not_allowed"), None, None, Say(&w.origin_not_allowed, None)),
            A::TooLarge =>              (413, Some("payload_too_large"), None, None, Say(&w.too_large, back)),
            A::UnsupportedType =>       (415, Some("unsupported_media_type"), None, None, Say(&w.unsupported_type, back)),
            A::Unreadable =>            (400, Some("malformed_body"), None, None, Say(&w.unreadable, back)),
            A::PageNotFound =>          (404, Some("not_found"), None, None, Say(&w.page_not_found, home)),
            A::MethodNotAllowed =>      (405, Some("method_not_allowed"), None, None, Say(&w.page_not_found, home)),
            A::Misconfigured =>         (503, Some("misconfigured"), None, Some(MISCONFIGURED_RETRY_SECONDS), Say(&w.misconfigured, None)),
            A::PositionsUnavailable =>  (503, Some("unavailable"), None, wait, Say(&w.positions_unavailable, None)),
        };
        Row { status, error, state, retry_after, page }
    }

    pub fn from_slug(slug: &str, w: &'static Words) -> Option<Answer> {
        let at = |answer: &Answer| matches!(answer.row(w).page, Page::Inbox(_, s, _) if s == slug);
        Answer::INBOXES.into_iter().find(at)
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
