//! What the worker and the ledger object say to each other: JSON over the object's `fetch`,
//! typed on both ends. Every call carries the settings it depends on, so the object needs no
//! configuration of its own and always applies the worker's current limits.

use super::budget::{Budget, Limits};
use super::window::Windows;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Call {
    /// Before calling Hireflix: one answer per ask, in order.
    Reserve(Reserve),
    /// After calling Hireflix: what became of the reservations and of the quota.
    Settle(Settle),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reserve {
    pub asks: Vec<Ask>,
    pub limits: Limits,
    pub windows: Windows,
}

/// One application, as the ledger may know it: HMACs and a position id, nothing readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    pub mailbox: String,
    pub spelling: String,
    pub position: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reserved {
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// Invite now; the invite is counted until it is released.
    Granted { reservation: u64, probing: bool },
    /// The same address again: Hireflix itself refuses a second interview, go on uncounted.
    Resubmission,
    /// Another spelling of a mailbox already invited to this position.
    OtherSpelling,
    /// Over budget until `until_ms`.
    Parked {
        until_ms: u64,
        reached: Vec<Reached>,
    },
    /// The plan's quota is spent; no Hireflix call before `until_ms`. `warn`: the first such
    /// answer this hour.
    QuotaHeld { until_ms: u64, warn: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    pub budget: Budget,
    pub limit: u32,
    /// When this budget's window reopens.
    pub reopens_ms: u64,
    /// The first time this budget was found full in this window (for this mailbox or
    /// position): the worker logs one warning.
    pub warn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settle {
    /// Reservations whose invite did not happen: no longer counted.
    pub release: Vec<u64>,
    /// Hireflix answered `ExceededInvitesThisPeriodError`.
    pub quota_exhausted: bool,
    /// A probe went through: the quota is back.
    pub quota_back: bool,
    pub windows: Windows,
    pub quota_retry_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settled {
    /// Set when the quota is (still) spent: no Hireflix call before then.
    pub quota_held_until_ms: Option<u64>,
    /// The first quota report this hour: the worker logs one warning.
    pub warn: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_answers_round_trip_as_tagged_json() {
        let call = Call::Reserve(Reserve {
            asks: vec![Ask {
                mailbox: "m".into(),
                spelling: "s".into(),
                position: "p".into(),
            }],
            limits: Limits::default(),
            windows: Windows::REAL,
        });
        let json = serde_json::to_string(&call).unwrap();
        assert!(json.starts_with(r#"{"op":"reserve","asks":"#), "{json}");
        assert_eq!(serde_json::from_str::<Call>(&json).unwrap(), call);

        let answer = Answer::Parked {
            until_ms: 5,
            reached: vec![Reached {
                budget: Budget::EmailDay,
                limit: 3,
                reopens_ms: 5,
                warn: true,
            }],
        };
        let json = serde_json::to_string(&answer).unwrap();
        assert!(json.contains(r#""answer":"parked""#) && json.contains(r#""email_day""#));
        assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), answer);
        assert!(serde_json::from_str::<Answer>(r#"{"answer":"granted"}"#).is_err());
    }
}
