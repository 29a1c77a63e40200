//! The line's alarm: it releases the waiting applications onto the invite queue at the
//! budgets' pace, sets aside those that waited too long, and sets itself for the next slot.

use super::object::PositionLine;
use super::rules;
use crate::config::names;
use crate::ledger::{int, whole};
use worker::{
    QueueContentType, RawMessageBuilder, Response, Result, ScheduledTime, SqlStorageValue,
};

/// Releases (or letters) one alarm sends at most: late alarms catch up without a long burst.
const MOST_PER_ALARM: u32 = 10;

impl PositionLine {
    /// The alarm: the head of the line, as far as its slots have come (or its wait ran out),
    /// then the alarm again for the next head.
    pub(super) async fn release_due(&self) -> Result<Response> {
        self.schema()?;
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
            self.sending.set(Some(seq));
            let sent = if aside {
                self.set_aside(&body).await
            } else {
                self.release(&body).await
            };
            self.sending.set(None);
            if sent && !aside {
                line.count();
            }
            if !sent {
                // The queue refused: again at the next slot's pace, at most a minute on.
                let retry_ms = settings.interval_ms().clamp(1_000, 60_000);
                retry_at = Some(now.saturating_add(retry_ms));
                break;
            }
            self.exec("DELETE FROM entries WHERE seq = ?", vec![int(seq)])?;
        }
        self.save(line, &settings)?;
        // The head's slot, or sooner when it would wait too long by then (budgets lowered):
        // it is set aside at that time, not at its far-off slot. Nobody in line, no alarm.
        let expires = self.head()?.map(|(.., joined)| {
            let deadline = joined
                .saturating_add(settings.max_wait_ms)
                .saturating_add(1);
            deadline.max(now.saturating_add(1_000))
        });
        let slot = |expires: u64| rules::release_at(line, 1, &settings, now).min(expires);
        if let Some(at) = retry_at.or_else(|| expires.map(slot)) {
            self.storage.set_alarm(when(at)).await?;
        }
        Response::ok("")
    }

    fn head(&self) -> Result<Option<(u64, String, u64)>> {
        let cursor = self.exec(
            "SELECT seq, body, joined_ms FROM entries ORDER BY seq LIMIT 1",
            vec![],
        )?;
        let Some(row) = cursor.raw().next() else {
            return Ok(None);
        };
        let mut columns = row?.into_iter();
        let seq = whole(columns.next());
        let body = match columns.next() {
            Some(SqlStorageValue::String(body)) => body,
            _ => String::new(),
        };
        let joined = whole(columns.next()).unwrap_or(0);
        Ok(seq.map(|seq| (seq, body, joined)))
    }

    /// Onto the invite queue as it was given (marked admitted by the worker): the consumer
    /// asks the ledger and Hireflix as for any queued invite.
    async fn release(&self, body: &str) -> bool {
        self.send(names::INVITE_QUEUE, body).await
    }

    /// Waited past `MAX_WAIT_HOURS`: a dead letter for an operator, through the dead-letter
    /// queue like every other (its consumer files it and clears the candidate's record).
    async fn set_aside(&self, body: &str) -> bool {
        let letter = format!(r#"{{"reason":"waited_too_long","invite":{body}}}"#);
        self.send(names::DEAD_LETTER_QUEUE, &letter).await
    }

    /// JSON text onto a queue, parsed by the runtime: no serde here (the body was checked to
    /// be a JSON object when the call was read).
    async fn send(&self, queue: &str, json: &str) -> bool {
        let (Ok(queue), Ok(message)) = (self.env.queue(queue), js_sys::JSON::parse(json)) else {
            return false;
        };
        let message =
            RawMessageBuilder::new(message).build_with_content_type(QueueContentType::Json);
        queue.send_raw(message).await.is_ok()
    }
}

/// An alarm at a time, not after an offset (`From<i64>` is an offset).
pub(super) fn when(ms: u64) -> ScheduledTime {
    // `as` is exact for every time far inside JavaScript's safe range.
    ScheduledTime::new(js_sys::Date::new(&js_sys::Number::from(ms as f64)))
}
