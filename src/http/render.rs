//! The two renderings of a submission: a page for the form route, JSON for the API.

use super::pages::{render, FormPage, MessagePage};
use super::respond::{html, json, see_other, with_retry_after};
use super::submit::{Answer, Submission};
use crate::apply::Decision;
use crate::domain::{FieldErrors, PositionId};
use crate::i18n::Words;
use serde_json::{json, Map, Value};
use worker::{Response, Result};

/// A candidate who cannot go on now is asked to wait this long before sending again.
const RETRY_AFTER_SECONDS: u32 = 60;

pub fn page(submission: Submission, position: &PositionId, w: &'static Words) -> Result<Response> {
    let (form, position_name, answer) = match submission {
        Submission::Refused(problem) => return problem.page(w),
        Submission::Answered {
            form,
            position_name,
            answer,
        } => (form, position_name, answer),
    };
    let form_page =
        |errors: &FieldErrors| FormPage::new(w, position.as_str(), &position_name, &form, errors);
    let no_errors = FieldErrors::default();
    let decision = match answer {
        Answer::Invalid(errors) => return html(422, render(&form_page(&errors))),
        Answer::RateLimited => {
            let page = form_page(&no_errors).with_notice(w.rate_limited);
            return with_retry_after(html(429, render(&page))?, RETRY_AFTER_SECONDS);
        }
        Answer::Decided(decision) => decision,
    };
    match decision {
        Decision::Interview(url) => see_other(url.as_str()),
        Decision::InvitedByEmail => html(200, render(&MessagePage::new(&w.invited_by_email))),
        Decision::Queued => html(202, render(&MessagePage::new(&w.queued))),
        Decision::Rejected {
            errors,
            hireflix_says,
        } => {
            let mut page = form_page(&errors);
            if let Some(notice) = general_refusal(w, &errors, hireflix_says) {
                page = page.with_notice(notice);
            }
            html(422, render(&page))
        }
        Decision::PositionNotFound => super::problem::Problem::PositionNotFound.page(w),
        Decision::PositionClosed => super::problem::Problem::PositionClosed.page(w),
        Decision::Unavailable => {
            let page = form_page(&no_errors).with_notice(w.unavailable);
            with_retry_after(html(503, render(&page))?, RETRY_AFTER_SECONDS)
        }
        Decision::LinkUnusable => {
            let page = form_page(&no_errors).with_notice(w.link_unusable);
            html(502, render(&page))
        }
    }
}

pub fn api(submission: Submission, w: &'static Words) -> Result<Response> {
    let answer = match submission {
        Submission::Refused(problem) => return problem.json(),
        Submission::Answered { answer, .. } => answer,
    };
    let decision = match answer {
        Answer::Invalid(errors) => {
            return json(422, &json!({ "errors": field_errors(w, &errors) }))
        }
        Answer::RateLimited => {
            let response = json(429, &json!({ "error": "rate_limited" }))?;
            return with_retry_after(response, RETRY_AFTER_SECONDS);
        }
        Answer::Decided(decision) => decision,
    };
    match decision {
        Decision::Interview(url) => json(200, &json!({ "status": "invited", "url": url.as_str() })),
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
        Decision::PositionNotFound => super::problem::Problem::PositionNotFound.json(),
        Decision::PositionClosed => super::problem::Problem::PositionClosed.json(),
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
