//! The viral hour, simulated natively and deterministically from the waiting room's own rules
//! (`cargo run --example surge`): who is invited when, what each candidate was told, and how
//! many requests each Durable Object and Hireflix get per second. README "A viral job ad".
//!
//! The model of the platform, kept simple on purpose:
//! - a post first checks its isolate's cached `Paused` (no object call while it holds); else it
//!   asks its mailbox bucket (one of `BUCKETS`, by the mailbox HMAC) and then the position line;
//! - an invite (a `Go`, or a release by the line's alarm) is one more bucket call (the confirm),
//!   one Hireflix call, and, every `LEASE` invites, one call to the account object for a lease;
//! - a resubmission of an invited candidate is a KV hit (no object); of a waiting one, it asks
//!   the line again and is shown the same place; of a paused one, it is a new post;
//! - each post lands on one of `ISOLATES` isolates at random.

use std::collections::{HashMap, VecDeque};

mod line_rules {
    //! STAND-IN for `hireflix_apply::line::rules` until the `line` branch lands.
    pub enum Answer {
        Go,
        Waiting { place: u32, expected_by_ms: u64 },
        Paused { retry_after_s: u32 },
    }
    pub struct Rules {
        pub interval_ms: u64,
        pub max_waiting: u32,
        pub max_wait_ms: u64,
    }
    impl Rules {
        /// `next_ms`: the next release slot; `waiting`: how many are in line now.
        pub fn answer(&self, next_ms: u64, waiting: u32, now_ms: u64) -> Answer {
            if waiting == 0 && next_ms <= now_ms {
                return Answer::Go;
            }
            let expected_by_ms = next_ms.max(now_ms) + u64::from(waiting) * self.interval_ms;
            if waiting >= self.max_waiting || expected_by_ms - now_ms > self.max_wait_ms {
                let over = (expected_by_ms - now_ms).saturating_sub(self.max_wait_ms);
                let s = over.max(self.interval_ms).div_ceil(1_000);
                return Answer::Paused { retry_after_s: u32::try_from(s).unwrap_or(u32::MAX) };
            }
            Answer::Waiting { place: waiting + 1, expected_by_ms }
        }
    }
}
use line_rules::{Answer, Rules};

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
/// 2026-02-14T10:00Z: mid-month, so the calendar month does not turn during the run.
const START: u64 = 1_771_063_200_000;
/// Objects by number: the line, the account, Hireflix (not an object, counted alike), buckets.
const LINE: u64 = 0;
const ACCOUNT: u64 = 1;
const HIREFLIX: u64 = 2;
const BUCKETS: u64 = 64;
fn bucket(who: u32) -> u64 {
    3 + u64::from(who).wrapping_mul(0x9E37_79B9) % BUCKETS
}
const ISOLATES: u64 = 200;
/// Invites per account lease.
const LEASE: u32 = 10;
/// How long an isolate trusts a `Paused` answer at most.
const PAUSED_CACHE_MS: u64 = 10 * SECOND;

/// splitmix64 with a fixed seed: the same table on every run, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// Who posts when: `candidates` first posts, `peak_share` of them in `peak` (start, length),
/// the rest spread over `span_ms`; `resubmit` of them post again, a third of those as a double
/// click (under a second), the rest coming back within half an hour.
pub struct Load {
    pub candidates: u32,
    pub span_ms: u64,
    pub peak: (u64, u64),
    pub peak_share: f64,
    pub resubmit: f64,
}

fn posts(load: &Load, rng: &mut Rng) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    for who in 0..load.candidates {
        let (start, len) = load.peak;
        let at = if rng.chance(load.peak_share) {
            rng.between(start, start + len)
        } else {
            rng.between(0, load.span_ms)
        };
        out.push((START + at, who));
        if rng.chance(load.resubmit) {
            let later = if rng.chance(1.0 / 3.0) { rng.between(100, SECOND) } else { rng.between(MINUTE, 30 * MINUTE) };
            out.push((START + at + later, who));
        }
    }
    out.sort_unstable();
    out
}

/// The shipped budgets and line caps (wrangler.toml, src/ledger/budget.rs, the line's defaults).
pub struct Budgets {
    pub position_hour: u32,
    pub account_minute: u32,
    pub account_day: u32,
    pub account_month: u32,
    pub max_waiting: u32,
    pub max_wait_hours: u64,
}
pub const SHIPPED: Budgets = Budgets {
    position_hour: 100,
    account_minute: 10,
    account_day: 50,
    account_month: 200,
    max_waiting: 1_000,
    max_wait_hours: 72,
};

#[derive(Clone, Copy, PartialEq)]
enum Told {
    Nothing,
    Waiting { expected_by_ms: u64 },
    Paused,
}

#[derive(Default)]
pub struct Outcome {
    pub posts: usize,
    /// (candidate, when given a place or Go, invited at), in the order invites went out.
    pub invites: Vec<(u32, u64, u64)>,
    pub told_waiting: u32,
    pub truthful: u32,
    pub paused: u32,
    pub retry_after_s: (u32, u32),
    pub dead_letters: u32,
    pub max_in_line: u32,
    /// Requests in each second, per object (see `Object`).
    pub per_second: HashMap<(u64, u64), u32>,
    pub interval_ms: u64,
}

impl Outcome {
    fn count(&mut self, object: u64, at: u64) {
        *self.per_second.entry((object, at / SECOND)).or_default() += 1;
    }
    /// The busiest second of any object in `objects`.
    pub fn peak(&self, objects: std::ops::Range<u64>) -> u32 {
        let busy = self.per_second.iter().filter(|((o, _), _)| objects.contains(o));
        busy.map(|(_, &n)| n).max().unwrap_or(0)
    }
}

/// The account's budgets, counted in their windows; a lease is granted only within all of them.
struct Account<'a> {
    b: &'a Budgets,
    used: HashMap<(u8, u64), u32>,
    lease: u32,
}
impl Account<'_> {
    /// Room for one invite at `now`, or the time the first full window reopens.
    fn take(&mut self, now: u64, out: &mut Outcome) -> Result<(), u64> {
        let windows = [(0, MINUTE, self.b.account_minute), (1, DAY, self.b.account_day), (2, 30 * DAY, self.b.account_month)];
        for (k, len, limit) in windows {
            if limit > 0 && self.used.get(&(k, now / len)).copied().unwrap_or(0) >= limit {
                return Err((now / len + 1) * len);
            }
        }
        if self.lease == 0 {
            out.count(ACCOUNT, now);
            self.lease = LEASE;
        }
        self.lease -= 1;
        for (k, len, _) in windows {
            *self.used.entry((k, now / len)).or_default() += 1;
        }
        Ok(())
    }
}

pub fn simulate(load: &Load, b: &Budgets, seed: u64) -> Outcome {
    let mut rng = Rng(seed);
    let arrivals = posts(load, &mut rng);
    let interval_ms = HOUR / u64::from(b.position_hour.max(1));
    let rules = Rules { interval_ms, max_waiting: b.max_waiting, max_wait_ms: b.max_wait_hours * HOUR };
    let mut out = Outcome { posts: arrivals.len(), interval_ms, retry_after_s: (u32::MAX, 0), ..Outcome::default() };
    let mut account = Account { b, used: HashMap::new(), lease: 0 };
    let mut told = vec![Told::Nothing; load.candidates as usize];
    let mut invited = vec![false; load.candidates as usize];
    let mut placed = vec![0u64; load.candidates as usize];
    let mut line: VecDeque<u32> = VecDeque::new();
    let mut paused_until = vec![0u64; ISOLATES as usize];
    let mut next_ms = START;
    let invite = |who: u32, now: u64, out: &mut Outcome, invited: &mut [bool], placed: &[u64]| {
        out.count(bucket(who), now);
        out.count(HIREFLIX, now);
        invited[who as usize] = true;
        out.invites.push((who, placed[who as usize], now));
    };
    let mut posts = arrivals.into_iter().peekable();
    loop {
        let alarm = (!line.is_empty()).then_some(next_ms);
        let post_at = posts.peek().map(|p| p.0);
        let (now, is_alarm) = match (post_at, alarm) {
            (Some(p), Some(a)) if a < p => (a, true),
            (Some(p), _) => (p, false),
            (None, Some(a)) => (a, true),
            (None, None) => break,
        };
        if is_alarm {
            out.count(LINE, now);
            // Those who waited past the maximum are dead letters, never invited late.
            while let Some(&who) = line.front() {
                if now - placed[who as usize] <= b.max_wait_hours * HOUR { break; }
                line.pop_front();
                out.dead_letters += 1;
            }
            match account.take(now, &mut out) {
                Err(reopens) => next_ms = reopens,
                Ok(()) => {
                    if let Some(who) = line.pop_front() { invite(who, now, &mut out, &mut invited, &placed); }
                    next_ms = now + interval_ms;
                }
            }
            continue;
        }
        let Some((_, who)) = posts.next() else { break };
        let w = who as usize;
        if invited[w] {
            continue; // KV knows the interview
        }
        let isolate = rng.between(0, ISOLATES) as usize;
        if !matches!(told[w], Told::Waiting { .. }) && paused_until[isolate] > now {
            told[w] = Told::Paused;
            continue;
        }
        out.count(bucket(who), now);
        out.count(LINE, now);
        if matches!(told[w], Told::Waiting { .. }) {
            continue; // the same place, shown again
        }
        let waiting = u32::try_from(line.len()).unwrap_or(u32::MAX);
        placed[w] = now;
        match rules.answer(next_ms, waiting, now) {
            Answer::Go => match account.take(now, &mut out) {
                Ok(()) => {
                    next_ms = now + interval_ms;
                    invite(who, now, &mut out, &mut invited, &placed);
                }
                Err(reopens) => {
                    next_ms = reopens;
                    line.push_back(who);
                    told[w] = Told::Waiting { expected_by_ms: reopens };
                    out.told_waiting += 1;
                }
            },
            Answer::Waiting { place, expected_by_ms } => {
                line.push_back(who);
                told[w] = Told::Waiting { expected_by_ms };
                out.told_waiting += 1;
                out.max_in_line = out.max_in_line.max(place);
            }
            Answer::Paused { retry_after_s } => {
                told[w] = Told::Paused;
                paused_until[isolate] = now + (u64::from(retry_after_s) * SECOND).min(PAUSED_CACHE_MS);
                out.retry_after_s = (out.retry_after_s.0.min(retry_after_s), out.retry_after_s.1.max(retry_after_s));
            }
        }
    }
    for &(who, _, at) in &out.invites {
        if let Told::Waiting { expected_by_ms } = told[who as usize] {
            out.truthful += u32::from(at <= expected_by_ms + interval_ms);
        }
    }
    out.paused = told.iter().zip(&invited).filter(|(t, i)| **t == Told::Paused && !**i).count() as u32;
    out
}

fn main() {
    let hour = Load { candidates: 50_000, span_ms: HOUR, peak: (10 * MINUTE, 5 * MINUTE), peak_share: 0.92, resubmit: 0.3 };
    let target = Load { candidates: 600_000, span_ms: 10 * MINUTE, peak: (0, 0), peak_share: 0.0, resubmit: 0.0 };
    let unbounded = Budgets { account_minute: 0, account_day: 0, account_month: 0, ..SHIPPED };
    let runs = [
        ("viral hour, shipped", simulate(&hour, &SHIPPED, 17)),
        ("viral hour, account budgets 0", simulate(&hour, &unbounded, 17)),
        ("1,000/s for 10 min", simulate(&target, &unbounded, 17)),
    ];
    let hours = |ms: u64| format!("{:.1} h", ms as f64 / HOUR as f64);
    let row = |what: &str, f: &dyn Fn(&Outcome) -> String| {
        let cells: Vec<String> = runs.iter().map(|(_, o)| f(o)).collect();
        println!("| {what} | {} |", cells.join(" | "));
    };
    let names: Vec<&str> = runs.iter().map(|r| r.0).collect();
    println!("| | {} |\n|---|---|---|---|", names.join(" | "));
    row("posts", &|o| o.posts.to_string());
    row("invited", &|o| o.invites.len().to_string());
    row("drained after", &|o| hours(o.invites.last().map_or(0, |i| i.2 - START)));
    row("longest wait", &|o| hours(o.invites.iter().map(|i| i.2 - i.1).max().unwrap_or(0)));
    row("told a place (most in line)", &|o| format!("{} ({})", o.told_waiting, o.max_in_line));
    row("invited by expectedBy + 1 interval", &|o| o.truthful.to_string());
    row("dead letters (waited > 72 h)", &|o| o.dead_letters.to_string());
    row("told paused (retry after, s)", &|o| format!("{} ({}-{})", o.paused, o.retry_after_s.0, o.retry_after_s.1));
    row("peak req/s: position line", &|o| o.peak(LINE..LINE + 1).to_string());
    row("peak req/s: one mailbox bucket", &|o| o.peak(3..3 + BUCKETS).to_string());
    row("peak req/s: account", &|o| o.peak(ACCOUNT..ACCOUNT + 1).to_string());
    row("peak calls/s: Hireflix", &|o| o.peak(HIREFLIX..HIREFLIX + 1).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Invites go out in order of first post, no window holds more than its budget, and
    /// nobody is invited twice.
    #[test]
    fn fifo_capped_and_once() {
        let load = Load { candidates: 5_000, span_ms: HOUR, peak: (0, 5 * MINUTE), peak_share: 0.9, resubmit: 0.3 };
        let o = simulate(&load, &SHIPPED, 1);
        assert!(o.invites.windows(2).all(|w| w[0].1 <= w[1].1 || w[1].1 == w[1].2), "FIFO");
        let mut seen = std::collections::HashSet::new();
        assert!(o.invites.iter().all(|i| seen.insert(i.0)), "invited twice");
        assert!(o.max_in_line <= SHIPPED.max_waiting);
        let per_day = o.invites.iter().fold(HashMap::new(), |mut m, i| { *m.entry(i.2 / DAY).or_insert(0) += 1; m });
        assert!(per_day.values().all(|&n| n <= SHIPPED.account_day));
    }
}
