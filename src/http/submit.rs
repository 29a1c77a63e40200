//! One flow for a posted application, whichever route it came by: read the body, check the
//! position, parse, limit, then the pipeline. The HTML and JSON routes only render its result.

use super::body::{self, BodyError};
use super::problem::Problem;
use super::services::Services;
use crate::apply::positions::Lookup;
use crate::apply::Decision;
use crate::domain::{ApplicationForm, FieldErrors, PositionId};
use crate::log::{request_id, Source};
use worker::Request;

pub enum Submission {
    /// Nothing the candidate typed could be read, or the position takes no applications.
    Refused(Problem),
    /// The form was read: whatever the answer, it goes back with every value kept.
    Answered {
        form: ApplicationForm,
        /// The position's name as the form shows it.
        position_name: String,
        answer: Answer,
    },
}

pub enum Answer {
    Invalid(FieldErrors),
    RateLimited,
    Decided(Decision),
}

pub async fn submit(
    req: &mut Request,
    services: &Services,
    position: &PositionId,
    source: Source,
) -> Submission {
    let form = match body::read_application(req).await {
        Ok(form) => form,
        Err(error) => return Submission::Refused(body_problem(error, position)),
    };
    let Some(position_name) = position_name(&services.lookup(position).await) else {
        return Submission::Refused(Problem::PositionNotFound);
    };
    let answer = match form.parse() {
        Err(errors) => Answer::Invalid(errors),
        Ok(_) if !services.within_rate_limit(req).await => Answer::RateLimited,
        Ok(application) => {
            let request_id = request_id(req.headers().get("cf-ray").ok().flatten());
            let decision = services
                .pipeline(&request_id, source)
                .submit(position, &form, &application)
                .await;
            Answer::Decided(decision)
        }
    };
    Submission::Answered {
        form,
        position_name,
        answer,
    }
}

/// The name shown on the form; when Hireflix cannot be asked the form still works.
pub fn position_name(lookup: &Lookup) -> Option<String> {
    match lookup {
        Lookup::Open(position) => Some(position.name.clone()),
        Lookup::Unknown => Some(crate::i18n::words().any_position.to_string()),
        Lookup::NotOffered => None,
    }
}

fn body_problem(error: BodyError, position: &PositionId) -> Problem {
    let position = position.clone();
    match error {
        BodyError::TooLarge => Problem::TooLarge(position),
        BodyError::UnsupportedType => Problem::UnsupportedType(position),
        BodyError::Unreadable => Problem::Unreadable(position),
    }
}
