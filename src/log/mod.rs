//! The log: one typed JSON line per event, and the words an application's line is made of.

use crate::domain::{Attribution, Consent};
use crate::hireflix::{LinkProblem, Permanent, Transient};
use crate::ledger::Note;
use serde::{Serialize, Serializer};
use strum_macros::IntoStaticStr;

/// Every line the worker logs, named by its `event`, with a `level` to alert on. Ids and
/// classes only: no field could hold an email, a name or a secret.
#[derive(Debug, Serialize, IntoStaticStr)]
#[serde(untagged)]
#[strum(serialize_all = "snake_case")]
pub enum Event<'a> {
    /// What became of an application at a gate, in the pipeline or in the queue.
    Application(Application<'a>),
    /// A refused key stops every invite until an operator acts: its own line, to alert on.
    HireflixUnauthorized {
        request_id: &'a str,
    },
    DeadLetterFiled {
        candidate: Option<&'a str>,
        reason: &'a str,
        stored: bool,
    },
    /// A queue message that is no invite: not one, invalid by today's rules, or too old.
    UnreadableMessage {
        #[serde(skip_serializing_if = "Option::is_none")]
        candidate: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        queue: Option<&'a str>,
        reason: &'a str,
    },
    QueueMisconfigured {
        queue: &'a str,
    },
    /// An invite budget is used up for its window (once per budget and window).
    BudgetReached {
        request_id: &'a str,
        position_id: &'a str,
        budget: &'a str,
        limit: u32,
        reopens_at_ms: u64,
    },
    /// A KV write failed: the key's kind only (`app`, `failed`, ...), and the cause.
    KvWriteFailed {
        op: &'a str,
        key: &'a str,
        cause: &'a str,
    },
    /// The plan's quota is spent (at most once an hour).
    QuotaExhausted {
        request_id: &'a str,
        retry_at_ms: u64,
    },
    /// The Cron Trigger's positions list could not be read: the last good copy stays.
    PositionsRefreshFailed {
        reason: &'a str,
    },
    /// The pace's object did not answer: calls go unpaced (Hireflix's 429 still slows us).
    PaceUnreachable,
    /// Hireflix throttled us: nobody calls before `until_ms`.
    HireflixThrottled {
        until_ms: u64,
    },
    /// A call refused for quota: every invite is held until `until_ms`.
    QuotaHold {
        until_ms: u64,
        refusals: u32,
    },
    /// The probe's invite was made: the quota is back for everyone.
    QuotaBack,
    /// One candidate's data erased on their request: only how much went where.
    CandidateErased {
        counts: &'a serde_json::Value,
    },
}

#[derive(Debug, Serialize)]
pub struct Application<'a> {
    pub request_id: &'a str,
    pub position_id: &'a str,
    /// A truncated hash of the candidate key: joins one application's lines, reveals nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<&'a str>,
    pub source: Source,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hireflix_ms: Option<u64>,
    /// Tries made, this one included; none at a gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// `utm_*` and `ref` as flat fields: already cleaned, never an email (see `Attribution`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<&'a Attribution>,
    /// When consent was given and to which notice version; never the notice's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<&'a Consent>,
}

impl<'a> Application<'a> {
    /// No candidate, try or reason: a gate's line, which the others fill in.
    pub fn new(
        request_id: &'a str,
        position_id: &'a str,
        source: Source,
        outcome: Outcome,
    ) -> Self {
        Application {
            request_id,
            position_id,
            candidate: None,
            source,
            outcome,
            reason: None,
            hireflix_ms: None,
            attempt: None,
            attribution: None,
            consent: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Form,
    Api,
    Queue,
}

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
    /// Queued without calling Hireflix: over a budget, or the plan's quota is spent.
    Parked,
    /// Hireflix failed and the queue refused it: the candidate was told to retry.
    LostQueueUnavailable,
    Permanent,
    Requeued,
    DeadLetter,
    /// Dropped from a queue: its candidate was erased after making it.
    Erased,
    /// Stopped at a gate, before the pipeline.
    OriginNotAllowed,
    RateLimited,
    Honeypot,
    TurnstileFailed,
}

/// Why, when the outcome alone does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Reason {
    /// A resubmission whose names differ from the interview's: no link.
    OtherNames,
    /// The interview's names but no link pass, after LINK_GRACE_MINUTES.
    #[strum(serialize = "link_grace_over")]
    GraceOver,
    NoMatchingInterview,
    Link(LinkProblem),
    Transient(Transient),
    PositionNotFound,
    PositionNotReady,
    ValidationError,
    /// Decided by the invite ledger.
    Ledger(Note),
    /// Waiting in the position's line (over its hourly budget).
    #[strum(serialize = "position_line")]
    InLine,
    /// The position's line is full or would wait too long: told to try later.
    PositionPaused,
    /// The position's line could not be asked: queued, never invited unchecked.
    LineUnavailable,
    /// The form's pipeline outlasted its deadline: queued, the consumer checks again.
    AnswerDeadline,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Link(problem) => problem.into(),
            Reason::Transient(transient) => transient.as_str(),
            Reason::Ledger(note) => note.as_str(),
            plain => plain.into(),
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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

/// `warn` and `error` lines are worth an operator's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Event<'_> {
    fn level(&self) -> Level {
        match self {
            Event::Application(line) => match (line.outcome, line.reason) {
                (Outcome::LostQueueUnavailable, _)
                | (_, Some(Reason::Transient(Transient::Auth))) => Level::Error,
                (Outcome::DeadLetter, _)
                | (_, Some(Reason::Transient(Transient::QuotaExceeded)))
                | (_, Some(Reason::Link(_))) => Level::Warn,
                _ => Level::Info,
            },
            Event::HireflixUnauthorized { .. }
            | Event::DeadLetterFiled { stored: false, .. }
            | Event::QueueMisconfigured { .. } => Level::Error,
            Event::CandidateErased { .. } => Level::Info,
            // Listed, not `_`: a new event's level is a choice, made where the compiler asks.
            Event::DeadLetterFiled { stored: true, .. }
            | Event::UnreadableMessage { .. }
            | Event::PositionsRefreshFailed { .. }
            | Event::PaceUnreachable
            | Event::HireflixThrottled { .. }
            | Event::QuotaHold { .. }
            | Event::QuotaBack
            | Event::BudgetReached { .. }
            | Event::QuotaExhausted { .. }
            | Event::KvWriteFailed { .. } => Level::Warn,
        }
    }

    /// `event` and `level` first, then the event's own fields: spliced, as a serde tag and a
    /// flattened wrapper cost the wasm about a kilobyte.
    fn line(&self) -> Option<String> {
        let (name, level): (&str, &str) = (self.into(), self.level().into());
        let fields = serde_json::to_string(self).ok()?;
        // A unit variant is `null`: no fields.
        let fields = fields.strip_prefix('{').unwrap_or("}");
        let comma = if fields == "}" { "" } else { "," };
        Some(format!(
            r#"{{"event":"{name}","level":"{level}"{comma}{fields}"#
        ))
    }

    /// One line, to the console method of its level.
    pub fn emit(&self) {
        let Some(line) = self.line() else {
            return;
        };
        match self.level() {
            Level::Info => worker::console_log!("{line}"),
            Level::Warn => worker::console_warn!("{line}"),
            Level::Error => worker::console_error!("{line}"),
        }
        if let Event::Application(line) = self {
            if line.reason == Some(Reason::Transient(Transient::Auth)) {
                Event::HireflixUnauthorized {
                    request_id: line.request_id,
                }
                .emit();
            }
        }
    }
}

/// A short random id for requests that arrive without Cloudflare's `cf-ray`.
pub fn request_id(cf_ray: Option<String>) -> String {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let usable = |r: &String| !r.is_empty() && r.len() <= 64 && r.bytes().all(plain);
    let random = || format!("r{:x}", (js_sys::Math::random() * 1e15) as u64);
    cf_ray.filter(usable).unwrap_or_else(random)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn parsed(event: Event) -> (Level, Value) {
        (
            event.level(),
            serde_json::from_str(&event.line().unwrap()).unwrap(),
        )
    }

    fn gate_line(outcome: Outcome) -> Application<'static> {
        Application::new("r1", "p1", Source::Api, outcome)
    }

    #[test]
    fn every_line_leads_with_its_event_and_level() {
        let gate = Event::Application(gate_line(Outcome::RateLimited));
        let expected = json!({ "event": "application", "level": "info", "request_id": "r1",
            "position_id": "p1", "source": "api", "outcome": "rate_limited" });
        assert_eq!(parsed(gate), (Level::Info, expected));
        let lost = Event::DeadLetterFiled {
            candidate: None,
            reason: "position_not_ready",
            stored: false,
        };
        let expected = json!({ "event": "dead_letter_filed", "level": "error", "candidate": null,
            "reason": "position_not_ready", "stored": false });
        assert_eq!(parsed(lost), (Level::Error, expected));
    }

    #[test]
    fn each_event_keeps_its_name_and_level() {
        let unreadable = Event::UnreadableMessage {
            candidate: None,
            queue: None,
            reason: "x",
        };
        let budget = Event::BudgetReached {
            request_id: "r",
            position_id: "p",
            budget: "b",
            limit: 1,
            reopens_at_ms: 2,
        };
        let kv = Event::KvWriteFailed {
            op: "put",
            key: "app",
            cause: "c",
        };
        let quota = Event::QuotaExhausted {
            request_id: "r",
            retry_at_ms: 3,
        };
        let cases = [
            (
                Event::HireflixUnauthorized { request_id: "r" },
                "hireflix_unauthorized",
                Level::Error,
            ),
            (unreadable, "unreadable_message", Level::Warn),
            (
                Event::QueueMisconfigured { queue: "q" },
                "queue_misconfigured",
                Level::Error,
            ),
            (budget, "budget_reached", Level::Warn),
            (kv, "kv_write_failed", Level::Warn),
            (quota, "quota_exhausted", Level::Warn),
            (Event::QuotaBack, "quota_back", Level::Warn),
        ];
        for (event, name, level) in cases {
            let (logged_level, line) = parsed(event);
            assert_eq!((line["event"].as_str(), logged_level), (Some(name), level));
        }
        let (_, back) = parsed(Event::QuotaBack);
        assert_eq!(back, json!({ "event": "quota_back", "level": "warn" }));
    }

    #[test]
    fn a_refused_key_is_an_error_even_when_nothing_is_lost() {
        let queued = Event::Application(Application {
            candidate: Some("abc"),
            outcome: Outcome::Queued,
            reason: Some(Reason::Transient(Transient::Auth)),
            attempt: Some(1),
            ..gate_line(Outcome::Queued)
        });
        let (level, line) = parsed(queued);
        assert_eq!(level, Level::Error);
        assert_eq!(
            (&line["reason"], &line["attempt"]),
            (&json!("auth"), &json!(1))
        );
    }

    #[test]
    fn reasons_keep_their_names() {
        let reasons = [
            Reason::OtherNames,
            Reason::GraceOver,
            Reason::NoMatchingInterview,
            Reason::Link(LinkProblem::NoLink),
            Reason::Transient(Transient::RateLimited),
            Reason::PositionNotFound,
            Reason::PositionNotReady,
            Reason::ValidationError,
            Reason::InLine,
            Reason::PositionPaused,
            Reason::LineUnavailable,
            Reason::AnswerDeadline,
        ];
        let names = "other_names link_grace_over no_matching_interview no_link http_429 position_not_found position_not_ready validation_error position_line position_paused line_unavailable answer_deadline";
        assert_eq!(reasons.map(Reason::as_str).join(" "), names);
    }
}
