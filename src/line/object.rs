//! The `PositionLine` Durable Object, named by the position's id: the alarm releases the
//! waiting applications at the budgets' pace and sets aside those that waited too long.

use super::rules::{self, Admission, Admit, Forget, Line, Settings};
use crate::config::names;
use crate::ledger::{int, whole};
use crate::objects::{at, read, text, Db};
use serde_json::Value;
use std::cell::Cell;
use worker::{
    durable_object, DurableObject, Env, QueueContentType, RawMessageBuilder, Request, Response,
    Result, State, Storage,
};

const SCHEMA: &[&str] = &[
    // `counts`: "start,count" for each budget's window, as `rules::Line`.
    "CREATE TABLE IF NOT EXISTS state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        counts TEXT NOT NULL,
        settings TEXT NOT NULL)",
    // A place is `seq - first seq + 1`, counting an erased gap ahead (never later than told).
    "CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY,
        mailbox TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        joined_ms INTEGER NOT NULL)",
    // Mailboxes let through this hour: another spelling goes on to the ledger ("already
    // invited") without spending a second place.
    "CREATE TABLE IF NOT EXISTS went (
        mailbox TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL)",
];

/// Releases (or letters) one alarm sends at most: a late alarm catches up without a burst.
const MOST_PER_ALARM: u32 = 10;

#[durable_object(alarm)]
pub struct PositionLine {
    storage: Storage,
    db: Db,
    env: Env,
    /// The entry the alarm is sending: erasure must not take it from under it.
    sending: Cell<Option<u64>>,
}

impl DurableObject for PositionLine {
    fn new(state: State, env: Env) -> Self {
        let storage = state.storage();
        PositionLine {
            db: Db::new(&storage, SCHEMA),
            storage,
            env,
            sending: Cell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        crate::objects::serve(self, req).await
    }

    async fn alarm(&self) -> Result<Response> {
        let now = crate::clock::now_ms();
        let (mut line, settings) = self.load(now)?;
        let Some(settings) = settings else {
            return Response::ok("");
        };
        let mut retry_at = None;
        for _ in 0..MOST_PER_ALARM {
            let Some((seq, body, joined_ms)) = self.head()? else {
                break;
            };
            let aside = rules::waited_too_long(joined_ms, &settings, now);
            if !aside && rules::release_at(line, 1, &settings, now) > now {
                break;
            }
            let (queue, message) = if aside {
                // A dead letter, through its queue like any other.
                let letter = format!(r#"{{"reason":"waited_too_long","invite":{body}}}"#);
                (names::DEAD_LETTER_QUEUE, letter)
            } else {
                // Marked admitted by the worker.
                (names::INVITE_QUEUE, body)
            };
            self.sending.set(Some(seq));
            let sent = self.send(queue, &message).await;
            self.sending.set(None);
            if !sent {
                // The queue refused: again at the next slot's pace, at most a minute on.
                let retry_ms = settings.interval_ms().clamp(1_000, 60_000);
                retry_at = Some(now.saturating_add(retry_ms));
                break;
            }
            if !aside {
                // Saved at once: an admit during the next send counts this release.
                line.count();
                self.save(line, &settings)?;
            }
            self.db
                .exec("DELETE FROM entries WHERE seq = ?", vec![int(seq)])?;
        }
        let next = self.next_alarm(line, &settings, now)?;
        if let Some(ms) = retry_at.or(next) {
            self.storage.set_alarm(at(ms)).await?;
        }
        Response::ok("")
    }
}

crate::answers_calls!(PositionLine);

impl crate::objects::Answers for PositionLine {
    async fn answer(&self, call: String) -> Result<String> {
        if let Some(Forget { forget }) = read(&call) {
            // An HMAC in hex.
            if forget.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(serde_json::to_string(&self.forget(&forget)?)?);
            }
        }
        let call = Admit::read(&call).ok_or("not a line call")?;
        let answer = self.admit(call, crate::clock::now_ms()).await?;
        Ok(serde_json::to_string(&answer)?)
    }
}

impl PositionLine {
    /// Erasure of the mailbox's entry and mark: the address typed in each entry that went, so
    /// the worker can erase the KV record kept under that spelling too. The places behind keep
    /// their number until the head passes the gap, but each is released a slot sooner.
    fn forget(&self, mailbox: &str) -> Result<Vec<String>> {
        if let Some(seq) = self.sending.get() {
            let query = "SELECT 1 FROM entries WHERE seq = ? AND mailbox = ?";
            let held = self.db.first(query, vec![int(seq), mailbox.into()])?;
            if held.is_some() {
                // On its way to the queue: the operator's second erase finds it gone.
                return Err(worker::Error::RustError("being released".into()));
            }
        }
        let mailbox = vec![mailbox.into()];
        self.db
            .exec("DELETE FROM went WHERE mailbox = ?", mailbox.clone())?;
        let gone = self.db.exec(
            "DELETE FROM entries WHERE mailbox = ? RETURNING body",
            mailbox,
        )?;
        let mut typed = Vec::new();
        for row in gone.raw() {
            let body = text(row?.into_iter().next());
            let body = body.and_then(|b| serde_json::from_str::<Value>(&b).ok());
            // An unreadable body still went: its address is then unknown (empty).
            let email = body.as_ref().and_then(|b| b.get("email")?.as_str());
            typed.push(email.unwrap_or_default().to_string());
        }
        Ok(typed)
    }

    async fn admit(&self, call: Admit<Value>, now: u64) -> Result<Admission> {
        let settings = call.settings;
        let (line, kept) = self.load(now)?;
        // As of now under this call's settings (the stored ones may be older).
        let mut line = line.at(&settings, now);
        let mut columns = self.db.row(
            "SELECT MIN(seq), (SELECT seq FROM entries WHERE mailbox = ?1),
                (SELECT 1 FROM went WHERE mailbox = ?1 AND window_start = ?2) FROM entries",
            vec![call.mailbox.as_str().into(), int(line.starts[0])],
        )?;
        let (head, mine) = (whole(columns.next()), whole(columns.next()));
        if whole(columns.next()).is_some() {
            return Ok(Admission::Go);
        }
        // From its post, as the invite consumer counts the wait (`appliedMs`; none: now).
        let post = call.body.get("appliedMs").and_then(Value::as_u64);
        let post = post.filter(|&ms| ms != 0).map_or(now, |ms| ms.min(now));
        let admission = match (head, mine) {
            // Already in line (another spelling too): the same place again.
            (Some(head), Some(mine)) => {
                let place = u32::try_from(mine.saturating_sub(head) + 1).unwrap_or(u32::MAX);
                let expected_by_ms = rules::release_at(line, place, &settings, now);
                Admission::Wait {
                    place,
                    expected_by_ms,
                }
            }
            _ => rules::admit(line, &settings, post, now),
        };
        match admission {
            Admission::Go => {
                // Past hours' mailboxes no longer matter.
                let hour = vec![int(line.starts[0])];
                self.db
                    .exec("DELETE FROM went WHERE window_start != ?", hour)?;
                self.db.exec(
                    "INSERT OR REPLACE INTO went (mailbox, window_start) VALUES (?, ?)",
                    vec![call.mailbox.into(), int(line.starts[0])],
                )?;
                line.count();
                self.save(line, &settings)?;
                return Ok(admission);
            }
            Admission::Wait { expected_by_ms, .. } if mine.is_none() => {
                if let (0, Some(reached)) = (line.waiting, rules::reached(&line, &settings)) {
                    formed(&call.body, reached, expected_by_ms);
                }
                self.db.exec(
                    "INSERT INTO entries (mailbox, body, joined_ms) VALUES (?, ?, ?)",
                    vec![call.mailbox.into(), call.body.to_string().into(), int(post)],
                )?;
            }
            // Nobody in line, nothing stored: a paused answer is the hot path of a surge.
            _ if line.waiting == 0 => return Ok(admission),
            _ => {}
        }
        if kept != Some(settings) {
            self.save(line, &settings)?;
        }
        // Someone waits: the alarm is due by then, sooner once budgets are raised, and set
        // again if lost (the runtime gives up one that kept failing: the line stalls).
        let Some(due) = self.next_alarm(line, &settings, now)? else {
            return Ok(admission);
        };
        let set = self.storage.get_alarm().await?;
        if set.is_none_or(|ms| u64::try_from(ms).map_or(true, |ms| ms > due)) {
            self.storage.set_alarm(at(due)).await?;
        }
        Ok(admission)
    }

    /// The head's slot, or sooner when it would wait too long by then (budgets lowered): it is
    /// set aside at that time, not at its far-off slot. Nobody in line, no alarm.
    fn next_alarm(&self, line: Line, settings: &Settings, now: u64) -> Result<Option<u64>> {
        Ok(self.head()?.map(|(.., joined)| {
            let expires = rules::aside_after(joined, settings).saturating_add(1);
            let expires = expires.max(now.saturating_add(1_000));
            rules::release_at(line, 1, settings, now).min(expires)
        }))
    }

    /// The windows' counts as of `now`, and the last settings given.
    fn load(&self, now: u64) -> Result<(Line, Option<Settings>)> {
        let mut columns = self.db.row(
            "SELECT counts, settings, (SELECT MAX(seq) - MIN(seq) + 1 FROM entries)
                FROM state WHERE id = 1",
            vec![],
        )?;
        let counts = text(columns.next()).unwrap_or_default();
        let settings = text(columns.next()).and_then(|json| read::<Settings>(&json));
        let waiting = whole(columns.next()).and_then(|n| u32::try_from(n).ok());
        let mut line = Line {
            waiting: waiting.unwrap_or(0),
            ..Line::default()
        };
        let numbers: Vec<u64> = counts.split(',').map(|n| n.parse().unwrap_or(0)).collect();
        let slots = line.starts.iter_mut().zip(line.counted.iter_mut());
        for ((start, counted), pair) in slots.zip(numbers.chunks_exact(2)) {
            if let &[s, c] = pair {
                (*start, *counted) = (s, u32::try_from(c).unwrap_or(u32::MAX));
            }
        }
        Ok((settings.map_or(line, |s| line.at(&s, now)), settings))
    }

    fn save(&self, line: Line, settings: &Settings) -> Result<()> {
        let pairs = line.starts.iter().zip(line.counted);
        let counts: Vec<String> = pairs.map(|(s, c)| format!("{s},{c}")).collect();
        self.db.exec(
            "INSERT OR REPLACE INTO state (id, counts, settings) VALUES (1, ?, ?)",
            vec![
                counts.join(",").into(),
                serde_json::to_string(settings)?.into(),
            ],
        )?;
        Ok(())
    }

    fn head(&self) -> Result<Option<(u64, String, u64)>> {
        let query = "SELECT seq, body, joined_ms FROM entries ORDER BY seq LIMIT 1";
        let mut columns = self.db.row(query, vec![])?;
        let seq = whole(columns.next());
        let body = text(columns.next()).unwrap_or_default();
        let joined = whole(columns.next()).unwrap_or(0);
        Ok(seq.map(|seq| (seq, body, joined)))
    }

    /// JSON text onto a queue, parsed by the runtime (the body was a JSON object when stored).
    async fn send(&self, queue: &str, json: &str) -> bool {
        let (Ok(queue), Ok(message)) = (self.env.queue(queue), js_sys::JSON::parse(json)) else {
            return false;
        };
        let message =
            RawMessageBuilder::new(message).build_with_content_type(QueueContentType::Json);
        queue.send_raw(message).await.is_ok()
    }
}

/// The line has just formed: the operator hears of it once (ids only).
fn formed(invite: &Value, (budget, limit): (&str, u32), reopens_at_ms: u64) {
    let field = |name: &str| invite.get(name).and_then(Value::as_str).unwrap_or_default();
    crate::log::Event::BudgetReached {
        request_id: field("requestId"),
        position_id: field("positionId"),
        budget,
        limit,
        reopens_at_ms,
    }
    .emit();
}
