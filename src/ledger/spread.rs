//! Which instance each call goes to: the mailbox's bucket for uniqueness, the mailbox's day
//! and the call in flight; the account for its budgets and the quota. A new invite costs one
//! bucket call, and an account call only when this isolate's lease (`super::lease`) is spent;
//! whatever the account refuses is released in its bucket at once.

use super::budget::Budget;
use super::client::{LedgerClient, ACCOUNT};
use super::gate::Settlement;
use super::lease;
use super::mailbox::{bucket, reservation, row_of};
use super::protocol::{Answer, Ask, Call, Reached, Reserved, Settled, Take};
use crate::objects::Failure;
use std::cell::RefCell;

/// How long an isolate keeps the account's refusal: a lifted quota hold or an invite given back
/// is seen within this, and the account is asked at most this often per isolate meanwhile.
const CLOSED_AT_MOST_MS: u64 = 10_000;

thread_local! {
    /// The account's last refusal that holds for every application (an account-wide budget
    /// full, the quota held), for at most `CLOSED_AT_MOST_MS`. A surge over the budget so asks
    /// the account a few times a second in all, not once per post; a release meanwhile only
    /// leaves an invite unused that long, never one too many.
    static CLOSED: RefCell<Option<(u64, Answer)>> = const { RefCell::new(None) };
}

/// The quota is back (a probe went through, an operator lifted the hold): this isolate asks
/// the account again at once.
pub(super) fn reopen() {
    CLOSED.with(|c| *c.borrow_mut() = None);
}

/// Until when, and as what, a refusal holds for every application; warned about once only.
fn closes(answer: &Answer) -> Option<(u64, Answer)> {
    match answer {
        Answer::Parked { until_ms, reached }
            if reached.iter().all(|r| r.budget.scope("m").is_empty()) =>
        {
            let quiet = reached.iter().map(|r| Reached {
                warn: false,
                ..r.clone()
            });
            let reached = quiet.collect();
            Some((
                *until_ms,
                Answer::Parked {
                    until_ms: *until_ms,
                    reached,
                },
            ))
        }
        Answer::QuotaHeld { until_ms, .. } => Some((
            *until_ms,
            Answer::QuotaHeld {
                until_ms: *until_ms,
                warn: false,
            },
        )),
        _ => None,
    }
}

/// `n` answers that did not come: built, not cloned (no clone of every answer in the wasm).
fn failed(failure: Failure, n: usize) -> Vec<Result<Answer, Failure>> {
    (0..n).map(|_| Err(failure)).collect()
}

/// Each bucket once, in order: a batch holds at most a few.
fn distinct(buckets: &[u64]) -> Vec<u64> {
    let mut once = buckets.to_vec();
    once.sort_unstable();
    once.dedup();
    once
}

pub(super) fn bucket_name(bucket: u64) -> String {
    format!("mailbox-{bucket}")
}

impl LedgerClient {
    /// Each bucket's answers, in the asks' order; a bucket that did not answer leaves its asks
    /// with the failure.
    pub(super) async fn reserve(&self, asks: &[Ask]) -> Vec<Result<Answer, Failure>> {
        let mut answers = failed(Failure::Failed, asks.len());
        let buckets: Vec<u64> = asks.iter().map(|ask| bucket(&ask.mailbox)).collect();
        let limits = self.budgets.limits.only(|b| !b.in_account());
        for b in distinct(&buckets) {
            let places: Vec<usize> = (0..asks.len())
                .filter(|&i| buckets.get(i) == Some(&b))
                .collect();
            let call = Call::Reserve {
                asks: places
                    .iter()
                    .filter_map(|&i| asks.get(i).cloned())
                    .collect(),
                limits,
                windows: self.budgets.windows,
                flight_ms: self.flight_ms,
                keep_ms: self.keep_ms,
            };
            let name = bucket_name(b);
            let reserved = self.object.ask::<Reserved>(&name, &call, self.timeout_ms);
            let got = match reserved.await {
                Ok(r) if r.answers.len() == places.len() => r.answers.into_iter().map(Ok).collect(),
                Ok(_) => failed(Failure::Failed, places.len()),
                Err(failure) => failed(failure, places.len()),
            };
            for (i, mut answer) in places.into_iter().zip(got) {
                if let Ok(Answer::Granted {
                    reservation: row, ..
                }) = &mut answer
                {
                    *row = reservation(b, *row);
                }
                if let Some(slot) = answers.get_mut(i) {
                    *slot = answer;
                }
            }
        }
        answers
    }

    /// The account's leave for the new invites the buckets granted; what it refuses (or
    /// cannot be asked about) is released in its bucket, so a refusal holds no mailbox.
    pub(super) async fn take(&self, asks: &[Ask], answers: &mut [Result<Answer, Failure>]) {
        let (new, takes): (Vec<usize>, Vec<Take>) = asks
            .iter()
            .zip(answers.iter())
            .enumerate()
            .filter_map(|(i, (ask, answer))| match answer {
                Ok(Answer::Granted {
                    settles: false,
                    at_ms,
                    ..
                }) => Some((
                    i,
                    Take {
                        position: ask.position.clone(),
                        at_ms: *at_ms,
                        mailbox: ask.mailbox.clone(),
                        spelling: ask.spelling.clone(),
                    },
                )),
                _ => None,
            })
            .unzip();
        let now = crate::clock::now_ms();
        // The first new invites spend this isolate's lease: granted as the bucket answered.
        let leased = lease::spend(u32::try_from(new.len()).unwrap_or(u32::MAX), now);
        let leased = usize::try_from(leased).unwrap_or(0);
        let (new, takes) = (new.get(leased..).unwrap_or_default(), takes.get(leased..));
        let takes = takes.unwrap_or_default().to_vec();
        let limits = self.budgets.limits.only(Budget::in_account);
        let size = lease::size(&limits);
        let refill = leased > 0 && lease::due(size, now);
        if new.is_empty() && !refill {
            return;
        }
        let closed = CLOSED
            .with(|c| c.borrow().clone())
            .filter(|(until, _)| now < *until);
        let taken: Vec<Result<Answer, Failure>> = match closed {
            // Refused for everyone until then: the account is not asked again meanwhile.
            Some((_, refusal)) => (0..new.len()).map(|_| Ok(refusal.clone())).collect(),
            None => {
                let deadline = now.saturating_add(u64::from(self.timeout_ms));
                let asking = (size > 0).then(|| lease::Asking::start(now, deadline));
                let asking = asking.flatten();
                if new.is_empty() && asking.is_none() {
                    return;
                }
                let call = Call::Take {
                    takes,
                    limits,
                    windows: self.budgets.windows,
                    keep_ms: self.keep_ms,
                    lease: if asking.is_some() { size } else { 0 },
                    give_back: lease::unused(now),
                };
                match self
                    .object
                    .ask::<Reserved>(ACCOUNT, &call, self.timeout_ms)
                    .await
                {
                    Ok(r) if r.answers.len() == new.len() => {
                        lease::keep(r.lease);
                        r.answers.into_iter().map(Ok).collect()
                    }
                    Ok(_) => failed(Failure::Failed, new.len()),
                    Err(failure) => failed(failure, new.len()),
                }
            }
        };
        if let Some(closing) = taken
            .iter()
            .filter_map(|t| t.as_ref().ok())
            .find_map(closes)
        {
            let (until, refusal) = closing;
            let until = until.min(now.saturating_add(CLOSED_AT_MOST_MS));
            CLOSED.with(|c| *c.borrow_mut() = Some((until, refusal)));
            lease::end(now);
        }
        let mut refused = Settlement::default();
        for (&i, verdict) in new.iter().zip(taken) {
            let Some(Ok(Answer::Granted {
                reservation,
                probing,
                ..
            })) = answers.get_mut(i)
            else {
                continue;
            };
            match verdict {
                Ok(Answer::Granted { probing: p, .. }) => *probing = p,
                other => {
                    refused.release.push(*reservation);
                    if let Some(slot) = answers.get_mut(i) {
                        *slot = other;
                    }
                }
            }
        }
        self.settle_buckets(refused).await;
    }

    /// Tells each bucket what became of its reservations; returns the released invites, for
    /// the account to give back.
    pub(super) async fn settle_buckets(&self, settlement: Settlement) -> Vec<(u64, String)> {
        let all = [
            &settlement.release,
            &settlement.unsettle,
            &settlement.confirm,
        ];
        let buckets: Vec<u64> = all
            .iter()
            .flat_map(|ids| ids.iter().map(|&id| row_of(id).0))
            .collect();
        let mut released = Vec::new();
        for b in distinct(&buckets) {
            let [release, unsettle, confirm] = all.map(|ids| {
                let rows = ids.iter().map(|&id| row_of(id));
                rows.filter(|&(of, _)| of == b)
                    .map(|(_, row)| row)
                    .collect()
            });
            let call = self.settle_call(release, unsettle, confirm, Vec::new(), false, false);
            let name = bucket_name(b);
            let settled = self.object.ask::<Settled>(&name, &call, self.timeout_ms);
            released.extend(settled.await.map(|s| s.released).unwrap_or_default());
        }
        released
    }

    pub(super) fn settle_call(
        &self,
        release: Vec<u64>,
        unsettle: Vec<u64>,
        confirm: Vec<u64>,
        give_back: Vec<(u64, String)>,
        quota_exhausted: bool,
        quota_back: bool,
    ) -> Call {
        Call::Settle {
            release,
            unsettle,
            confirm,
            give_back,
            quota_exhausted,
            quota_back,
            windows: self.budgets.windows,
            quota_retry_seconds: self.budgets.quota_retry_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reached(budget: Budget) -> Reached {
        Reached {
            budget,
            limit: 1,
            reopens_ms: 60_000,
            warn: true,
        }
    }

    #[test]
    fn only_a_refusal_for_everyone_is_remembered_and_without_its_warning() {
        let full = Answer::Parked {
            until_ms: 60_000,
            reached: vec![reached(Budget::AccountMinute), reached(Budget::AccountDay)],
        };
        let Some((until, Answer::Parked { reached: quiet, .. })) = closes(&full) else {
            panic!()
        };
        assert_eq!(until, 60_000);
        assert!(
            quiet.iter().all(|r| !r.warn),
            "one warning per window, already logged"
        );
        let held = Answer::QuotaHeld {
            until_ms: 9,
            warn: true,
        };
        assert!(matches!(
            closes(&held),
            Some((9, Answer::QuotaHeld { warn: false, .. }))
        ));
        // A mailbox's budget refuses only its own applications.
        let mailbox = Answer::Parked {
            until_ms: 60_000,
            reached: vec![reached(Budget::EmailDay), reached(Budget::AccountDay)],
        };
        assert_eq!(closes(&mailbox), None);
        assert_eq!(closes(&Answer::Resubmission), None);
    }
}
