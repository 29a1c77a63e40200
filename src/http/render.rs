//! The two renderings of a submission: a page for the form route, JSON for the API.

use super::body::TURNSTILE_FIELD;
use super::pages::{render, FormPage, MessagePage};
use super::pass;
use super::problem::Problem;
use super::respond::{self, html, json, see_other, with_retry_after};
use super::submit::{Answer, Submission};
use super::turnstile::Challenge;
use crate::apply::Decision;
use crate::domain::{FieldErrors, PositionId};
use crate::i18n::Words;
use serde_json::{json, Map, Value};
use worker::{Response, Result};

/// A candidate who cannot go on now is asked to wait this long before sending again.
const RETRY_AFTER_SECONDS: u32 = 60;

/// A form page, with Turnstile's widget when it is on (a fresh one: tokens are single use).
pub fn form_page(
    status: u16,
    page: FormPage,
    turnstile_site_key: Option<&str>,
) -> Result<Response> {
    let page = page.with_turnstile(turnstile_site_key);
    respond::page(status, render(&page), page.uses_turnstile())
}

pub fn page(
    submission: Submission,
    position: &PositionId,
    w: &'static Words,
    turnstile_site_key: Option<&str>,
) -> Result<Response> {
    let (form, position_name, answer, link_pass) = match submission {
        Submission::Refused(problem) => return problem.page(w),
        Submission::Answered {
            form,
            position_name,
            answer,
            pass,
        } => (form, position_name, answer, pass),
    };
    let page_with =
        |errors: &FieldErrors| FormPage::new(w, position.as_str(), &position_name, &form, errors);
    let no_errors = FieldErrors::default();
    let show = |status, page| form_page(status, page, turnstile_site_key);
    let decision = match answer {
        Answer::Invalid(errors) => return show(422, page_with(&errors)),
        Answer::RateLimited => {
            let page = page_with(&no_errors).with_notice(w.rate_limited);
            return with_retry_after(show(429, page)?, RETRY_AFTER_SECONDS);
        }
        Answer::Challenge(Challenge::Unavailable) => {
            let page = page_with(&no_errors).with_notice(w.human_check_unavailable);
            return with_retry_after(show(503, page)?, RETRY_AFTER_SECONDS);
        }
        Answer::Challenge(challenge) => {
            let error = human_check_error(w, challenge);
            return show(422, page_with(&no_errors).with_human_check_error(error));
        }
        Answer::Decided(decision) => decision,
    };
    match decision {
        Decision::Interview(url) => {
            with_pass(see_other(url.as_str())?, position, link_pass.as_deref())
        }
        Decision::InvitedByEmail => html(200, render(&MessagePage::new(&w.invited_by_email))),
        Decision::Queued => html(202, render(&MessagePage::new(&w.queued))),
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
        Decision::PositionNotFound => Problem::PositionNotFound.page(w),
        Decision::PositionClosed => Problem::PositionClosed.page(w),
        Decision::Unavailable => {
            let page = page_with(&no_errors).with_notice(w.unavailable);
            with_retry_after(show(503, page)?, RETRY_AFTER_SECONDS)
        }
        Decision::LinkUnusable => {
            let page = page_with(&no_errors).with_notice(w.link_unusable);
            show(502, page)
        }
    }
}

pub fn api(submission: Submission, position: &PositionId, w: &'static Words) -> Result<Response> {
    let (answer, link_pass) = match submission {
        Submission::Refused(problem) => return problem.json(),
        Submission::Answered { answer, pass, .. } => (answer, pass),
    };
    let decision = match answer {
        Answer::Invalid(errors) => {
            return json(422, &json!({ "errors": field_errors(w, &errors) }))
        }
        Answer::RateLimited => {
            let response = json(429, &json!({ "error": "rate_limited" }))?;
            return with_retry_after(response, RETRY_AFTER_SECONDS);
        }
        Answer::Challenge(Challenge::Unavailable) => {
            let body =
                json!({ "error": "turnstile_unavailable", "message": w.human_check_unavailable });
            return with_retry_after(json(503, &body)?, RETRY_AFTER_SECONDS);
        }
        Answer::Challenge(challenge) => {
            let error = human_check_error(w, challenge);
            return json(422, &json!({ "errors": { TURNSTILE_FIELD: error } }));
        }
        Answer::Decided(decision) => decision,
    };
    match decision {
        Decision::Interview(url) => with_pass(
            json(200, &json!({ "status": "invited", "url": url.as_str() }))?,
            position,
            link_pass.as_deref(),
        ),
        Decision::InvitedByEmail => json(200, &json!({ "status": "invited_by_email" })),
        Decision::Queued => json(202, &json!({ "status": "queued" })),
        Decision::Rejected {
            errors,
            hireflix_says,
        } => {
            let message = general_refusal(w, &errors, hireflix_says);
            json(
                422,
                &json!({ "errors": field_errors(w, &errors), "message": message }),
            )
        }
        Decision::PositionNotFound => Problem::PositionNotFound.json(),
        Decision::PositionClosed => Problem::PositionClosed.json(),
        Decision::Unavailable => {
            let response = json(503, &json!({ "error": "unavailable" }))?;
            with_retry_after(response, RETRY_AFTER_SECONDS)
        }
        Decision::LinkUnusable => json(
            502,
            &json!({ "error": "upstream_error", "status": "invited_by_email" }),
        ),
    }
}

/// Gives the browser its link pass with an interview link. A landing page's cross-origin
/// `fetch` sends no credentials, and its browser ignores the cookie: such a candidate has the
/// grace period, then their email.
fn with_pass(
    response: Response,
    position: &PositionId,
    link_pass: Option<&str>,
) -> Result<Response> {
    if let Some(link_pass) = link_pass {
        response.headers().append(
            "set-cookie",
            &pass::set_cookie(position.as_str(), link_pass),
        )?;
    }
    Ok(response)
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
