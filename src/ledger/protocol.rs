//! What the worker and the ledger object say to each other: JSON over the object's `fetch`,
//! typed on both ends. Every call carries the settings it depends on, so the object needs no
//! configuration of its own and always applies the worker's current limits.
//!
//! Encoded and decoded by hand through `serde_json::Value`, whose code the worker has anyway:
//! derived `Deserialize` impls for these dozen types cost about 20 KB of wasm, and the wasm
//! budget is 250 KB. Decoding never panics: anything unexpected is `None`, which the callers
//! treat as a ledger that did not answer.

use super::budget::{Budget, Limits};
use super::window::Windows;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// Before calling Hireflix: one answer per ask, in order.
    Reserve(Reserve),
    /// After calling Hireflix: what became of the reservations and of the quota.
    Settle(Settle),
    /// Keep a dead letter (it replaces one of the same id), until it expires.
    File(Letter),
    /// Every dead letter not yet expired, oldest first: answered by [`Letters`].
    Letters,
    /// Forget a dead letter (replayed).
    Unfile { id: String },
}

/// A dead letter as the ledger keeps it: the queue's letters live here, where no daily KV
/// write quota can refuse them. `text` is the letter's JSON, which holds the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub id: String,
    pub text: String,
    pub expires_ms: u64,
}

/// The answer to [`Call::Letters`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letters(pub Vec<Letter>);

/// The answer to [`Call::File`] and [`Call::Unfile`]: done.
pub const DONE: &str = r#"{"done":true}"#;

pub fn is_done(text: &str) -> Option<()> {
    object(text)?.get("done")?.as_bool()?.then_some(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserve {
    pub asks: Vec<Ask>,
    pub limits: Limits,
    pub windows: Windows,
}

/// One application, as the ledger may know it: HMACs and a position id, nothing readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub mailbox: String,
    pub spelling: String,
    pub position: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserved {
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub budget: Budget,
    pub limit: u32,
    /// When this budget's window reopens.
    pub reopens_ms: u64,
    /// The first time this budget was found full in this window (for this mailbox or
    /// position): the worker logs one warning.
    pub warn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// Set when the quota is (still) spent: no Hireflix call before then.
    pub quota_held_until_ms: Option<u64>,
    /// The first quota report this hour: the worker logs one warning.
    pub warn: bool,
}

type Object = Map<String, Value>;

/// JSON text to an object; the one `serde_json` entry point the worker already compiles in.
pub fn object(text: &str) -> Option<Object> {
    serde_json::from_slice(text.as_bytes()).ok()
}

fn num(o: &Object, key: &str) -> Option<u64> {
    o.get(key)?.as_u64()
}

fn num32(o: &Object, key: &str) -> Option<u32> {
    u32::try_from(num(o, key)?).ok()
}

fn flag(o: &Object, key: &str) -> Option<bool> {
    o.get(key)?.as_bool()
}

fn string(o: &Object, key: &str) -> Option<String> {
    Some(o.get(key)?.as_str()?.to_string())
}

/// Every element decoded, or `None` if any one is not.
fn list<T>(o: &Object, key: &str, item: impl Fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    o.get(key)?.as_array()?.iter().map(item).collect()
}

fn limits_json(l: &Limits) -> Value {
    json!([l.email_day, l.position_hour, l.account_day, l.account_month])
}

fn limits_from(v: &Value) -> Option<Limits> {
    match v.as_array()?.as_slice() {
        [a, b, c, d] => Some(Limits {
            email_day: u32::try_from(a.as_u64()?).ok()?,
            position_hour: u32::try_from(b.as_u64()?).ok()?,
            account_day: u32::try_from(c.as_u64()?).ok()?,
            account_month: u32::try_from(d.as_u64()?).ok()?,
        }),
        _ => None,
    }
}

fn windows_json(w: &Windows) -> Value {
    json!([w.hour_seconds, w.day_seconds, w.month_seconds])
}

fn windows_from(v: &Value) -> Option<Windows> {
    match v.as_array()?.as_slice() {
        [h, d, m] => Some(Windows {
            hour_seconds: u32::try_from(h.as_u64()?).ok()?,
            day_seconds: u32::try_from(d.as_u64()?).ok()?,
            month_seconds: u32::try_from(m.as_u64()?).ok()?,
        }),
        _ => None,
    }
}

fn budget_from(name: &str) -> Option<Budget> {
    Budget::ALL.into_iter().find(|b| b.as_str() == name)
}

impl Call {
    pub fn to_json(&self) -> String {
        match self {
            Call::Reserve(r) => json!({
                "op": "reserve",
                "asks": r.asks.iter().map(|a| json!({
                    "mailbox": a.mailbox, "spelling": a.spelling, "position": a.position,
                })).collect::<Vec<_>>(),
                "limits": limits_json(&r.limits),
                "windows": windows_json(&r.windows),
            }),
            Call::Settle(s) => json!({
                "op": "settle",
                "release": s.release,
                "quota_exhausted": s.quota_exhausted,
                "quota_back": s.quota_back,
                "windows": windows_json(&s.windows),
                "quota_retry_seconds": s.quota_retry_seconds,
            }),
            Call::File(letter) => json!({
                "op": "file", "id": letter.id, "text": letter.text, "expires_ms": letter.expires_ms,
            }),
            Call::Letters => json!({ "op": "letters" }),
            Call::Unfile { id } => json!({ "op": "unfile", "id": id }),
        }
        .to_string()
    }

    pub fn from_json(text: &str) -> Option<Call> {
        let o = object(text)?;
        let op = o.get("op")?.as_str()?;
        match op {
            "file" => {
                return Some(Call::File(Letter {
                    id: string(&o, "id")?,
                    text: string(&o, "text")?,
                    expires_ms: num(&o, "expires_ms")?,
                }))
            }
            "letters" => return Some(Call::Letters),
            "unfile" => {
                return Some(Call::Unfile {
                    id: string(&o, "id")?,
                })
            }
            _ => {}
        }
        let windows = windows_from(o.get("windows")?)?;
        match op {
            "reserve" => Some(Call::Reserve(Reserve {
                asks: list(&o, "asks", |v| {
                    let a = v.as_object()?;
                    Some(Ask {
                        mailbox: string(a, "mailbox")?,
                        spelling: string(a, "spelling")?,
                        position: string(a, "position")?,
                    })
                })?,
                limits: limits_from(o.get("limits")?)?,
                windows,
            })),
            "settle" => Some(Call::Settle(Settle {
                release: list(&o, "release", Value::as_u64)?,
                quota_exhausted: flag(&o, "quota_exhausted")?,
                quota_back: flag(&o, "quota_back")?,
                windows,
                quota_retry_seconds: num32(&o, "quota_retry_seconds")?,
            })),
            _ => None,
        }
    }
}

impl Answer {
    fn to_value(&self) -> Value {
        match self {
            Answer::Granted {
                reservation,
                probing,
            } => json!({ "answer": "granted", "reservation": reservation, "probing": probing }),
            Answer::Resubmission => json!({ "answer": "resubmission" }),
            Answer::OtherSpelling => json!({ "answer": "other_spelling" }),
            Answer::Parked { until_ms, reached } => json!({
                "answer": "parked",
                "until_ms": until_ms,
                "reached": reached.iter().map(|r| json!({
                    "budget": r.budget.as_str(), "limit": r.limit,
                    "reopens_ms": r.reopens_ms, "warn": r.warn,
                })).collect::<Vec<_>>(),
            }),
            Answer::QuotaHeld { until_ms, warn } => {
                json!({ "answer": "quota_held", "until_ms": until_ms, "warn": warn })
            }
        }
    }

    fn from_value(v: &Value) -> Option<Answer> {
        let o = v.as_object()?;
        match o.get("answer")?.as_str()? {
            "granted" => Some(Answer::Granted {
                reservation: num(o, "reservation")?,
                probing: flag(o, "probing")?,
            }),
            "resubmission" => Some(Answer::Resubmission),
            "other_spelling" => Some(Answer::OtherSpelling),
            "parked" => Some(Answer::Parked {
                until_ms: num(o, "until_ms")?,
                reached: list(o, "reached", |v| {
                    let r = v.as_object()?;
                    Some(Reached {
                        budget: budget_from(r.get("budget")?.as_str()?)?,
                        limit: num32(r, "limit")?,
                        reopens_ms: num(r, "reopens_ms")?,
                        warn: flag(r, "warn")?,
                    })
                })?,
            }),
            "quota_held" => Some(Answer::QuotaHeld {
                until_ms: num(o, "until_ms")?,
                warn: flag(o, "warn")?,
            }),
            _ => None,
        }
    }
}

impl Reserved {
    pub fn to_json(&self) -> String {
        json!({ "answers": self.answers.iter().map(Answer::to_value).collect::<Vec<_>>() })
            .to_string()
    }

    pub fn from_json(text: &str) -> Option<Reserved> {
        Some(Reserved {
            answers: list(&object(text)?, "answers", Answer::from_value)?,
        })
    }
}

impl Letters {
    pub fn to_json(&self) -> String {
        let letters: Vec<Value> = self
            .0
            .iter()
            .map(|l| json!([l.id, l.text, l.expires_ms]))
            .collect();
        json!({ "letters": letters }).to_string()
    }

    pub fn from_json(text: &str) -> Option<Letters> {
        let letters = list(&object(text)?, "letters", |v| {
            match v.as_array()?.as_slice() {
                [id, text, expires] => Some(Letter {
                    id: id.as_str()?.to_string(),
                    text: text.as_str()?.to_string(),
                    expires_ms: expires.as_u64()?,
                }),
                _ => None,
            }
        })?;
        Some(Letters(letters))
    }
}

impl Settled {
    pub fn to_json(&self) -> String {
        json!({ "quota_held_until_ms": self.quota_held_until_ms, "warn": self.warn }).to_string()
    }

    pub fn from_json(text: &str) -> Option<Settled> {
        let o = object(text)?;
        let until = o.get("quota_held_until_ms")?;
        Some(Settled {
            quota_held_until_ms: if until.is_null() {
                None
            } else {
                Some(until.as_u64()?)
            },
            warn: flag(&o, "warn")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reserve() -> Call {
        Call::Reserve(Reserve {
            asks: vec![Ask {
                mailbox: "m".into(),
                spelling: "s".into(),
                position: "p".into(),
            }],
            limits: Limits::default(),
            windows: Windows::REAL,
        })
    }

    #[test]
    fn calls_round_trip_as_json() {
        let call = reserve();
        let json = call.to_json();
        assert!(json.contains(r#""op":"reserve""#), "{json}");
        assert_eq!(Call::from_json(&json), Some(call));
        let settle = Call::Settle(Settle {
            release: vec![1, 9],
            quota_exhausted: true,
            quota_back: false,
            windows: Windows {
                hour_seconds: 2,
                day_seconds: 4,
                month_seconds: 8,
            },
            quota_retry_seconds: 10_800,
        });
        assert_eq!(Call::from_json(&settle.to_json()), Some(settle));
        let letter = Letter {
            id: "failed:v2:unreadable:1".into(),
            text: r#"{"reason":"unreadable_body"}"#.into(),
            expires_ms: 9,
        };
        for call in [
            Call::File(letter.clone()),
            Call::Letters,
            Call::Unfile {
                id: letter.id.clone(),
            },
        ] {
            assert_eq!(Call::from_json(&call.to_json()), Some(call));
        }
        let letters = Letters(vec![letter]);
        assert_eq!(Letters::from_json(&letters.to_json()), Some(letters));
        assert_eq!(is_done(DONE), Some(()));
        assert_eq!(is_done(r#"{"done":false}"#), None);
        assert_eq!(Letters::from_json(r#"{"letters":[["a","b"]]}"#), None);
    }

    #[test]
    fn answers_round_trip_as_json() {
        let reserved = Reserved {
            answers: vec![
                Answer::Granted {
                    reservation: 12,
                    probing: true,
                },
                Answer::Resubmission,
                Answer::OtherSpelling,
                Answer::Parked {
                    until_ms: 5,
                    reached: vec![Reached {
                        budget: Budget::EmailDay,
                        limit: 3,
                        reopens_ms: 5,
                        warn: true,
                    }],
                },
                Answer::QuotaHeld {
                    until_ms: 7,
                    warn: false,
                },
            ],
        };
        let json = reserved.to_json();
        assert!(json.contains(r#""budget":"email_day""#), "{json}");
        assert_eq!(Reserved::from_json(&json), Some(reserved));
        for settled in [
            Settled {
                quota_held_until_ms: Some(3),
                warn: true,
            },
            Settled {
                quota_held_until_ms: None,
                warn: false,
            },
        ] {
            assert_eq!(Settled::from_json(&settled.to_json()), Some(settled));
        }
    }

    #[test]
    fn anything_unexpected_is_no_answer() {
        for bad in [
            "",
            "null",
            "[]",
            r#"{"answers":[{"answer":"granted"}]}"#,
            r#"{"answers":[{"answer":"parked","until_ms":1,"reached":[{"budget":"nope","limit":1,"reopens_ms":1,"warn":true}]}]}"#,
            r#"{"answers":[{"answer":"granted","reservation":-1,"probing":false}]}"#,
        ] {
            assert_eq!(Reserved::from_json(bad), None, "{bad}");
        }
        let mut json: Value = serde_json::from_str(&reserve().to_json()).unwrap();
        json["limits"] = json!([1, 2, 3]);
        assert_eq!(Call::from_json(&json.to_string()), None);
        json["limits"] = json!([1, 2, 3, 5_000_000_000u64]);
        assert_eq!(Call::from_json(&json.to_string()), None);
    }

    proptest! {
        #[test]
        fn decoding_never_panics(raw in "\\PC{0,200}") {
            let _ = Call::from_json(&raw);
            let _ = Reserved::from_json(&raw);
            let _ = Settled::from_json(&raw);
        }
    }
}
