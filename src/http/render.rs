//! The two projections of an `Answer`: a page, and JSON for the API.

use super::body::{Posted, TURNSTILE_FIELD};
use super::pages::{render, FormPage, MessagePage};
use super::pass;
use super::respond::{self, html, json, see_other, Reply};
use super::submit::Submission;
use super::ui::{Layout, Ui};
use crate::answer::{Answer, Onward, Page};
use crate::clock::iso8601;
use crate::config::Config;
use crate::domain::{FieldErrors, PositionId};
use crate::i18n::{Message, Words};
use serde_json::{Map, Value};

impl Answer {
    /// The page of an answer to a request for no position in particular.
    pub fn page(&self, ui: &Ui) -> Reply {
        page(self, ui, None, None)
    }

    /// The machine keys, for code, and a sentence in the request's language, for people.
    pub fn json(&self, w: &'static Words) -> Reply {
        let row = self.row(w);
        let (message, more) = match row.page {
            Page::Message(message, _) | Page::Inbox(message, _) => (Some(message.body), None),
            Page::Form {
                notice,
                errors,
                human_check,
            } => {
                // A refusal of the whole post has its `error`; any other, errors by field.
                let errors = row
                    .error
                    .is_none()
                    .then(|| by_field(w, errors, human_check));
                (
                    Some(notice.unwrap_or(w.error_summary)),
                    errors.map(|e| ("errors", e)),
                )
            }
            Page::Redirect(url) => (None, Some(("url", url.as_str().into()))),
            Page::Bare => (None, None),
        };
        let words = [
            ("error", row.error),
            ("status", row.state),
            ("message", message),
        ];
        let line = row
            .line
            .into_iter()
            .flat_map(|(place, by)| [("place", place.into()), ("expectedBy", iso8601(by).into())]);
        let retry = match self {
            Answer::PositionPaused { retry_after_s } => {
                Some(("retryAfter", (*retry_after_s).into()))
            }
            _ => None,
        };
        let body: Map<String, Value> = words
            .into_iter()
            .filter_map(|(key, value)| Some((key, Value::from(value?))))
            .chain(more)
            .chain(line)
            .chain(retry)
            .map(|(key, value)| (key.to_string(), value))
            .collect();
        with_retry_after(json(row.status, &Value::Object(body)), row.retry_after)
    }
}

/// The page answering a post from the form.
pub fn submission_page(
    submission: &Submission,
    position: &PositionId,
    ui: &Ui,
    config: &Config,
) -> Reply {
    let reply = page(
        &submission.answer,
        ui,
        Some(position),
        Some((submission, config)),
    );
    with_pass(reply, position, submission.pass.as_deref())
}

/// JSON keeps its machine keys (`error`, `status`, field names) and adds `message`, a sentence
/// in the request's language that a landing page can show as it is.
pub fn submission_json(submission: &Submission, position: &PositionId, w: &'static Words) -> Reply {
    let reply = submission.answer.json(w);
    with_pass(reply, position, submission.pass.as_deref())
}

/// A page that sent the candidate to their inbox, shown again by its own address.
pub fn inbox_again(answer: &Answer, position: &PositionId, ui: &Ui) -> Reply {
    match answer.row(ui.w).page {
        Page::Inbox(message, slug) => {
            let name = crate::apply::positions::memo_name(position, "");
            inbox(
                200,
                message,
                slug,
                Some(position),
                ui,
                Some((&name, "")),
                None,
            )
        }
        _ => Answer::PageNotFound.page(ui),
    }
}

fn page(
    answer: &Answer,
    ui: &Ui,
    position: Option<&PositionId>,
    sent: Option<(&Submission, &Config)>,
) -> Reply {
    let w = ui.w;
    let row = answer.row(w);
    let reply = match (row.page, position, sent) {
        (Page::Message(message, onward), ..) => {
            let link = match (onward, position) {
                (Some(Onward::Positions), _) => Some(("/".to_string(), w.see_open_positions)),
                (Some(Onward::Form), Some(position)) => {
                    Some((format!("/apply/{position}"), w.back_to_form))
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
        (Page::Inbox(message, slug), ..) => {
            let shown = sent.map(|(s, _)| (s.position_name.as_str(), s.posted.form.email.as_str()));
            inbox(row.status, message, slug, position, ui, shown, row.line)
        }
        (Page::Redirect(url), ..) => see_other(url.as_str()),
        (
            Page::Form {
                notice,
                errors,
                human_check,
            },
            Some(position),
            Some((submission, config)),
        ) => {
            let posted = &submission.posted;
            let path = format!("/apply/{position}");
            let layout = ui.layout_for_form(&path, &posted.form, &posted.attribution);
            let none = FieldErrors::default();
            let errors = errors.unwrap_or(&none);
            let name = &submission.position_name;
            let page = form_page(layout, position, name, posted, errors, config)
                .with_notice(notice)
                .with_human_check_error(human_check);
            form_reply(row.status, &page)
        }
        // Only a post's answers are forms, and only the admin API's are bare.
        (Page::Form { .. } | Page::Bare, ..) => return Answer::PageNotFound.page(ui),
    };
    with_retry_after(reply, row.retry_after)
}

/// What happens next, by when, and whom to write to if nothing comes; which position and which
/// address, when known (`shown`: a GET knows no address), in a panel; and the open positions.
fn inbox(
    status: u16,
    message: &'static Message,
    slug: &str,
    position: Option<&PositionId>,
    ui: &Ui,
    shown: Option<(&str, &str)>,
    line: Option<(u32, u64)>,
) -> Reply {
    let layout = match position {
        Some(position) => ui.layout_at(&format!("/apply/{position}/{slug}")),
        None => ui.layout(),
    };
    let w = ui.w;
    let help = match &ui.brand.contact_email {
        Some(email) => (w.nothing_arrived_write_to, Some(email.clone())),
        None => (w.nothing_arrived, None),
    };
    let (name, email) = shown.unwrap_or_default();
    let mut details: Vec<_> = [(w.position, name), (w.email, email)]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(label, value)| (label, value.trim().to_string()))
        .collect();
    if let Some((place, by)) = line {
        // `2026-12-02 15:00 UTC`: to the minute, in a form every language reads.
        let by = iso8601(by);
        let minute = by.get(..16).unwrap_or(&by).replace('T', " ");
        details.push((w.place_in_line, place.to_string()));
        details.push((w.expected_by, format!("{minute} UTC")));
    }
    let page = MessagePage {
        layout,
        message,
        link: Some((format!("/?lang={}", w.code), w.see_open_positions)),
        help: Some(help),
        details,
    };
    html(status, render(&page))
}

/// A page with the form, its CSP admitting Turnstile's widget when it shows one.
pub fn form_reply(status: u16, page: &FormPage) -> Reply {
    respond::page(status, render(page), page.turnstile_site_key.is_some())
}

/// A form page as the configuration has it.
pub fn form_page(
    layout: Layout,
    position: &PositionId,
    name: &str,
    posted: &Posted,
    errors: &FieldErrors,
    config: &Config,
) -> FormPage {
    let site_key = config.turnstile.as_ref().map(|t| t.site_key.as_str());
    let consent = config.require_consent;
    FormPage::new(layout, position, name, posted, errors, consent, site_key)
}

fn with_retry_after(reply: Reply, seconds: Option<u32>) -> Reply {
    match seconds {
        Some(seconds) => reply.with_header("retry-after", seconds.to_string()),
        None => reply,
    }
}

/// Gives the browser its link pass with an interview link. A landing page's cross-origin
/// `fetch` sends no credentials, and its browser ignores the cookie: such a candidate has the
/// grace period, then their email.
fn with_pass(reply: Reply, position: &PositionId, link_pass: Option<&str>) -> Reply {
    match link_pass {
        Some(link_pass) => {
            reply.with_header("set-cookie", pass::set_cookie(position.as_str(), link_pass))
        }
        None => reply,
    }
}

/// Each error by its field's wire name, in the request's language.
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
