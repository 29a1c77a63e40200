//! The waiting room: one Durable Object per position (`PositionLine`) holds the applications
//! over any budget in order of arrival and releases them by alarm at the budgets' pace onto the
//! invite queue (`rules`). Asked before the ledger for any application not yet admitted.
//! Each isolate remembers a paused answer per position until its retry time and gives it
//! without asking: at 1,000 posts a second to a paused position, the object hears from each
//! isolate about once per pause, not once per post.

mod object;
pub mod rules;

pub use object::PositionLine;

use crate::apply::QueuedInvite;
use crate::clock::now_ms;
use crate::config::{names, Config};
use crate::domain::{Email, PositionId};
use crate::ledger::{Budgets, MailboxKeys};
use crate::objects;
use rules::{seconds_until, Admission, Admit, Forget, Settings};
use std::cell::RefCell;
use worker::{Env, ObjectNamespace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `INVITES_PER_POSITION_PER_HOUR`; 0: no limit, no line.
    pub per_hour: u32,
    pub max_waiting: u32,
    pub max_wait_hours: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_hour: 100,
            max_waiting: 1_000,
            max_wait_hours: 72,
        }
    }
}

impl Limits {
    /// A test's short "hour" shortens the longest wait with it.
    pub fn settings(&self, budgets: &Budgets) -> rules::Settings {
        let (account, windows) = (&budgets.limits, budgets.windows);
        rules::Settings {
            limits: [
                self.per_hour,
                account.account_minute,
                account.account_day,
                account.account_month,
            ],
            windows,
            max_waiting: self.max_waiting,
            max_wait_ms: windows
                .hour_ms()
                .saturating_mul(u64::from(self.max_wait_hours)),
        }
    }

    /// How long after its post the invite consumer may still invite an application: an hour
    /// more than `MAX_WAIT_HOURS`, for the places promised at the edge. Later is set aside.
    pub fn longest_wait_ms(&self, budgets: &Budgets) -> u64 {
        let hour_ms = budgets.windows.hour_ms();
        self.settings(budgets).max_wait_ms.saturating_add(hour_ms)
    }
}

/// The line as the invite transaction sees it (fakes in native tests).
#[allow(async_fn_in_trait)]
pub trait Lines {
    /// `None`: the line could not be asked; the application is queued unadmitted.
    async fn admit(
        &self,
        position: &PositionId,
        email: &Email,
        invite: &QueuedInvite,
    ) -> Option<Admission>;
}

/// Slower than this, the application is queued unadmitted (the consumer asks again).
const TIMEOUT_MS: u32 = 2_000;

/// Past it, the pause soonest to end is forgotten.
const PAUSES_KEPT: usize = 64;

thread_local! {
    static PAUSED: RefCell<Vec<(String, u64)>> = const { RefCell::new(Vec::new()) };
}

pub struct LineClient {
    /// `None` without the binding: every application is then queued unadmitted.
    namespace: Option<ObjectNamespace>,
    secret: String,
    settings: Settings,
}

impl LineClient {
    pub fn connect(env: &Env, config: &Config) -> LineClient {
        LineClient {
            namespace: env.durable_object(names::POSITION_LINE).ok(),
            secret: config.app_secret.to_string(),
            settings: config.line.settings(&config.budgets),
        }
    }

    /// Erasure: the address typed in each waiting entry that went (none or one).
    pub async fn forget(&self, position: &PositionId, email: &Email) -> Option<Vec<String>> {
        let Some(namespace) = &self.namespace else {
            return Some(Vec::new());
        };
        let call = Forget {
            forget: MailboxKeys::new(&self.secret, email).mailbox,
        };
        let asked = objects::ask_as(namespace, position.as_str(), &call, TIMEOUT_MS);
        asked.await.ok()
    }
}

impl Lines for LineClient {
    async fn admit(
        &self,
        position: &PositionId,
        email: &Email,
        invite: &QueuedInvite,
    ) -> Option<Admission> {
        if !self.settings.lined() {
            return Some(Admission::Go);
        }
        let now = now_ms();
        if let Some(until) = paused_until(position.as_str(), now) {
            return Some(Admission::Paused {
                retry_after_s: seconds_until(until, now),
            });
        }
        let call = Admit {
            mailbox: MailboxKeys::new(&self.secret, email).mailbox,
            body: QueuedInvite {
                admitted: true,
                ..invite.clone()
            },
            settings: self.settings,
        };
        let namespace = self.namespace.as_ref()?;
        let asked = objects::ask_as(namespace, position.as_str(), &call, TIMEOUT_MS);
        let admission = asked.await.ok()?;
        if let Admission::Paused { retry_after_s } = admission {
            let until = now.saturating_add(u64::from(retry_after_s) * 1_000);
            remember_pause(position.as_str(), jittered(until, now), now);
        }
        Some(admission)
    }
}

/// A pause ends up to a tenth of its length (at most 5 s) later, by the millisecond each
/// isolate heard it, so the isolates do not all come back in one second.
fn jittered(until: u64, now: u64) -> u64 {
    let spread = (until.saturating_sub(now) / 10).clamp(1, 5_000);
    until.saturating_add(now % spread)
}

fn paused_until(position: &str, now: u64) -> Option<u64> {
    PAUSED.with(|paused| {
        let paused = paused.try_borrow().ok()?;
        let &(_, until) = paused.iter().find(|(p, _)| p == position)?;
        (until > now).then_some(until)
    })
}

fn remember_pause(position: &str, until: u64, now: u64) {
    PAUSED.with(|paused| {
        if let Ok(mut paused) = paused.try_borrow_mut() {
            paused.retain(|(p, u)| *u > now && p != position);
            let soonest = (0..paused.len()).min_by_key(|&i| paused.get(i).map(|e| e.1));
            if let Some(i) = soonest.filter(|_| paused.len() >= PAUSES_KEPT) {
                paused.swap_remove(i);
            }
            paused.push((position.to_string(), until));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::window::Windows;

    #[test]
    fn the_consumer_invites_up_to_an_hour_past_the_longest_wait_in_real_or_test_hours() {
        let budgets = Budgets::default();
        let hour = 3_600_000;
        assert_eq!(Limits::default().longest_wait_ms(&budgets), 73 * hour);
        // The line sets aside what it could not release well before the consumer would.
        let line = Limits::default().settings(&budgets);
        assert_eq!(rules::aside_after(0, &line), 72 * hour + hour / 2);
        let short = Budgets {
            windows: Windows {
                hour_seconds: 2,
                day_seconds: 600,
                month_seconds: 6_000,
            },
            ..budgets
        };
        let one_hour = Limits {
            max_wait_hours: 1,
            ..Limits::default()
        };
        assert_eq!(one_hour.longest_wait_ms(&short), 4_000);
    }

    #[test]
    fn a_pause_is_remembered_until_it_ends_for_a_bounded_number_of_positions() {
        remember_pause("a", 2_000, 1_000);
        assert_eq!(paused_until("a", 1_500), Some(2_000));
        assert_eq!(paused_until("a", 2_000), None);
        assert_eq!(paused_until("b", 1_500), None);
        for i in 0..200 {
            remember_pause(&format!("p{i}"), 5_000 + i, 1_000);
        }
        PAUSED.with(|p| assert_eq!(p.borrow().len(), PAUSES_KEPT));
        assert_eq!(
            paused_until("p199", 1_000),
            Some(5_199),
            "the newest is kept"
        );
    }

    #[test]
    fn isolates_that_heard_one_pause_at_different_times_come_back_spread_out() {
        let ends: std::collections::BTreeSet<u64> =
            (0..100).map(|ms| jittered(60_000, ms * 7)).collect();
        assert!(ends.len() > 50, "{ends:?}");
        assert!(ends.iter().all(|&end| (60_000..=66_000).contains(&end)));
        assert_eq!(jittered(1_000_000_000, 0), 1_000_000_000);
        assert_eq!(jittered(5, 10), 5, "a pause already over stays over");
    }
}
