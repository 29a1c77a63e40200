//! The two renderings of a submission: a page for the form route, JSON for the API.

use super::body::TURNSTILE_FIELD;
use super::pages::{render, FormPage, MessagePage};
use super::pass;
use super::problem::Problem;
use super::respond::{self, html, json, see_other, with_retry_after, Reply};
use super::submit::{Answer, Submission};
use super::turnstile::Challenge;
use super::ui::Ui;
use crate::apply::Decision;
use crate::config::Config;
use crate::domain::{FieldErrors, PositionId};
use crate::i18n::{Message, Words};
use serde_json::{json, Map, Value};
use worker::Result;

/// A candidate who cannot go on now is asked to wait this long before sending again.
const RETRY_AFTER_SECONDS: u32 = 60;

/// The answers that send the candidate to their inbox. Each has an address of its own
/// (`/apply/{id}/{slug}`) that shows it again on a GET, which is where the language switch of
/// a page answering a POST leads: switching language never sends the application again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emailed {
    /// Queued for Hireflix: the invite will come by email.
    Received,
    /// Already invited: the link is in the email Hireflix sent.
    CheckEmail,
    /// Invited, but the link Hireflix gave could not be used: it is in the email.
    LinkSent,
}

impl Emailed {
    const ALL: [Emailed; 3] = [Emailed::Received, Emailed::CheckEmail, Emailed::LinkSent];

    fn slug(self) -> &'static str {
        match self {
            Emailed::Received => "received",
            Emailed::CheckEmail => "check-email",
            Emailed::LinkSent => "link-sent",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Emailed> {
        Emailed::ALL.into_iter().find(|e| e.slug() == slug)
    }

    fn message(self, w: &Words) -> &Message {
        match self {
            Emailed::Received => &w.queued,
            Emailed::CheckEmail => &w.invited_by_email,
            Emailed::LinkSent => &w.link_unusable,
        }
    }

    /// The page: what happens next, by when, and whom to write to if nothing comes. No form:
    /// sending the application again could only get the same answer.
    pub fn page(self, status: u16, position: &PositionId, ui: &Ui) -> Result<Reply> {
        let chrome = ui.chrome_for_path(&format!("/apply/{position}/{}", self.slug()));
        let page = MessagePage::new(chrome, self.message(ui.w)).with_email_help();
        Ok(html(status, render(&page)))
    }
}

/// A form page, with Turnstile's widget when it is on (a fresh one: tokens are single use).
pub fn form_page(status: u16, page: FormPage, turnstile_site_key: Option<&str>) -> Reply {
    let page = page.with_turnstile(turnstile_site_key);
    respond::page(status, render(&page), page.uses_turnstile())
}

pub fn page(
    submission: Submission,
    position: &PositionId,
    ui: &Ui,
    config: &Config,
) -> Result<Reply> {
    let w = ui.w;
    let (form, position_name, answer, attribution, consent, link_pass) = match submission {
        Submission::Refused(problem) => return problem.page(ui),
        Submission::Answered {
            form,
            position_name,
            answer,
            attribution,
            consent,
            pass,
        } => (form, position_name, answer, attribution, consent, pass),
    };
    let path = format!("/apply/{position}");
    let page_with = |errors: &FieldErrors| {
        let chrome = ui.chrome_for_form(&path, &form, &attribution);
        FormPage::new(chrome, position.as_str(), &position_name, &form, errors)
            .with_consent(config.require_consent, consent)
            .with_attribution(&attribution)
    };
    let no_errors = FieldErrors::default();
    let turnstile_site_key = config.turnstile.as_ref().map(|t| t.site_key.as_str());
    let show = |status, page| Ok(form_page(status, page, turnstile_site_key));
    let decision = match answer {
        Answer::Invalid(errors) => return show(422, page_with(&errors)),
        Answer::RateLimited => {
            let page = page_with(&no_errors).with_notice(w.rate_limited);
            return Ok(with_retry_after(show(429, page)?, RETRY_AFTER_SECONDS));
        }
        Answer::Challenge(Challenge::Unavailable) => {
            let page = page_with(&no_errors).with_notice(w.human_check_unavailable);
            return Ok(with_retry_after(show(503, page)?, RETRY_AFTER_SECONDS));
        }
        Answer::Challenge(challenge) => {
            let error = human_check_error(w, challenge);
            return show(422, page_with(&no_errors).with_human_check_error(error));
        }
        Answer::Decided(decision) => decision,
    };
    match decision {
        Decision::Interview(url) => Ok(with_pass(
            see_other(url.as_str()),
            position,
            link_pass.as_deref(),
        )),
        Decision::InvitedByEmail => Emailed::CheckEmail.page(200, position, ui),
        Decision::Queued => Emailed::Received.page(202, position, ui),
        Decision::Rejected {
            errors,
            hireflix_says,
        } => {
            let mut page = page_with(&errors);
            if let Some(notice) = general_refusal(w, &errors, hireflix_says) {
                page = page.with_notice(notice);
            }
            show(422, page)
        }
        Decision::PositionNotFound => Problem::PositionNotFound.page(ui),
        Decision::PositionClosed => Problem::PositionClosed.page(ui),
        Decision::Unavailable => {
            let page = page_with(&no_errors).with_notice(w.unavailable);
            Ok(with_retry_after(show(503, page)?, RETRY_AFTER_SECONDS))
        }
        Decision::LinkUnusable => Emailed::LinkSent.page(502, position, ui),
    }
}

/// JSON keeps its machine keys (`error`, `status`, field names) and adds `message`, a sentence
/// in the request's language that a landing page can show as it is.
pub fn api(submission: Submission, position: &PositionId, w: &'static Words) -> Result<Reply> {
    let (answer, link_pass) = match submission {
        Submission::Refused(problem) => return problem.json(w),
        Submission::Answered { answer, pass, .. } => (answer, pass),
    };
    let decision = match answer {
        Answer::Invalid(errors) => {
            let body = json!({ "errors": field_errors(w, &errors), "message": w.error_summary });
            return Ok(json(422, &body));
        }
        Answer::RateLimited => {
            let body = json!({ "error": "rate_limited", "message": w.rate_limited });
            return Ok(with_retry_after(json(429, &body), RETRY_AFTER_SECONDS));
        }
        Answer::Challenge(Challenge::Unavailable) => {
            let body =
                json!({ "error": "turnstile_unavailable", "message": w.human_check_unavailable });
            return Ok(with_retry_after(json(503, &body), RETRY_AFTER_SECONDS));
        }
        Answer::Challenge(challenge) => {
            let error = human_check_error(w, challenge);
            let body = json!({ "errors": { TURNSTILE_FIELD: error }, "message": w.error_summary });
            return Ok(json(422, &body));
        }
        Answer::Decided(decision) => decision,
    };
    let reply = match decision {
        Decision::Interview(url) => with_pass(
            json(200, &json!({ "status": "invited", "url": url.as_str() })),
            position,
            link_pass.as_deref(),
        ),
        Decision::InvitedByEmail => json(
            200,
            &json!({ "status": "invited_by_email", "message": w.invited_by_email.body }),
        ),
        Decision::Queued => json(
            202,
            &json!({ "status": "queued", "message": w.queued.body }),
        ),
        Decision::Rejected {
            errors,
            hireflix_says,
        } => {
            let message = general_refusal(w, &errors, hireflix_says)
                .unwrap_or_else(|| w.error_summary.to_string());
            json(
                422,
                &json!({ "errors": field_errors(w, &errors), "message": message }),
            )
        }
        Decision::PositionNotFound => return Problem::PositionNotFound.json(w),
        Decision::PositionClosed => return Problem::PositionClosed.json(w),
        Decision::Unavailable => {
            let body = json!({ "error": "unavailable", "message": w.unavailable });
            with_retry_after(json(503, &body), RETRY_AFTER_SECONDS)
        }
        Decision::LinkUnusable => json(
            502,
            &json!({
                "error": "upstream_error",
                "status": "invited_by_email",
                "message": w.link_unusable.body,
            }),
        ),
    };
    Ok(reply)
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

fn human_check_error(w: &'static Words, challenge: Challenge) -> &'static str {
    match challenge {
        Challenge::Missing => w.human_check_missing,
        _ => w.human_check_refused,
    }
}

/// Each error by its field's wire name, in the request's language.
fn field_errors(w: &Words, errors: &FieldErrors) -> Value {
    let map: Map<String, Value> = errors
        .iter()
        .map(|(field, error)| {
            let message = w.field_error(field, error).to_string();
            (field.wire_name().to_string(), Value::String(message))
        })
        .collect();
    Value::Object(map)
}

/// What Hireflix said that names no field; when it named nothing at all, our own words.
fn general_refusal(
    w: &Words,
    errors: &FieldErrors,
    hireflix_says: Option<String>,
) -> Option<String> {
    match hireflix_says {
        Some(words) => Some(words),
        None if errors.is_empty() => Some(w.refused_by_hireflix.to_string()),
        None => None,
    }
}
