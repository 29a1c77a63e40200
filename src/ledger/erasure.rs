//! What an erasure leaves behind: a mark (the mailbox's HMAC, when, and the KV keys of the rows
//! it deleted) in its bucket, for as long as an application made before it can still come back
//! from a queue, which cannot delete a message. A reservation reads the mark; the dead-letter
//! consumer asks (`ErasedSince`). An application made after the erasure (applying again) is new.

use super::client::{bucket_name, LedgerClient, ACCOUNT};
use super::mailbox::{bucket, MailboxKeys};
use super::object::{int, whole, InviteLedger};
use super::protocol::{Ask, Call};
use crate::domain::Email;
use worker::Result;

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// The longest an application made before the erasure can still reach a consumer: its
/// position's line (`MAX_WAIT_HOURS`), a park until a budget's window reopens (a month at
/// most), and 14 days in a queue (Cloudflare Queues' longest retention).
pub fn remembered_ms(max_wait_hours: u32) -> u64 {
    u64::from(max_wait_hours) * HOUR_MS + 31 * DAY_MS + 14 * DAY_MS
}

/// Made at or before the mailbox's last erasure (`applied_ms` 0: queued before they had one).
pub fn erased_after(applied_ms: u64, erased_at_ms: Option<u64>) -> bool {
    erased_at_ms.is_some_and(|erased| applied_ms <= erased)
}

impl InviteLedger {
    /// `Call::Forget`: deletes the mailbox's rows and marks it erased (now) for `remember_ms`.
    /// Answers their records and those of rows an earlier erasure deleted while its mark lives:
    /// an answer lost on the way (a timeout) would otherwise leave their KV records behind.
    pub(super) fn forget(&self, mailbox: &str, remember_ms: u64, now: u64) -> Result<String> {
        let found = self.db.row(
            "SELECT (SELECT records FROM erasures WHERE mailbox = ?),
                (SELECT group_concat(position || ':' || record, ' ') FROM invites WHERE mailbox = ?)",
            vec![mailbox.into(), mailbox.into()],
        )?;
        let records = merged(found.filter_map(|list| crate::objects::text(Some(list))));
        let delete = "DELETE FROM invites WHERE mailbox = ?";
        self.db.exec(delete, vec![mailbox.into()])?;
        self.db.exec(
            "INSERT INTO erasures (mailbox, erased_at, until_ms, records) VALUES (?, ?, ?, ?)
             ON CONFLICT (mailbox) DO UPDATE SET erased_at = excluded.erased_at,
             until_ms = excluded.until_ms, records = excluded.records",
            vec![
                mailbox.into(),
                int(now),
                int(now.saturating_add(remember_ms)),
                records.as_str().into(),
            ],
        )?;
        Ok(records)
    }

    /// `Call::ErasedSince`, answered 0 or 1.
    pub(super) fn erased_since(&self, mailbox: &str, applied_ms: u64) -> Result<String> {
        let mark = "SELECT erased_at FROM erasures WHERE mailbox = ?";
        let erased_at = whole(self.db.first(mark, vec![mailbox.into()])?);
        Ok(usize::from(erased_after(applied_ms, erased_at)).to_string())
    }
}

/// Space-separated lists as one, each entry once (a mailbox has a row per position at most).
fn merged(lists: impl Iterator<Item = String>) -> String {
    let lists: Vec<String> = lists.collect();
    let mut all: Vec<&str> = lists.iter().flat_map(|list| list.split(' ')).collect();
    all.retain(|entry| !entry.is_empty());
    all.sort_unstable();
    all.dedup();
    all.join(" ")
}

impl LedgerClient {
    /// Erases one candidate's rows in its bucket (which keeps the mark) and among the account's
    /// rows from before the buckets: the records of each instance that answered, and whether
    /// all did (a bucket's records are kept when the account fails).
    pub async fn forget(&self, email: &Email, max_wait_hours: u32) -> (String, bool) {
        let mailbox = MailboxKeys::new(&self.secret, email).mailbox;
        let bucket = bucket_name(bucket(&mailbox));
        // The account keeps the mark too, never read there: one call shape costs less wasm.
        let call = Call::Forget {
            mailbox,
            remember_ms: remembered_ms(max_wait_hours),
        };
        let (mut gone, mut all) = (String::new(), true);
        for instance in [bucket.as_str(), ACCOUNT] {
            match self.send(instance, &call).await {
                Ok(rows) => gone.push_str(&(rows + " ")),
                Err(_) => all = false,
            }
        }
        (gone, all)
    }

    /// `None` when that cannot be known (no `APP_SECRET`, no ledger, no answer).
    pub async fn erased_since(&self, email: &Email, applied_ms: u64) -> Option<bool> {
        if self.secret.is_empty() {
            return None;
        }
        let mailbox = MailboxKeys::new(&self.secret, email).mailbox;
        let name = bucket_name(bucket(&mailbox));
        let call = Call::ErasedSince(Ask {
            mailbox,
            applied_ms,
            ..Ask::default()
        });
        let since = self.send(&name, &call).await;
        since.ok()?.parse::<u32>().ok().map(|erasures| erasures > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_made_before_the_erasure_is_dropped_and_one_made_after_is_new() {
        let erased = Some(1_000);
        assert!(erased_after(999, erased));
        assert!(erased_after(1_000, erased), "the same millisecond: before");
        assert!(!erased_after(1_001, erased), "applied again after");
        assert!(
            erased_after(0, erased),
            "queued before applications carried a time"
        );
        assert!(!erased_after(0, None), "never erased: nothing dropped");
    }

    #[test]
    fn an_erasure_answers_the_records_it_remembers_and_those_it_deletes_once_each() {
        let lists = ["p1:a p2:b".to_string(), "p2:b  p1: p3:c ".to_string()];
        assert_eq!(merged(lists.into_iter()), "p1: p1:a p2:b p3:c");
        assert_eq!(merged(std::iter::empty()), "");
    }

    #[test]
    fn the_mark_outlives_the_line_a_month_s_park_and_the_queue_s_retention() {
        assert_eq!(remembered_ms(72), (3 + 31 + 14) * DAY_MS);
        assert!(
            remembered_ms(720) > remembered_ms(72),
            "a longer line, a longer mark"
        );
    }
}
