//! Which instance each call goes to: the mailbox's bucket for uniqueness, the mailbox's day
//! and the call in flight; the account for its budgets and the quota. A new invite costs one
//! call to each; whatever the account refuses is released in its bucket at once.

use super::budget::Budget;
use super::client::{LedgerClient, ACCOUNT};
use super::gate::Aftermath;
use super::mailbox::{bucket, reservation, row_of};
use super::protocol::{Answer, Ask, Call, Reserved, Settled, Take};
use crate::objects::Failure;

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
        if new.is_empty() {
            return;
        }
        let call = Call::Take {
            takes,
            limits: self.budgets.limits.only(Budget::in_account),
            windows: self.budgets.windows,
            keep_ms: self.keep_ms,
        };
        let taken = match self
            .object
            .ask::<Reserved>(ACCOUNT, &call, self.timeout_ms)
            .await
        {
            Ok(r) if r.answers.len() == new.len() => r.answers.into_iter().map(Ok).collect(),
            Ok(_) => failed(Failure::Failed, new.len()),
            Err(failure) => failed(failure, new.len()),
        };
        let mut refused = Aftermath::default();
        for (i, verdict) in new.into_iter().zip(taken) {
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
    pub(super) async fn settle_buckets(&self, after: Aftermath) -> Vec<(u64, String)> {
        let all = [&after.release, &after.unsettle, &after.confirm];
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
