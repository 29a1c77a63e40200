//! The two projections of an `Answer`'s row: a page, and JSON for the API.

use super::pages::{render, FormPage, MessagePage};
use super::respond::{html, json, see_other, Reply};
use super::{body::TURNSTILE_FIELD, pages::Ui, pass, submit::Submission};
use crate::answer::{Answer, Onward, Page};
use crate::apply::positions::memo_name;
use crate::clock::{iso8601, now_ms};
use crate::config::Config;
use crate::domain::{FieldErrors, PositionId};
use crate::i18n::{Message, Words};
use crate::log::Source;
use serde_json::{Map, Value};

pub type Post<'a> = (&'a PositionId, &'a Submission, &'a Config);

impl Answer {
    /// The form's notice and the JSON's `message`. A paused position's says from when to send
    /// again: `Retry-After` from now rounded up to the minute, never sooner than the header.
    fn notice(&self, w: &Words, words: Option<&str>) -> Option<String> {
        let Answer::PositionPaused { retry_after_s } = self else {
            return words.map(str::to_string);
        };
        let at = now_ms().saturating_add(u64::from(*retry_after_s) * 1_000);
        let at = minute_utc(at.div_ceil(60_000) * 60_000);
        Some(format!("{} {} {at}.", w.position_paused, w.try_again_from))
    }

    pub fn page(&self, ui: &Ui) -> Reply {
        page(self, ui, None)
    }

    /// Machine keys for code, and `message`, a sentence a landing page can show as it is.
    pub fn json(&self, w: &'static Words) -> Reply {
        let row = self.row(w);
        let mut body = Map::new();
        let mut put = |key: &str, value: Option<Value>| value.map(|v| body.insert(key.into(), v));
        put("error", row.error.map(Value::from));
        put("status", row.state.map(Value::from));
        let (message, line) = match row.page {
            Page::Message(message, _) => (Some(message.body), None),
            Page::Inbox(message, _, line) => (Some(message.body), line),
            Page::Form(notice, errors, human_check) => {
                // A refusal of the whole post has its `error`; any other, errors by field.
                let whole = row.error.is_some();
                put("errors", (!whole).then(|| by_field(w, errors, human_check)));
                (Some(notice.unwrap_or(w.error_summary)), None)
            }
            Page::Redirect(url) => {
                put("url", Some(url.as_str().into()));
                (None, None)
            }
        };
        put("place", line.map(|(place, _)| place.into()));
        put("expectedBy", line.map(|(_, by)| iso8601(by).into()));
        if let Answer::PositionPaused { retry_after_s } = self {
            put("retryAfter", Some((*retry_after_s).into()));
        }
        put("message", self.notice(w, message).map(Value::from));
        let reply = json(row.status, &Value::Object(body));
        reply.with_header("retry-after", row.retry_after.map(|s| s.to_string()))
    }
}

/// With the link pass of an interview link (a landing page's cross-origin `fetch` ignores the
/// cookie: its candidate has the grace period, then their email).
pub fn submission(post: Post, ui: &Ui, source: Source) -> Reply {
    let (position, sent, _) = post;
    let reply = match source {
        Source::Form => page(&sent.answer, ui, Some(post)),
        Source::Api | Source::Queue => sent.answer.json(ui.w),
    };
    let cookie = |link_pass| pass::set_cookie(position.as_str(), link_pass);
    let cookie = sent.pass.as_deref().map(cookie);
    reply.with_header("set-cookie", cookie)
}

pub fn inbox_again(answer: &Answer, position: &PositionId, ui: &Ui, config: &Config) -> Reply {
    let Page::Inbox(message, slug, _) = answer.row(ui.w).page else {
        return Answer::PageNotFound.page(ui);
    };
    let name = memo_name(position, config, "");
    inbox(200, (message, slug, None), position, ui, (&name, ""))
}

fn page(answer: &Answer, ui: &Ui, post: Option<Post>) -> Reply {
    let (w, row) = (ui.w, answer.row(ui.w));
    let reply = match (row.page, post) {
        (Page::Message(message, onward), _) => {
            let link = match (onward, post) {
                (Some(Onward::Positions), _) => Some(("/".to_string(), w.see_open_positions)),
                (Some(Onward::Form), Some((id, ..))) => {
                    Some((format!("/apply/{id}"), w.back_to_form))
                }
                _ => None,
            };
            let page = MessagePage {
                layout: ui.layout(),
                message,
                link: link.map(|(href, text)| (format!("{href}?lang={}", w.code), text)),
                help: None,
                details: Vec::new(),
            };
            html(row.status, render(&page))
        }
        (Page::Inbox(message, slug, line), Some((position, sent, _))) => {
            let shown = (sent.position_name.as_str(), sent.posted.form.email.as_str());
            inbox(row.status, (message, slug, line), position, ui, shown)
        }
        (Page::Redirect(url), _) => see_other(url.as_str()),
        (Page::Form(notice, errors, human_check), Some((id, sent, config))) => {
            let (posted, name) = (&sent.posted, &sent.position_name);
            let path = format!("/apply/{id}");
            let layout = ui.form_layout(&path, &posted.form, &posted.attribution);
            let errors = errors.cloned().unwrap_or_default();
            let mut page = FormPage::new(layout, id, name, posted, &errors, config);
            page.notice = answer.notice(w, notice);
            page.human_check_error = human_check;
            page.reply(row.status)
        }
        // Only a post's answers are forms or inboxes.
        (Page::Form(..) | Page::Inbox(..), None) => Answer::PageNotFound.page(ui),
    };
    reply.with_header("retry-after", row.retry_after.map(|s| s.to_string()))
}

/// `shown`: the position and the address (a GET knows none).
fn inbox(
    status: u16,
    (message, slug, line): (&'static Message, &str, Option<(u32, u64)>),
    position: &PositionId,
    ui: &Ui,
    (name, email): (&str, &str),
) -> Reply {
    let w = ui.w;
    let help = match &ui.brand.contact_email {
        Some(email) => (w.nothing_arrived_write_to, Some(email.clone())),
        None => (w.nothing_arrived, None),
    };
    let shown = [(w.position, name.trim()), (w.email, email.trim())];
    let shown = shown.into_iter().filter(|(_, value)| !value.is_empty());
    let mut details: Vec<_> = shown.map(|(label, v)| (label, v.to_string())).collect();
    if let Some((place, by)) = line {
        details.push((w.place_in_line, place.to_string()));
        details.push((w.expected_by, minute_utc(by)));
    }
    let page = MessagePage {
        layout: ui.layout_at(&format!("/apply/{position}/{slug}")),
        message,
        link: Some((format!("/?lang={}", w.code), w.see_open_positions)),
        help: Some(help),
        details,
    };
    html(status, render(&page))
}

/// `2026-12-02 15:00 UTC`: a form every language reads.
fn minute_utc(ms: u64) -> String {
    let iso = iso8601(ms);
    let minute = iso.get(..16).unwrap_or(&iso).replace('T', " ");
    format!("{minute} UTC")
}

fn by_field(w: &Words, errors: Option<&FieldErrors>, human_check: Option<&str>) -> Value {
    let fields = errors.into_iter().flat_map(|errors| errors.iter());
    let mut map: Map<String, Value> = fields
        .map(|(field, error)| (field.wire_name().into(), w.field_error(field, error).into()))
        .collect();
    if let Some(error) = human_check {
        map.insert(TURNSTILE_FIELD.into(), error.into());
    }
    Value::Object(map)
}
