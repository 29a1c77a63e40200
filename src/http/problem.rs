//! Every answer of the HTTP edge that is not the happy path, mapped to its status, its JSON and
//! its page in this one place.

use super::pages::{render, MessagePage};
use super::respond::Reply;
use super::respond::{html, json, with_retry_after};
use super::ui::Ui;
use crate::domain::PositionId;
use crate::i18n::{Message, Words};
use serde_json::json;
use worker::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    PageNotFound,
    PositionNotFound,
    PositionClosed,
    MethodNotAllowed,
    /// A page on a site that is neither ours nor allowed posted the form.
    OriginNotAllowed,
    /// The body was refused; the page links back to the position's form.
    TooLarge(PositionId),
    UnsupportedType(PositionId),
    Unreadable(PositionId),
    /// A setting or binding is missing: an operator must act.
    Misconfigured,
    PositionsUnavailable,
}

impl Problem {
    fn status(&self) -> u16 {
        match self {
            Problem::PageNotFound | Problem::PositionNotFound => 404,
            Problem::PositionClosed => 410,
            Problem::MethodNotAllowed => 405,
            Problem::OriginNotAllowed => 403,
            Problem::TooLarge(_) => 413,
            Problem::UnsupportedType(_) => 415,
            Problem::Unreadable(_) => 400,
            Problem::Misconfigured | Problem::PositionsUnavailable => 503,
        }
    }

    /// The machine-readable key the JSON API answers with.
    fn key(&self) -> &'static str {
        match self {
            Problem::PageNotFound => "not_found",
            Problem::PositionNotFound => "position_not_found",
            Problem::PositionClosed => "position_closed",
            Problem::MethodNotAllowed => "method_not_allowed",
            Problem::OriginNotAllowed => "origin_not_allowed",
            Problem::TooLarge(_) => "payload_too_large",
            Problem::UnsupportedType(_) => "unsupported_media_type",
            Problem::Unreadable(_) => "malformed_body",
            Problem::Misconfigured => "misconfigured",
            Problem::PositionsUnavailable => "unavailable",
        }
    }

    fn retry_after_seconds(&self) -> Option<u32> {
        match self {
            Problem::Misconfigured => Some(300),
            Problem::PositionsUnavailable => Some(60),
            _ => None,
        }
    }

    fn message<'w>(&self, w: &'w Words) -> &'w Message {
        match self {
            Problem::PageNotFound | Problem::MethodNotAllowed => &w.page_not_found,
            Problem::PositionNotFound => &w.position_not_found,
            Problem::PositionClosed => &w.position_closed,
            Problem::OriginNotAllowed => &w.origin_not_allowed,
            Problem::TooLarge(_) => &w.too_large,
            Problem::UnsupportedType(_) => &w.unsupported_type,
            Problem::Unreadable(_) => &w.unreadable,
            Problem::Misconfigured => &w.misconfigured,
            Problem::PositionsUnavailable => &w.positions_unavailable,
        }
    }

    /// Where the page sends the candidate next.
    fn link(&self, w: &Words) -> Option<(String, &'static str)> {
        match self {
            Problem::PageNotFound
            | Problem::MethodNotAllowed
            | Problem::PositionNotFound
            | Problem::PositionClosed => Some(("/".into(), w.see_open_positions)),
            Problem::TooLarge(position)
            | Problem::UnsupportedType(position)
            | Problem::Unreadable(position) => Some((format!("/apply/{position}"), w.back_to_form)),
            Problem::OriginNotAllowed | Problem::Misconfigured | Problem::PositionsUnavailable => {
                None
            }
        }
    }

    /// The page, its language switch leading to the same address in each language.
    pub fn page(&self, ui: &Ui) -> Result<Reply> {
        let w = ui.w;
        let mut page = MessagePage::new(ui.chrome(), self.message(w));
        if let Some((href, text)) = self.link(w) {
            page = page.with_link(format!("{href}?lang={}", w.code), text);
        }
        Ok(self.retry_after(html(self.status(), render(&page))))
    }

    /// The machine key, for code, and a sentence in the request's language, for people.
    pub fn json(&self, w: &Words) -> Result<Reply> {
        let body = json!({ "error": self.key(), "message": self.message(w).body });
        Ok(self.retry_after(json(self.status(), &body)))
    }

    fn retry_after(&self, reply: Reply) -> Reply {
        match self.retry_after_seconds() {
            Some(seconds) => with_retry_after(reply, seconds),
            None => reply,
        }
    }
}
