//! What the worker and the ledger object say to each other: JSON over the object's `fetch`.
//! Externally tagged enums (`{"reserve":{...}}`): an internally tagged one decodes through
//! serde's buffered `Content`, a second decoder per variant in the wasm. Every call carries the
//! settings it depends on, so the object applies the worker's current limits.

use super::budget::{Budget, Limits};
use super::lease::Lease;
use super::window::Windows;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// To a mailbox's bucket, before calling Hireflix: one [`Answer`] per ask, in order.
    Reserve {
        asks: Vec<Ask>,
        limits: Limits,
        windows: Windows,
        /// How long the Hireflix call may take: meanwhile the address is [`Answer::InFlight`].
        #[serde(default)]
        flight_ms: u64,
        /// `SUBMISSION_TTL_DAYS`: how long a row keeps its mailbox unique (0: not said).
        #[serde(default)]
        keep_ms: u64,
    },
    /// After calling Hireflix (`super::Settlement` says what each list is).
    Settle {
        release: Vec<u64>,
        #[serde(default)]
        unsettle: Vec<u64>,
        #[serde(default)]
        confirm: Vec<u64>,
        /// To the account: released invites, `(at_ms, position)`, no longer counted.
        #[serde(default)]
        give_back: Vec<(u64, String)>,
        quota_exhausted: bool,
        quota_back: bool,
        windows: Windows,
        quota_retry_seconds: u32,
    },
    /// To the account, for the invites the buckets granted (`at_ms` set), and a lease.
    Take {
        takes: Vec<Ask>,
        limits: Limits,
        windows: Windows,
        #[serde(default)]
        keep_ms: u64,
        #[serde(default)]
        lease: u32,
        /// An ended lease's unused invites, `(at_ms, "")` each.
        #[serde(default)]
        give_back: Vec<(u64, String)>,
    },
    /// The dead letters kept here before `crate::letters` had its own object: delete those
    /// `taken`, answer the next page of the rest.
    HandOver { taken: Vec<String> },
    /// Erase one mailbox (`super::erasure`). Answered in plain text: `position:record` per row
    /// deleted, space-separated, as `crate::store::keys::recorded` reads it.
    Forget {
        mailbox: String,
        #[serde(default)]
        remember_ms: u64,
    },
    /// Whether the mailbox was erased since `applied_ms`: answered 0 or 1 (no decoder needed).
    ErasedSince(Ask),
}

impl Call {
    /// Safe to run twice (`crate::objects::ask`). Not a `Take` nor a `Settle`: they add to
    /// counters, or act on rows by id, which a new reservation may reuse meanwhile. A second
    /// `Reserve` finds its own row in flight; `Forget` answers what it remembers.
    pub fn repeatable(&self) -> bool {
        !matches!(self, Call::Take { .. } | Call::Settle { .. })
    }
}

/// One application, as the ledger may know it: HMACs and a position id, nothing readable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    #[serde(default)]
    pub mailbox: String,
    #[serde(default)]
    pub spelling: String,
    pub position: String,
    #[serde(default)]
    pub applied_ms: u64,
    /// The spelling's KV record (`CandidateKey::digest`), deleted by an erasure.
    #[serde(default)]
    pub record: String,
    /// In a take: when the bucket counted the invite, the time the account counts it at.
    #[serde(default)]
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reserved {
    pub answers: Vec<Answer>,
    #[serde(default)]
    pub lease: Lease,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Invite now, as [`super::gate::Ticket`] says; `at_ms`: when the bucket counted it.
    Granted {
        reservation: u64,
        probing: bool,
        #[serde(default)]
        settles: bool,
        #[serde(default)]
        at_ms: u64,
    },
    InFlight {
        until_ms: u64,
    },
    /// The same address again: Hireflix itself refuses a second interview, go on uncounted.
    Resubmission,
    OtherSpelling,
    Erased,
    Parked {
        until_ms: u64,
        reached: Vec<Reached>,
    },
    /// `warn`: the first such answer this hour.
    QuotaHeld {
        until_ms: u64,
        warn: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    pub budget: Budget,
    pub limit: u32,
    pub reopens_ms: u64,
    /// The first time this budget was found full in this window: the worker logs a warning.
    pub warn: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settled {
    pub quota_held_until_ms: Option<u64>,
    pub warn: bool,
    /// From a bucket: the released invites, `(at_ms, position)`, for the account to give back.
    #[serde(default)]
    pub released: Vec<(u64, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{from_str, to_string};

    #[test]
    fn calls_and_answers_round_trip_with_the_shapes_the_object_reads() {
        let reserve = Call::Reserve {
            asks: vec![Ask {
                mailbox: "m".into(),
                spelling: "s".into(),
                position: "p".into(),
                applied_ms: 7,
                record: "r".into(),
                at_ms: 0,
            }],
            limits: Limits::default(),
            windows: Windows::REAL,
            flight_ms: 5_000,
            keep_ms: 86_400_000,
        };
        let text = to_string(&reserve).unwrap();
        assert!(text.starts_with(r#"{"reserve":{"asks":"#), "{text}");
        assert_eq!(from_str::<Call>(&text).unwrap(), reserve);
        let forget = r#"{"forget":{"mailbox":"m"}}"#;
        assert_eq!(
            from_str::<Call>(forget).unwrap(),
            Call::Forget {
                mailbox: "m".into(),
                remember_ms: 0,
            }
        );
        assert_eq!(
            to_string(&Call::HandOver { taken: vec![] }).unwrap(),
            r#"{"hand_over":{"taken":[]}}"#
        );
        let parked = Reserved {
            lease: Lease::default(),
            answers: vec![Answer::Parked {
                until_ms: 5,
                reached: vec![Reached {
                    budget: Budget::EmailDay,
                    limit: 3,
                    reopens_ms: 5,
                    warn: true,
                }],
            }],
        };
        let text = to_string(&parked).unwrap();
        assert!(text.contains(r#""budget":"email_day""#), "{text}");
        assert_eq!(from_str::<Reserved>(&text).unwrap(), parked);
    }

    #[test]
    fn calls_that_count_or_settle_are_never_sent_twice() {
        let settle = Call::Settle {
            release: vec![1],
            unsettle: vec![],
            confirm: vec![],
            give_back: vec![],
            quota_exhausted: false,
            quota_back: false,
            windows: Windows::REAL,
            quota_retry_seconds: 1,
        };
        let take = Call::Take {
            takes: vec![],
            limits: Limits::default(),
            windows: Windows::REAL,
            keep_ms: 0,
            lease: 4,
            give_back: vec![],
        };
        assert!(!settle.repeatable() && !take.repeatable());
        let forget = Call::Forget {
            mailbox: "m".into(),
            remember_ms: 1,
        };
        let reserve = Call::Reserve {
            asks: vec![],
            limits: Limits::default(),
            windows: Windows::REAL,
            flight_ms: 1,
            keep_ms: 1,
        };
        assert!(forget.repeatable() && reserve.repeatable());
        assert!(Call::ErasedSince(Ask::default()).repeatable());
    }

    #[test]
    fn anything_unexpected_is_no_answer() {
        for bad in [
            "",
            "null",
            r#"{"answers":[{"granted":{}}]}"#,
            r#"{"answers":[{"parked":{"until_ms":1,"reached":[{"budget":"nope","limit":1,"reopens_ms":1,"warn":true}]}}]}"#,
            r#"{"answers":[{"granted":{"reservation":-1,"probing":false}}]}"#,
        ] {
            assert!(from_str::<Reserved>(bad).is_err(), "{bad}");
        }
        let limits = r#"{"reserve":{"asks":[],"windows":{"hour_seconds":1,"day_seconds":1,"month_seconds":0},"limits":{"email_day":1,"account_day":1,"account_month":5000000000,"account_minute":0}}}"#;
        assert!(from_str::<Call>(limits).is_err());
    }

    proptest! {
        #[test]
        fn decoding_never_panics(raw in "\\PC{0,200}") {
            let _ = from_str::<Call>(&raw);
            let _ = from_str::<Reserved>(&raw);
            let _ = from_str::<Settled>(&raw);
        }
    }
}
