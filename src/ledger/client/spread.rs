//! Which instance each call goes to: the mailbox's bucket for uniqueness, the call in flight
//! and the mailbox's day; the account (through this isolate's lease) for its budgets and the
//! quota.

use super::*;

impl LedgerClient {
    /// Each bucket's answers, in the asks' order (a bucket's failure for each of its asks).
    pub(super) async fn reserve(&self, asks: &[Ask]) -> Vec<Answered> {
        let mut answers = failed(Failure::Failed, asks.len());
        let buckets: Vec<u64> = asks.iter().map(|ask| bucket(&ask.mailbox)).collect();
        let limits = self.budgets.limits.only(|b| !b.in_account());
        for b in distinct(&buckets) {
            let (places, mine): (Vec<usize>, Vec<Ask>) = (asks.iter().enumerate())
                .filter(|(i, _)| buckets.get(*i) == Some(&b))
                .map(|(i, ask)| (i, ask.clone()))
                .unzip();
            let call = Call::Reserve {
                asks: mine,
                limits,
                windows: self.budgets.windows,
                flight_ms: self.flight_ms,
                keep_ms: self.keep_ms,
            };
            let (replies, _) = self.answers(&bucket_name(b), &call, places.len()).await;
            for (i, mut answer) in places.into_iter().zip(replies) {
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
    pub(super) async fn take(&self, asks: &[Ask], answers: &mut [Answered]) {
        let mut new = Vec::new();
        for (i, (ask, answer)) in asks.iter().zip(answers.iter()).enumerate() {
            if let &Ok(Answer::Granted {
                settles: false,
                at_ms,
                ..
            }) = answer
            {
                new.push((
                    i,
                    Ask {
                        at_ms,
                        ..ask.clone()
                    },
                ));
            }
        }
        let now = now_ms();
        // The first new invites spend this isolate's lease: granted as the bucket answered.
        let leased = lease::spend(u32::try_from(new.len()).unwrap_or(u32::MAX), now);
        let (new, takes): (Vec<usize>, Vec<Ask>) = (new.into_iter())
            .skip(usize::try_from(leased).unwrap_or(usize::MAX))
            .unzip();
        let limits = self.budgets.limits.only(Budget::in_account);
        let size = lease::size(&limits);
        let refill = leased > 0 && lease::due(size, now);
        if new.is_empty() && !refill {
            return;
        }
        let closed = CLOSED
            .with(|c| c.borrow().clone())
            .filter(|(until, _)| now < *until);
        let taken = match closed {
            // Refused for everyone until then: the account is not asked again meanwhile.
            Some((_, refusal)) => (0..new.len()).map(|_| Ok(refusal.clone())).collect(),
            None => {
                let deadline = now.saturating_add(u64::from(self.timeout_ms));
                let asking = (size > 0)
                    .then(|| lease::Asking::start(now, deadline))
                    .flatten();
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
                let (taken, lease) = self.answers(ACCOUNT, &call, new.len()).await;
                lease::keep(lease);
                taken
            }
        };
        if let Some((until, refusal)) = taken.iter().flatten().find_map(closes) {
            let until = until.min(now.saturating_add(CLOSED_AT_MOST_MS));
            CLOSED.with(|c| *c.borrow_mut() = Some((until, refusal)));
            lease::end(now);
        }
        let mut refused = Settlement::default();
        for (&i, verdict) in new.iter().zip(taken) {
            let Some(slot) = answers.get_mut(i) else {
                continue;
            };
            match (&mut *slot, verdict) {
                (Ok(Answer::Granted { probing, .. }), Ok(Answer::Granted { probing: p, .. })) => {
                    *probing = p
                }
                (&mut Ok(Answer::Granted { reservation, .. }), other) => {
                    refused.release.push(reservation);
                    *slot = other;
                }
                _ => {}
            }
        }
        self.settle_buckets(refused).await;
    }

    /// Returns the released invites, for the account to give back.
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
            let rows = Settlement {
                release,
                unsettle,
                confirm,
                ..Settlement::default()
            };
            let call = self.settle_call(rows, Vec::new());
            let settled = self.ask::<Settled>(&bucket_name(b), &call).await;
            released.extend(settled.map(|s| s.released).unwrap_or_default());
        }
        released
    }

    pub(super) fn settle_call(&self, s: Settlement, give_back: Vec<(u64, String)>) -> Call {
        Call::Settle {
            release: s.release,
            unsettle: s.unsettle,
            confirm: s.confirm,
            give_back,
            quota_exhausted: s.quota_exhausted,
            quota_back: s.quota_back,
            windows: self.budgets.windows,
            quota_retry_seconds: self.budgets.quota_retry_seconds,
        }
    }
}
