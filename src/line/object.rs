//! The `PositionLine` Durable Object: one per position (named by its id), SQLite-backed. It
//! counts the position's invites per window, keeps the applications waiting in order of
//! arrival, and releases them by alarm at the budget's pace onto the invite queue. This file
//! holds the schema and the admission of each call; the alarm's releases are `super::release`.

use super::protocol::{answer_to_json, forget_from_json, settings_from, settings_to_json, Admit};
use super::release::when;
use super::rules::{self, Admission, Line, Settings};
use crate::ledger::{int, whole};
use std::cell::Cell;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue,
    State, Storage,
};

const SCHEMA: [&str; 3] = [
    // The line's invites counted in each budget's current window ("start,count" four times,
    // as `rules::Line`), and the settings of the last call (the alarm's), as the call has them.
    "CREATE TABLE IF NOT EXISTS state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        counts TEXT NOT NULL,
        settings TEXT NOT NULL)",
    // The line, in order of arrival: entries leave from its head (released or set aside), or
    // from anywhere when erased, so a place is `seq - first seq + 1`, counting an erased gap
    // ahead (a place and a time never later than the truth). The mailbox is an HMAC; the body
    // is the application to send when its turn comes.
    "CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY,
        mailbox TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        joined_ms INTEGER NOT NULL)",
    // Mailboxes let through in the current window (at most `limit` rows): another spelling of
    // one goes on to the ledger (which answers "already invited") without spending a second
    // place of the hour.
    "CREATE TABLE IF NOT EXISTS went (
        mailbox TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL)",
];

#[durable_object(alarm)]
pub struct PositionLine {
    pub(super) storage: Storage,
    sql: SqlStorage,
    pub(super) env: Env,
    /// The schema is made once per instance, not per call.
    schema_ready: Cell<bool>,
    /// The entry whose application the alarm is sending on this moment: other calls run
    /// while it awaits the queue, and erasure must not take an entry out from under it.
    pub(super) sending: Cell<Option<u64>>,
}

impl DurableObject for PositionLine {
    fn new(state: State, env: Env) -> Self {
        let storage = state.storage();
        PositionLine {
            sql: storage.sql(),
            storage,
            env,
            schema_ready: Cell::new(false),
            sending: Cell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::objects::serve(self, req).await
    }

    /// Releases what is due (`super::release`).
    async fn alarm(&self) -> Result<Response> {
        self.release_due().await
    }
}

crate::answers_calls!(PositionLine);

impl crate::objects::Answers for PositionLine {
    /// An error: the worker queues the application unadmitted (it asks again from the queue),
    /// or erasure says the line did not answer.
    async fn answer(&self, call: String) -> Result<String> {
        if let Some(mailbox) = forget_from_json(&call) {
            return self.forget(mailbox).map(|gone| gone.to_string());
        }
        let call = Admit::from_json(&call).ok_or("not a line call")?;
        let answer = self.admit(call, crate::clock::now_ms()).await;
        answer.map(answer_to_json)
    }
}

impl PositionLine {
    /// Erasure (`crate::http::erase`): the mailbox's waiting entry and its mark of this window
    /// go, and with the entry the application it held; how many entries went. The places
    /// behind it keep their number until the head passes the gap, but each is released a slot
    /// sooner: never later than told.
    fn forget(&self, mailbox: &str) -> Result<usize> {
        self.schema()?;
        if let Some(seq) = self.sending.get() {
            let held = self.exec(
                "SELECT 1 FROM entries WHERE seq = ? AND mailbox = ?",
                vec![int(seq), mailbox.into()],
            )?;
            if held.raw().next().is_some() {
                // On its way to the queue this moment: erasure answers incomplete, and the
                // operator's second erase finds it gone from the line.
                return Err(worker::Error::RustError("being released".into()));
            }
        }
        self.exec("DELETE FROM went WHERE mailbox = ?", vec![mailbox.into()])?;
        let gone = self.exec(
            "DELETE FROM entries WHERE mailbox = ? RETURNING seq",
            vec![mailbox.into()],
        )?;
        Ok(gone.raw().count())
    }

    async fn admit(&self, call: Admit, now: u64) -> Result<Admission> {
        self.schema()?;
        let settings = call.settings;
        // As of now under the settings of this call (the stored ones may be older).
        let line = self.load(now)?.0.at(&settings, now);
        let row = self.exec(
            "SELECT MIN(seq), (SELECT seq FROM entries WHERE mailbox = ?1),
                (SELECT 1 FROM went WHERE mailbox = ?1 AND window_start = ?2) FROM entries",
            vec![call.mailbox.as_str().into(), int(line.starts[0])],
        )?;
        let (head, mine, went) = match row.raw().next() {
            Some(row) => {
                let mut columns = row?.into_iter();
                let (head, mine) = (whole(columns.next()), whole(columns.next()));
                (head, mine, whole(columns.next()).is_some())
            }
            None => (None, None, false),
        };
        if went {
            return Ok(Admission::Go);
        }
        if let (Some(head), Some(mine)) = (head, mine) {
            // Already in line (another spelling of the mailbox too): the same place again.
            let place = u32::try_from(mine.saturating_sub(head) + 1).unwrap_or(u32::MAX);
            let expected_by_ms = rules::release_at(line, place, &settings, now);
            return Ok(Admission::Wait {
                place,
                expected_by_ms,
            });
        }
        let admission = rules::admit(line, &settings, now);
        match admission {
            Admission::Go => {
                if line.counted[0] == 0 {
                    // A new hour: the mailboxes of the last one no longer matter.
                    self.exec("DELETE FROM went", vec![])?;
                }
                self.exec(
                    "INSERT OR REPLACE INTO went (mailbox, window_start) VALUES (?, ?)",
                    vec![call.mailbox.into(), int(line.starts[0])],
                )?;
                let mut counted = line;
                counted.count();
                self.save(counted, &settings)?;
            }
            Admission::Wait { expected_by_ms, .. } => {
                if let (0, Some(reached)) = (line.waiting, rules::reached(&line, &settings)) {
                    formed(&call.body, reached, expected_by_ms);
                }
                self.exec(
                    "INSERT INTO entries (mailbox, body, joined_ms) VALUES (?, ?, ?)",
                    vec![call.mailbox.into(), call.body.into(), int(now)],
                )?;
                self.save(line, &settings)?;
                // The first in line starts the alarm; later ones make sure it still runs (an
                // alarm that kept failing is given up by the runtime, and the line would stall).
                if line.waiting == 0 || self.storage.get_alarm().await?.is_none() {
                    let line = Line {
                        waiting: line.waiting.saturating_add(1),
                        ..line
                    };
                    if let Some(at) = rules::next_release(line, &settings, now) {
                        self.storage.set_alarm(when(at)).await?;
                    }
                }
            }
            // Nothing stored: a paused answer is the hot path of a surge.
            Admission::Paused { .. } => {}
        }
        Ok(admission)
    }

    pub(super) fn exec(
        &self,
        query: &str,
        bindings: Vec<SqlStorageValue>,
    ) -> Result<worker::SqlCursor> {
        self.sql.exec(query, Some(bindings))
    }

    pub(super) fn schema(&self) -> Result<()> {
        if !self.schema_ready.get() {
            for statement in SCHEMA {
                self.exec(statement, vec![])?;
            }
            self.schema_ready.set(true);
        }
        Ok(())
    }

    /// The windows' counts as of `now` (the waiting count is not stored: read from the
    /// entries), and the last settings given.
    pub(super) fn load(&self, now: u64) -> Result<(Line, Option<Settings>)> {
        let row = self.exec(
            "SELECT counts, settings, (SELECT MAX(seq) - MIN(seq) + 1 FROM entries)
                FROM state WHERE id = 1",
            vec![],
        )?;
        let Some(row) = row.raw().next() else {
            return Ok((Line::default(), None));
        };
        let mut columns = row?.into_iter();
        let mut text = || match columns.next() {
            Some(SqlStorageValue::String(text)) => text,
            _ => String::new(),
        };
        let (counts, settings) = (text(), text());
        let settings = serde_json::from_str(&settings)
            .ok()
            .and_then(|v| settings_from(&v));
        let mut line = Line {
            waiting: whole(columns.next())
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            ..Line::default()
        };
        let numbers = counts.split(',').map(|n| n.parse::<u64>().unwrap_or(0));
        let slots = line.starts.iter_mut().zip(line.counted.iter_mut());
        let pairs = numbers.clone().step_by(2).zip(numbers.skip(1).step_by(2));
        for ((start, counted), (s, c)) in slots.zip(pairs) {
            (*start, *counted) = (s, u32::try_from(c).unwrap_or(u32::MAX));
        }
        Ok((settings.map_or(line, |s| line.at(&s, now)), settings))
    }

    pub(super) fn save(&self, line: Line, settings: &Settings) -> Result<()> {
        let pairs = line.starts.iter().zip(line.counted);
        let counts: Vec<String> = pairs.map(|(s, c)| format!("{s},{c}")).collect();
        self.exec(
            "INSERT OR REPLACE INTO state (id, counts, settings) VALUES (1, ?, ?)",
            vec![counts.join(",").into(), settings_to_json(settings).into()],
        )?;
        Ok(())
    }
}

/// The line has just formed: the operator hears of it once, as of any budget (ids only), with
/// the budget that formed it.
fn formed(body: &str, (budget, limit): (&str, u32), reopens_at_ms: u64) {
    let invite: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let field = |name: &str| {
        invite
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    crate::log::Event::BudgetReached {
        request_id: field("requestId"),
        position_id: field("positionId"),
        budget,
        limit,
        reopens_at_ms,
    }
    .emit();
}
