//! The `HireflixPace` Durable Object. The schedule lives in memory (an eviction hands out at
//! most one lease span of slots twice); the quota hold lasts hours, so it is in SQLite.

use super::rules::{Call, Pace, State as PaceState};
use crate::objects::{read, text, Db};
use std::cell::{Cell, RefCell};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS hold (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
];

#[durable_object(fetch)]
pub struct HireflixPace {
    db: Db,
    /// `None` until the hold has been read from SQLite.
    pace: RefCell<Option<Pace>>,
    /// Until when one caller is refreshing the positions list (a lost refresh costs a call).
    refresh_until_ms: Cell<u64>,
}

impl DurableObject for HireflixPace {
    fn new(state: State, _env: Env) -> Self {
        HireflixPace {
            db: Db::new(&state.storage(), SCHEMA),
            pace: RefCell::new(None),
            refresh_until_ms: Cell::new(0),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::objects::serve(self, req).await
    }
}

crate::answers_calls!(HireflixPace);

impl crate::objects::Answers for HireflixPace {
    async fn answer(&self, call: String) -> Result<String> {
        let call = read::<Call>(&call).ok_or("not a pace call")?;
        let (mut pace, now) = (self.load()?, crate::clock::now_ms());
        let before = pace.hold;
        let json = match call {
            Call::Take { want } => serde_json::to_string(&pace.take(want, now))?,
            Call::Refresh { lease_ms } => {
                let go = now >= self.refresh_until_ms.get();
                if go {
                    self.refresh_until_ms.set(now.saturating_add(lease_ms));
                }
                go.to_string()
            }
            other => {
                match other {
                    Call::Slow { until_ms } => pace.slow_until(until_ms),
                    Call::Refused {
                        probe,
                        base_seconds,
                    } => pace.refused(probe, base_seconds, now),
                    Call::ProbedOk | Call::Lift => pace.lift(),
                    Call::State | Call::Take { .. } | Call::Refresh { .. } => {}
                }
                serde_json::to_string(&PaceState { hold: pace.hold })?
            }
        };
        if pace.hold != before {
            match pace.hold {
                Some(hold) => self.db.exec(
                    "INSERT INTO hold (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
                    vec![serde_json::to_string(&hold)?.into()],
                )?,
                None => self.db.exec("DELETE FROM hold", vec![])?,
            };
        }
        self.pace.replace(Some(pace));
        Ok(json)
    }
}

impl HireflixPace {
    fn load(&self) -> Result<Pace> {
        if let Some(pace) = *self.pace.borrow() {
            return Ok(pace);
        }
        let hold = self
            .db
            .first("SELECT json FROM hold WHERE id = 1", vec![])?;
        let hold = text(hold).and_then(|json| read(&json));
        Ok(Pace { next_ms: 0, hold })
    }
}
