//! The `HireflixPace` Durable Object: one for the account, asked a few times a second at most
//! (callers lease several slots at once). The schedule lives in memory: if the object is
//! evicted, at most one lease span of slots is handed out twice. The quota hold is written to
//! SQLite: it lasts hours and must survive that.

use super::protocol::{read, Call, State as PaceState};
use super::rules::{Hold, Pace};
use std::cell::{Cell, RefCell};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS hold (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)";

#[durable_object(fetch)]
pub struct HireflixPace {
    sql: SqlStorage,
    /// `None` until the hold has been read from SQLite.
    pace: RefCell<Option<Pace>>,
    /// Until when one caller is refreshing the positions list (only in memory: a lost
    /// refresh costs one more call later, never a stampede).
    refresh_until_ms: Cell<u64>,
}

impl DurableObject for HireflixPace {
    fn new(state: State, _env: Env) -> Self {
        HireflixPace {
            sql: state.storage().sql(),
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
        self.answer_call(call, crate::clock::now_ms())
    }
}

impl HireflixPace {
    fn answer_call(&self, call: Call, now: u64) -> Result<String> {
        let mut pace = self.load()?;
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
                    Call::ProbedOk => pace.probed_ok(true),
                    Call::Lift => pace.lift(),
                    Call::State | Call::Take { .. } | Call::Refresh { .. } => {}
                }
                serde_json::to_string(&PaceState { hold: pace.hold })?
            }
        };
        if pace.hold != before {
            self.save(pace.hold)?;
        }
        self.pace.replace(Some(pace));
        Ok(json)
    }

    fn load(&self) -> Result<Pace> {
        if let Some(pace) = *self.pace.borrow() {
            return Ok(pace);
        }
        self.sql.exec(SCHEMA, None)?;
        let hold = self
            .sql
            .exec("SELECT json FROM hold WHERE id = 1", None)?
            .raw()
            .next()
            .transpose()?
            .and_then(|row| row.into_iter().next())
            .and_then(|value| match value {
                worker::SqlStorageValue::String(text) => read(&text),
                _ => None,
            });
        Ok(Pace { next_ms: 0, hold })
    }

    fn save(&self, hold: Option<Hold>) -> Result<()> {
        match hold {
            Some(hold) => self.sql.exec(
                "INSERT INTO hold (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
                vec![serde_json::to_string(&hold)?.into()],
            ),
            None => self.sql.exec("DELETE FROM hold", None),
        }
        .map(|_| ())
    }
}
