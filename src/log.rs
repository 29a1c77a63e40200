//! One JSON line per application outcome. Built from ids and classes only: the type has no
//! field that could hold an email, a name or the API key.

use crate::domain::{Attribution, Consent};
use crate::hireflix::{LinkProblem, Permanent, Transient};
use crate::ledger::Note;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Form,
    Api,
    Queue,
}

/// What became of the application at this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Answered from KV, without calling Hireflix.
    KvHit,
    AlreadyQueued,
    Invited,
    AlreadyInvited,
    InvitedWithoutLink,
    Queued,
    /// Queued without calling Hireflix: over an invite budget, or the plan's quota is spent.
    Parked,
    /// Hireflix failed and the queue refused the application: the candidate was told to retry.
    LostQueueUnavailable,
    Permanent,
    Requeued,
    DeadLetter,
}

/// Why, when the outcome alone does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A resubmission whose names differ from the interview's: no link.
    OtherNames,
    /// A resubmission with the interview's names but no link pass, after LINK_GRACE_MINUTES.
    GraceOver,
    NoMatchingInterview,
    Link(LinkProblem),
    Transient(Transient),
    PositionNotFound,
    PositionNotReady,
    ValidationError,
    /// Decided by the invite ledger (a budget, the quota, another spelling of the mailbox).
    Ledger(Note),
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::OtherNames => "other_names",
            Reason::GraceOver => "link_grace_over",
            Reason::NoMatchingInterview => "no_matching_interview",
            Reason::Link(problem) => problem.as_str(),
            Reason::Transient(transient) => transient.as_str(),
            Reason::PositionNotFound => "position_not_found",
            Reason::PositionNotReady => "position_not_ready",
            Reason::ValidationError => "validation_error",
            Reason::Ledger(note) => note.as_str(),
        }
    }
}

impl From<&Permanent> for Reason {
    fn from(permanent: &Permanent) -> Self {
        match permanent {
            Permanent::PositionNotFound => Reason::PositionNotFound,
            Permanent::PositionNotReady => Reason::PositionNotReady,
            Permanent::Invalid(_) => Reason::ValidationError,
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[derive(Debug, Serialize)]
pub struct ApplicationLog<'a> {
    pub event: &'static str,
    pub request_id: &'a str,
    pub position_id: &'a str,
    /// A truncated hash of the candidate key: joins lines of one application, reveals nothing.
    pub candidate: &'a str,
    pub source: Source,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hireflix_ms: Option<u64>,
    pub attempt: u32,
    /// `utm_*` and `ref` as flat fields: already cleaned, never an email (see `Attribution`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<&'a Attribution>,
    /// When consent was given and to which notice version; never the notice's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<&'a Consent>,
}

/// How urgent a line is, for alerts: `warn` and `error` lines are worth an operator's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl ApplicationLog<'_> {
    fn level(&self) -> Level {
        match (self.outcome, self.reason) {
            (Outcome::LostQueueUnavailable, _) | (_, Some(Reason::Transient(Transient::Auth))) => {
                Level::Error
            }
            (Outcome::DeadLetter, _)
            | (_, Some(Reason::Transient(Transient::QuotaExceeded)))
            | (_, Some(Reason::Link(_))) => Level::Warn,
            _ => Level::Info,
        }
    }

    pub fn emit(&self) {
        #[derive(Serialize)]
        struct Line<'l, 'a> {
            level: Level,
            #[serde(flatten)]
            log: &'l ApplicationLog<'a>,
        }
        if let Ok(line) = serde_json::to_string(&Line {
            level: self.level(),
            log: self,
        }) {
            worker::console_log!("{line}");
        }
        // A refused key stops every invite until an operator acts: its own line, to alert on.
        if self.reason == Some(Reason::Transient(Transient::Auth)) {
            let line = serde_json::json!({
                "event": "hireflix_unauthorized",
                "level": "error",
                "request_id": self.request_id,
            });
            worker::console_error!("{line}");
        }
    }
}

/// One JSON line for a post that an abuse gate stopped before the pipeline.
#[derive(Debug, Serialize)]
pub struct GateLog<'a> {
    event: &'static str,
    level: &'static str,
    request_id: &'a str,
    position_id: &'a str,
    source: Source,
    /// `rate_limited`, `origin_not_allowed`, `honeypot` or `turnstile_failed`.
    outcome: &'static str,
}

impl<'a> GateLog<'a> {
    pub fn new(
        request_id: &'a str,
        position: &'a crate::domain::PositionId,
        source: Source,
        outcome: &'static str,
    ) -> Self {
        GateLog {
            event: "application",
            level: "info",
            request_id,
            position_id: position.as_str(),
            source,
            outcome,
        }
    }

    pub fn emit(&self) {
        if let Ok(line) = serde_json::to_string(self) {
            worker::console_log!("{line}");
        }
    }
}

/// A short random id for requests that arrive without Cloudflare's `cf-ray`.
pub fn request_id(cf_ray: Option<String>) -> String {
    cf_ray
        .filter(|r| {
            !r.is_empty()
                && r.len() <= 64
                && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .unwrap_or_else(|| {
            let n = (js_sys::Math::random() * 1e15) as u64;
            format!("r{n:x}")
        })
}

/// Now as ISO 8601 in UTC (`2026-11-26T15:40:25.123Z`), for records people read.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// Milliseconds since the epoch; in Workers the clock moves on I/O, which is what we time.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
