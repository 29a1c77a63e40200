//! One flow for a posted application, whichever route it came by: the abuse gates, cheapest
//! first and before anything is stored or sent to Hireflix, then the position, the form and
//! the pipeline. The HTML and JSON routes only render its result.

use super::body::{self, BodyError, Posted};
use super::gates;
use super::pass;
use super::problem::Problem;
use super::services::Services;
use super::turnstile::{self, Challenge, Expected};
use crate::apply::positions::{self, Lookup};
use crate::apply::Decision;
use crate::domain::{consent, ApplicationForm, Attribution, Consent, Field, FieldError};
use crate::domain::{FieldErrors, PositionId};
use crate::funnel::{Event, Funnel};
use crate::i18n::Words;
use crate::log::{now_iso, request_id, GateLog, Source};
use worker::{Context, Request};

pub enum Submission {
    /// Nothing the candidate typed could be read, or the post is not taken at all.
    Refused(Problem),
    /// The form was read: whatever the answer, it goes back with every value kept.
    Answered {
        form: ApplicationForm,
        /// The position's name as the form shows it.
        position_name: String,
        answer: Answer,
        /// Set with an interview link: the browser's link pass for it (`super::pass`).
        pass: Option<String>,
        /// Where the candidate came from (`utm_*`, `ref`), kept for the form shown again.
        attribution: Attribution,
        /// Whether the consent box was ticked.
        consent: bool,
    },
}

pub enum Answer {
    Invalid(FieldErrors),
    RateLimited,
    /// Turnstile's check was missing, refused, or could not be made.
    Challenge(Challenge),
    Decided(Decision),
}

/// What a post is answered with: the isolate's services, and this request's funnel and
/// context.
pub struct Post<'a> {
    pub services: &'a Services,
    pub funnel: &'a Funnel,
    pub ctx: &'a Context,
    /// This worker's origin as the request reached it.
    pub own_origin: &'a str,
    pub w: &'static Words,
}

impl Post<'_> {
    pub async fn submit(
        &self,
        req: &mut Request,
        position: &PositionId,
        source: Source,
    ) -> Submission {
        submit(req, self, position, source).await
    }
}

async fn submit(
    req: &mut Request,
    post: &Post<'_>,
    position: &PositionId,
    source: Source,
) -> Submission {
    let Post {
        services,
        funnel,
        ctx,
        own_origin,
        w,
    } = *post;
    let request_id = request_id(header(req, "cf-ray"));
    let gate_log = |outcome| GateLog::new(&request_id, position, source, outcome).emit();
    // Counted before anything else is done for the post, valid or not.
    let within_limit = services
        .within_rate_limit(header(req, "cf-connecting-ip"))
        .await;
    let origin = header(req, "origin");
    if !gates::origin_allowed(
        origin.as_deref(),
        own_origin,
        &services.config.allowed_origins,
    ) {
        gate_log("origin_not_allowed");
        return Submission::Refused(Problem::OriginNotAllowed);
    }
    let Posted {
        form,
        honeypot,
        turnstile_token,
        attribution,
        consent: consent_box,
    } = match body::read_application(req).await {
        Ok(posted) => posted,
        Err(error) => return Submission::Refused(body_problem(error, position)),
    };
    let consent_given = consent::is_given(&consent_box);
    let funnel = funnel.with_campaign(&attribution);
    let count = |event| funnel.record(position, event);
    count(Event::Submit);
    let answered = |position_name: String, answer| Submission::Answered {
        form: form.clone(),
        position_name,
        answer,
        pass: None,
        attribution: attribution.clone(),
        consent: consent_given,
    };
    if !within_limit {
        gate_log("rate_limited");
        count(Event::RateLimited);
        // Only the isolate's memory is asked for the name: a limited post costs no KV read.
        return answered(
            positions::memo_name(position, w.any_position),
            Answer::RateLimited,
        );
    }
    if !honeypot.trim().is_empty() {
        // Exactly what a queued application hears; nothing is stored or sent.
        gate_log("honeypot");
        count(Event::Honeypot);
        return answered(String::new(), Answer::Decided(Decision::Queued));
    }
    let Some(position_name) = position_name(&services.lookup(position).await, w) else {
        return Submission::Refused(Problem::PositionNotFound);
    };
    // The consent box is checked like any field, and its error reported with theirs.
    let consent_missing = services.config.require_consent && !consent_given;
    let application = match (form.parse(), consent_missing) {
        (Ok(application), false) => application,
        (Ok(_), true) => {
            let errors = FieldErrors::default().with(Field::Consent, FieldError::Missing);
            count(Event::Invalid);
            return answered(position_name, Answer::Invalid(errors));
        }
        (Err(errors), missing) => {
            let errors = match missing {
                true => errors.with(Field::Consent, FieldError::Missing),
                false => errors,
            };
            count(Event::Invalid);
            return answered(position_name, Answer::Invalid(errors));
        }
    };
    let consent = services.config.require_consent.then(|| Consent {
        at: now_iso(),
        notice: services.config.consent_notice_version.clone(),
    });
    if let Some(config) = &services.config.turnstile {
        let own_host = gates::host_of(own_origin);
        let mut hostnames = vec![own_host];
        hostnames.extend(
            services
                .config
                .allowed_origins
                .iter()
                .map(|o| gates::host_of(o)),
        );
        let expected = Expected {
            cdata: position.as_str(),
            hostnames,
        };
        let ip = header(req, "cf-connecting-ip");
        // Landing pages that post JSON may send the token as a header instead.
        let token = match turnstile_token.trim() {
            "" => header(req, "cf-turnstile-response").unwrap_or_default(),
            token => token.to_string(),
        };
        let challenge = turnstile::verify(config, &token, ip.as_deref(), &expected).await;
        if challenge != Challenge::Passed {
            gate_log("turnstile_failed");
            count(Event::TurnstileFailed);
            return answered(position_name, Answer::Challenge(challenge));
        }
    }
    let cookies = header(req, "cookie").unwrap_or_default();
    let mut pipeline = services.pipeline(&request_id, source, ctx);
    pipeline.attribution = Some(&attribution);
    pipeline.consent = consent.as_ref();
    pipeline.funnel = Some(&funnel);
    pipeline.pass = pass::read(&cookies, position.as_str());
    let decision = pipeline.submit(position, &form, &application).await;
    // Whoever is shown a link may be shown it again: the pass goes with every link.
    let link_pass = match &decision {
        Decision::Interview(url) => Some(pipeline.link_pass(position, &application, url)),
        _ => None,
    };
    Submission::Answered {
        form,
        position_name,
        answer: Answer::Decided(decision),
        pass: link_pass,
        attribution,
        consent: consent_given,
    }
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// The name shown on the form; when Hireflix cannot be asked the form still works.
pub fn position_name(lookup: &Lookup, w: &Words) -> Option<String> {
    match lookup {
        Lookup::Open(position) => Some(position.name.clone()),
        Lookup::Unknown => Some(w.any_position.to_string()),
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
