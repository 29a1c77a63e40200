//! The viral hour, simulated natively and deterministically from the waiting room's own rules
//! (`hireflix_apply::line::rules`, as the `PositionLine` object runs them): who is invited
//! when, what each candidate was told, and how many requests each Durable Object and Hireflix
//! get per second. `cargo run --example surge`; the README's "A viral job ad" shows the table.
//!
//! The platform, modelled simply:
//! - each post lands on one of `ISOLATES` isolates at random; an isolate that was told
//!   `Paused` answers so itself until the retry time, else the post asks the line;
//! - an invite (a `Go`, or a release at the line's alarm) asks its mailbox bucket twice
//!   (reserve, settle), the Hireflix pace once, Hireflix once (at the pace's next slot), and
//!   the account object once per `LEASE` invites (1: src/ledger/lease.rs leases none under a
//!   limit of 20, as with the shipped 10 a minute; 16 with no account budget), within its
//!   minute, day and month;
//! - a resubmission of an invited or waiting candidate is a KV hit (no object; the waiting
//!   hear their place again); of a paused one, it is a new post;
//! - an alarm is one request to the line; when the account refuses, the line waits for it.

use hireflix_apply::line::rules::{
    admit, next_release, waited_too_long, Admission, Line, Settings, Span, Windows,
};
use std::collections::{HashMap, VecDeque};

const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
/// 2026-02-14T10:00Z: mid-month, so the month does not turn within the run.
const START: u64 = 1_771_063_200_000;
/// Isolates the posts are spread over; mailbox buckets (src/ledger/mailbox.rs); invites per
/// account call; one Hireflix call per 200 ms (HIREFLIX_MAX_CALLS_PER_SECOND = 5, as shipped).
const ISOLATES: usize = 200;
const BUCKETS: u64 = 64;
const LEASE: u32 = 1;
const PACE_MS: u64 = 200;
/// Objects as counted: these four, then the buckets.
const LINE: u64 = 0;
const ACCOUNT: u64 = 1;
const PACE: u64 = 2;
const HIREFLIX: u64 = 3;

/// splitmix64 with a fixed seed: the same table on every run, and no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
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
        let at = START
            + match rng.chance(load.peak_share) {
                true => rng.between(start, start + len),
                false => rng.between(0, load.span_ms),
            };
        out.push((at, who));
        if rng.chance(load.resubmit) {
            let double_click = rng.chance(1.0 / 3.0);
            let (lo, hi) = if double_click {
                (100, SECOND)
            } else {
                (MINUTE, 30 * MINUTE)
            };
            out.push((at + rng.between(lo, hi), who));
        }
    }
    out.sort_unstable();
    out
}

/// The budgets (wrangler.toml's values; the line's caps are its defaults).
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
/// The account's budgets off: the line's own budget alone.
pub const UNBOUNDED: Budgets = Budgets {
    account_minute: 0,
    account_day: 0,
    account_month: 0,
    ..SHIPPED
};

#[derive(Default)]
pub struct Outcome {
    /// (candidate, placed at, invited at), in the order invites went out.
    pub invites: Vec<(u32, u64, u64)>,
    pub told_waiting: u32,
    /// Of those told a place, invited by its `expectedBy` plus one release interval.
    pub truthful: u32,
    pub paused: u32,
    pub retry_after_s: (u32, u32),
    pub dead_letters: u32,
    pub max_in_line: u32,
    /// When the line first reached its cap (0: never).
    pub full_at: u64,
    /// Requests per (object, second).
    pub per_second: HashMap<(u64, u64), u32>,
}

impl Outcome {
    fn count(&mut self, object: u64, at: u64) {
        *self.per_second.entry((object, at / SECOND)).or_default() += 1;
    }
    /// The busiest second, from `from_ms` on, of any object in `objects`.
    fn peak(&self, objects: std::ops::RangeInclusive<u64>, from_ms: u64) -> String {
        let from = from_ms / SECOND;
        let busy = self
            .per_second
            .iter()
            .filter(|((o, s), _)| objects.contains(o) && *s >= from);
        busy.map(|(_, &n)| n).max().unwrap_or(0).to_string()
    }
    fn cells(&self) -> [String; 7] {
        let hours = |ms: u64| format!("{:.1} h", ms as f64 / HOUR as f64);
        let drained = hours(self.invites.last().map_or(0, |i| i.2 - START));
        let longest = self.invites.iter().map(|i| i.2 - i.1).max().unwrap_or(0);
        let (paused, (min, max)) = (self.paused, self.retry_after_s);
        let line = self.peak(LINE..=LINE, 0);
        let once_full = self.peak(LINE..=LINE, self.full_at.max(1) + SECOND);
        let buckets = self.peak(HIREFLIX + 1..=u64::MAX, 0);
        let (account, pace) = (self.peak(ACCOUNT..=ACCOUNT, 0), self.peak(PACE..=PACE, 0));
        [
            format!("{} ({drained}, {})", self.invites.len(), hours(longest)),
            format!("{} / {}", self.told_waiting, self.truthful),
            self.dead_letters.to_string(),
            match (seconds(min), seconds(max)) {
                (min, max) if min == max => format!("{paused} ({min})"),
                (min, max) => format!("{paused} ({min}-{max})"),
            },
            format!("{line} ({once_full})"),
            format!("{buckets} / {account} / {pace}"),
            self.peak(HIREFLIX..=HIREFLIX, 0),
        ]
    }
}

/// Seconds, or days past one.
fn seconds(s: u32) -> String {
    match s < 86_400 {
        true => format!("{s} s"),
        false => format!("{:.1} d", f64::from(s) / 86_400.0),
    }
}

const ROWS: [&str; 7] = [
    "invited (all done after, longest wait)",
    "told a place / invited by it (+1 interval)",
    "dead letters (waited > 72 h)",
    "told paused (retry after)",
    "peak req/s: position line (once full)",
    "peak req/s: a mailbox bucket / account / pace",
    "peak calls/s: Hireflix",
];

/// The line's object and everything around it.
struct Sim<'a> {
    b: &'a Budgets,
    s: Settings,
    out: Outcome,
    line: Line,
    /// (candidate, placed at), first in line first.
    queue: VecDeque<(u32, u64)>,
    /// No release before this: the account refused a lease until then.
    blocked: u64,
    expected: Vec<Option<u64>>,
    told_paused: Vec<bool>,
    invited: Vec<bool>,
    paused_until: [u64; ISOLATES],
    account: HashMap<(u64, u64), u32>,
    lease: u32,
    pace: u64,
}

impl Sim<'_> {
    /// One invite from the account's budgets, or when the first full window reopens.
    fn take(&mut self, now: u64) -> Result<(), u64> {
        let b = self.b;
        let windows = [
            (Span::Minute, b.account_minute),
            (Span::Day, b.account_day),
            (Span::Month, b.account_month),
        ]
        .map(|(span, limit)| (Windows::REAL.bounds(span, now), limit));
        for (w, limit) in windows {
            let key = (w.end_ms - w.start_ms, w.start_ms);
            if limit > 0 && self.account.get(&key).copied().unwrap_or(0) >= limit {
                return Err(w.end_ms);
            }
        }
        if self.lease == 0 {
            self.out.count(ACCOUNT, now);
            self.lease = LEASE;
        }
        self.lease -= 1;
        for (w, _) in windows {
            *self
                .account
                .entry((w.end_ms - w.start_ms, w.start_ms))
                .or_default() += 1;
        }
        Ok(())
    }

    fn invite(&mut self, who: u32, placed: u64, now: u64) {
        let at = now.max(self.pace);
        self.pace = at + PACE_MS;
        let bucket = HIREFLIX + 1 + u64::from(who).wrapping_mul(0x9E37_79B9) % BUCKETS;
        for object in [bucket, bucket, PACE] {
            self.out.count(object, now);
        }
        self.out.count(HIREFLIX, at);
        self.invited[who as usize] = true;
        if let Some(expected) = self.expected[who as usize] {
            self.out.truthful += u32::from(at <= expected + self.s.interval_ms());
        }
        self.out.invites.push((who, placed, at));
    }

    fn wait(&mut self, who: u32, now: u64, expected: u64) {
        self.queue.push_back((who, now));
        self.line.waiting += 1;
        self.expected[who as usize] = Some(expected);
        self.out.told_waiting += 1;
        self.out.max_in_line = self.out.max_in_line.max(self.line.waiting);
        if self.line.waiting == self.b.max_waiting && self.out.full_at == 0 {
            self.out.full_at = now;
        }
    }

    fn alarm(&mut self, now: u64) {
        self.out.count(LINE, now);
        // Who waited past the maximum is set aside as a dead letter, never invited late.
        while (self.queue.front()).is_some_and(|e| waited_too_long(e.1, &self.s, now)) {
            self.queue.pop_front();
            self.line.waiting -= 1;
            self.out.dead_letters += 1;
        }
        let Some(&(who, placed)) = self.queue.front() else {
            return;
        };
        match self.take(now) {
            Err(reopens) => self.blocked = reopens,
            Ok(()) => {
                self.queue.pop_front();
                self.line.waiting -= 1;
                self.line.count();
                self.invite(who, placed, now);
            }
        }
    }

    fn post(&mut self, who: u32, isolate: usize, now: u64) {
        let w = who as usize;
        if self.invited[w] {
            return; // KV knows the interview
        }
        if self.expected[w].is_some() {
            return; // KV shows the same place again
        }
        if self.paused_until[isolate] > now {
            self.told_paused[w] = true;
            return;
        }
        self.out.count(LINE, now);
        match admit(self.line, &self.s, now, now) {
            Admission::Go => match self.take(now) {
                Ok(()) => {
                    self.line.count();
                    self.invite(who, now, now);
                }
                // Let through by the line, held by the account: first in line.
                Err(reopens) => {
                    self.blocked = reopens;
                    self.wait(who, now, reopens);
                }
            },
            Admission::Wait { expected_by_ms, .. } => self.wait(who, now, expected_by_ms),
            Admission::Paused { retry_after_s } => {
                self.told_paused[w] = true;
                self.paused_until[isolate] = now + u64::from(retry_after_s) * SECOND;
                let (min, max) = self.out.retry_after_s;
                self.out.retry_after_s = (min.min(retry_after_s), max.max(retry_after_s));
            }
        }
    }
}

pub fn simulate(load: &Load, b: &Budgets, seed: u64) -> Outcome {
    let mut rng = Rng(seed);
    let arrivals = posts(load, &mut rng);
    let n = load.candidates as usize;
    let mut sim = Sim {
        b,
        s: Settings {
            limits: [
                b.position_hour,
                b.account_minute,
                b.account_day,
                b.account_month,
            ],
            windows: Windows::REAL,
            max_waiting: b.max_waiting,
            max_wait_ms: b.max_wait_hours * HOUR,
        },
        out: Outcome {
            retry_after_s: (u32::MAX, 0),
            ..Outcome::default()
        },
        line: Line::default(),
        queue: VecDeque::new(),
        blocked: 0,
        expected: vec![None; n],
        told_paused: vec![false; n],
        invited: vec![false; n],
        paused_until: [0; ISOLATES],
        account: HashMap::new(),
        lease: 0,
        pace: 0,
    };
    let (mut posts, mut clock) = (arrivals.into_iter().peekable(), START);
    loop {
        let alarm = next_release(sim.line, &sim.s, clock).map(|at| at.max(sim.blocked));
        let next_post = posts.peek().map(|p| p.0);
        clock = match (next_post, alarm) {
            (None, None) => break,
            (Some(p), Some(a)) if p <= a => p,
            (Some(p), None) => p,
            (_, Some(a)) => a,
        };
        sim.line = sim.line.at(&sim.s, clock);
        match posts.next_if(|p| p.0 == clock) {
            Some((now, who)) => sim.post(who, rng.between(0, ISOLATES as u64) as usize, now),
            None => sim.alarm(clock),
        }
    }
    let never_placed = (0..n).filter(|&w| sim.told_paused[w] && sim.expected[w].is_none());
    sim.out.paused = never_placed.filter(|&w| !sim.invited[w]).count() as u32;
    sim.out
}

fn main() {
    let viral = Load {
        candidates: 50_000,
        span_ms: HOUR,
        peak: (10 * MINUTE, 5 * MINUTE),
        peak_share: 0.92,
        resubmit: 0.3,
    };
    let target = Load {
        candidates: 600_000,
        span_ms: 10 * MINUTE,
        peak: (0, 0),
        peak_share: 0.0,
        resubmit: 0.0,
    };
    let runs = [
        ("viral hour, shipped", simulate(&viral, &SHIPPED, 17)),
        ("account budgets 0", simulate(&viral, &UNBOUNDED, 17)),
        ("1,000 new/s, 10 min", simulate(&target, &UNBOUNDED, 17)),
    ];
    let names = runs.each_ref().map(|r| r.0);
    println!("| | {} |\n|---|---|---|---|", names.join(" | "));
    let cells = runs.each_ref().map(|r| r.1.cells());
    for (i, what) in ROWS.iter().enumerate() {
        let row = cells.each_ref().map(|c| c[i].as_str());
        println!("| {what} | {} |", row.join(" | "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A surge over every budget, with the shipped budgets and with the account's off: invites
    /// in order of placing, nobody twice, the line never over its cap, no budget exceeded in
    /// any window, and everyone told a place invited by it (no dead letter).
    #[test]
    fn the_simulated_surge_keeps_every_promise() {
        let load = Load {
            candidates: 20_000,
            span_ms: HOUR,
            peak: (0, 5 * MINUTE),
            peak_share: 0.9,
            resubmit: 0.3,
        };
        for b in [&SHIPPED, &UNBOUNDED] {
            let o = simulate(&load, b, 1);
            assert!(
                o.invites.len() >= 200 && o.told_waiting >= 150,
                "a surge past the budgets"
            );
            let fifo = o
                .invites
                .windows(2)
                .all(|w| w[0].1 <= w[1].1 && w[0].2 <= w[1].2);
            assert!(fifo, "first come, first served");
            let mut seen = std::collections::HashSet::new();
            assert!(
                o.invites.iter().all(|i| seen.insert(i.0)),
                "nobody invited twice"
            );
            assert!(o.max_in_line <= b.max_waiting, "never past its cap");
            let budgets = [
                (Span::Hour, b.position_hour),
                (Span::Minute, b.account_minute),
                (Span::Day, b.account_day),
                (Span::Month, b.account_month),
            ];
            for (span, limit) in budgets {
                let mut per = HashMap::new();
                o.invites.iter().for_each(|i| {
                    *per.entry(Windows::REAL.bounds(span, i.2).start_ms)
                        .or_insert(0u32) += 1
                });
                assert!(
                    limit == 0 || per.values().all(|&n| n <= limit),
                    "over a budget"
                );
            }
            assert_eq!(
                (o.truthful, o.dead_letters),
                (o.told_waiting, 0),
                "everyone told a place is invited by it"
            );
        }
        assert_eq!(
            simulate(&load, &UNBOUNDED, 1).max_in_line,
            1_000,
            "filled up"
        );
    }
}
