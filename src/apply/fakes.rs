//! Test doubles for the invite transaction's seams (`Inviter`, `Ledger`, `Memory`, `Enqueue`):
//! each answers from a script and keeps what it was asked, so the form's and the queue's
//! sequencing is tested natively, without workerd.

use super::invite::Invites;
use super::{Enqueue, QueuedInvite};
use crate::domain::{ApplicationForm, CandidateKey, Email, PositionId};
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{FoundInterview, InterviewUrl, InviteOutcome, Inviter, TrustedHosts};
use crate::ledger::{Applicant, Gate, Ledger, Settlement, Ticket};
use crate::line::rules::Admission;
use crate::line::Lines;
use crate::store::{Memory, Record};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::task::{Context, Poll, Waker};

pub const SECRET: &str = "test-app-secret-9f3c1d2e7a6b5c4d3e2f1a0b";
pub const POSITION: &str = "68b43e38b19cf131a17c543f";

/// Runs a future of fakes to its end: none of them waits for long (a slow KV read yields
/// once), but one told to hang, and a nap (the form's deadline among them) ends at once.
pub fn run<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    for _ in 0..100 {
        let polled = future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()));
        if let Poll::Ready(output) = polled {
            return output;
        }
    }
    panic!("a fake waited")
}

/// Pending once, then ready: a read that is not answered on the spot.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|_| {
        if std::mem::replace(&mut yielded, true) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await
}

pub fn url(path: &str) -> InterviewUrl {
    let raw = format!("https://app.hireflix.com/{path}");
    InterviewUrl::parse(&raw, &TrustedHosts::hireflix_only()).expect("a Hireflix link")
}

pub fn form(email: &str) -> ApplicationForm {
    let pairs = [("firstName", "Ann"), ("lastName", "Lee"), ("email", email)];
    ApplicationForm::from_pairs(pairs)
}

/// A queued message for `email`, with `attempt` tries made.
pub fn queued(email: &str, attempt: u32) -> QueuedInvite {
    let position = PositionId::parse(POSITION).expect("an id");
    QueuedInvite {
        attempt,
        ..QueuedInvite::new(&position, &form(email), "r1")
    }
}

pub fn key(email: &str) -> CandidateKey {
    let application = form(email).parse().expect("valid");
    let position = PositionId::parse(POSITION).expect("an id");
    CandidateKey::new(SECRET, &position, &application.email)
}

/// Hireflix: each call takes the next scripted answer (every invite made, by default), and
/// the emails of each call are kept.
pub struct FakeHireflix {
    pub trusted: TrustedHosts,
    pub answers: RefCell<VecDeque<Vec<InviteOutcome>>>,
    pub calls: RefCell<Vec<Vec<String>>>,
    pub found: Option<FoundInterview>,
    /// The answer when asked which field a validation error is about.
    pub details: Option<InviteOutcome>,
    /// Takes each invite (it is kept in `calls`) and never answers.
    pub hang: bool,
}

impl FakeHireflix {
    pub fn answering(answers: Vec<Vec<InviteOutcome>>) -> Self {
        FakeHireflix {
            trusted: TrustedHosts::hireflix_only(),
            answers: RefCell::new(answers.into()),
            calls: RefCell::default(),
            found: None,
            details: None,
            hang: false,
        }
    }
}

impl Inviter for FakeHireflix {
    fn trusted_hosts(&self) -> &TrustedHosts {
        &self.trusted
    }

    async fn invite(&self, invites: &[InviteInput<'_>]) -> (Vec<InviteOutcome>, Option<u64>) {
        let emails = invites
            .iter()
            .map(|i| i.application.email.as_str().to_string());
        self.calls.borrow_mut().push(emails.collect());
        if self.hang {
            std::future::pending::<()>().await;
        }
        let made = || {
            invites
                .iter()
                .map(|i| InviteOutcome::Invited(url(i.external_id)))
        };
        let scripted = self.answers.borrow_mut().pop_front();
        (scripted.unwrap_or_else(|| made().collect()), None)
    }

    async fn validation_details(&self, invite: InviteInput<'_>) -> InviteOutcome {
        let email = invite.application.email.as_str().to_string();
        self.calls.borrow_mut().push(vec![email]);
        let malformed = InviteOutcome::Transient(crate::hireflix::Transient::Malformed);
        self.details.clone().unwrap_or(malformed)
    }

    async fn find_interview(
        &self,
        _: &PositionId,
        _: &str,
    ) -> Result<Option<FoundInterview>, InviteOutcome> {
        Ok(self.found.clone())
    }
}

/// The ledger: the scripted gates in turn (a granted reservation numbered by its place once
/// they run out), and every settlement kept.
#[derive(Default)]
pub struct FakeLedger {
    pub gates: RefCell<VecDeque<Gate>>,
    pub checks: Cell<usize>,
    pub settled: RefCell<Vec<Settlement>>,
    /// Counts each check and never answers it.
    pub hang: bool,
}

pub const QUOTA_DELAY: u32 = 600;

/// The fakes' clock.
pub const NOW: u64 = 1_771_065_000_000;

impl FakeLedger {
    pub fn with(gates: Vec<Gate>) -> Self {
        FakeLedger {
            gates: RefCell::new(gates.into()),
            ..FakeLedger::default()
        }
    }
}

pub fn granted(reservation: u64) -> Gate {
    Gate::Invite(Ticket {
        reservation: Some(reservation),
        probing: false,
        settles: false,
    })
}

/// The retry of a reservation an ambiguous call left unsettled.
pub fn settling(reservation: u64) -> Gate {
    Gate::Invite(Ticket {
        reservation: Some(reservation),
        probing: false,
        settles: true,
    })
}

impl Ledger for FakeLedger {
    async fn check(&self, applicants: &[Applicant<'_>]) -> Vec<Gate> {
        self.checks.set(self.checks.get() + 1);
        if self.hang {
            std::future::pending::<()>().await;
        }
        let mut gates = self.gates.borrow_mut();
        (1..=applicants.len() as u64)
            .map(|n| gates.pop_front().unwrap_or(granted(n)))
            .collect()
    }

    async fn settle(&self, settlement: Settlement, _: &str) -> u32 {
        self.settled.borrow_mut().push(settlement);
        QUOTA_DELAY
    }
}

/// KV, as a map by candidate digest. `arriving`: a record another request writes while this
/// one naps (the first of a double click), kept at the first nap.
#[derive(Default)]
pub struct FakeMemory {
    pub records: RefCell<HashMap<String, Record>>,
    pub arriving: RefCell<Option<(String, Record)>>,
    pub naps: Cell<usize>,
    /// Each read yields once before it answers, as KV over the network does.
    pub slow_reads: bool,
}

impl Memory for FakeMemory {
    async fn candidate(&self, key: &CandidateKey) -> Option<Record> {
        if self.slow_reads {
            yield_once().await;
        }
        self.records.borrow().get(key.digest()).cloned()
    }

    async fn remember(&self, key: &CandidateKey, record: &Record) -> bool {
        let mut records = self.records.borrow_mut();
        records.insert(key.digest().to_string(), record.clone());
        true
    }

    async fn forget(&self, key: &CandidateKey) {
        self.records.borrow_mut().remove(key.digest());
    }

    async fn nap(&self, _: u32) {
        self.naps.set(self.naps.get() + 1);
        if let Some((digest, record)) = self.arriving.borrow_mut().take() {
            self.records.borrow_mut().insert(digest, record);
        }
    }
}

/// The invite queue: what was sent, with its delay; `refuse` makes every send fail.
#[derive(Default)]
pub struct FakeQueue {
    pub sent: RefCell<Vec<(QueuedInvite, u32)>>,
    pub refuse: bool,
}

impl Enqueue for FakeQueue {
    async fn send(&self, invite: &QueuedInvite, delay_seconds: u32) -> bool {
        if !self.refuse {
            self.sent.borrow_mut().push((invite.clone(), delay_seconds));
        }
        !self.refuse
    }
}

/// A position's line: each ask takes the next scripted answer (`None`: no answer), `Go` once
/// the script is out; the emails asked about are kept.
#[derive(Default)]
pub struct FakeLine {
    pub answers: RefCell<VecDeque<Option<Admission>>>,
    pub asked: RefCell<Vec<String>>,
}

impl FakeLine {
    pub fn with(answers: Vec<Option<Admission>>) -> Self {
        FakeLine {
            answers: RefCell::new(answers.into()),
            asked: RefCell::default(),
        }
    }
}

impl Lines for FakeLine {
    async fn admit(
        &self,
        _position: &PositionId,
        email: &Email,
        invite: &QueuedInvite,
    ) -> Option<Admission> {
        assert!(
            !invite.admitted,
            "an admitted application is never asked again"
        );
        self.asked.borrow_mut().push(email.as_str().to_string());
        self.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or(Some(Admission::Go))
    }
}

pub fn invites<'a>(
    hireflix: &'a FakeHireflix,
    ledger: &'a FakeLedger,
    memory: &'a FakeMemory,
    line: &'a FakeLine,
) -> Invites<'a, FakeHireflix, FakeLedger, FakeMemory, FakeLine> {
    Invites {
        inviter: hireflix,
        ledger,
        line,
        memory,
        after_response: None,
        secret: SECRET,
        explain: true,
        clock: || NOW,
    }
}
