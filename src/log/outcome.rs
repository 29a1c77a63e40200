//! The words of an application's log line: where it came from, what became of it, and why.

use crate::hireflix::{LinkProblem, Permanent, Transient};
use crate::ledger::Note;
use serde::{Serialize, Serializer};
use strum_macros::IntoStaticStr;

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

#[cfg(test)]
mod tests {
    use super::*;

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
