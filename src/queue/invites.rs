//! Retries queued invites: the invite ledger is asked about the whole batch in one call, the
//! invites it allows go to Hireflix in one GraphQL request, and each message is then carried
//! through the step `super::step` decides for it.

use super::dead_letters::retry_later;
use super::message::{self, DeadLetter, QueuedInvite};
use super::step::{self, next_step, Action, Attempts, Step, Tally};
use crate::apply::Pipeline;
use crate::config::{names, Config};
use crate::domain::{Application, CandidateKey, PositionId};
use crate::funnel::{Funnel, Visit};
use crate::hireflix::documents::InviteInput;
use crate::hireflix::{HireflixClient, InviteOutcome, Transient};
use crate::ledger::{Aftermath, Applicant, Gate, Ledger, Ticket};
use crate::log::{now_ms, ApplicationLog, Source};
use crate::store::Store;
use serde_json::Value;
use worker::{Env, Message, MessageBuilder, MessageExt, Queue, QueueRetryOptionsBuilder};

/// A batch of invites is one request that Hireflix works through in turn, so it gets the
/// single-invite timeout per invite, up to this (no candidate is waiting on the queue).
const BATCH_TIMEOUT_CAP_MS: u32 = 30_000;

struct Pending {
    message: Message<Value>,
    invite: QueuedInvite,
    position: PositionId,
    application: Application,
    key: CandidateKey,
    external_id: String,
}

pub async fn retry(messages: Vec<Message<Value>>, env: &Env, config: &Config, store: &Store) {
    let queue = env.queue(names::INVITE_QUEUE).ok();
    let dlq = env.queue(names::DEAD_LETTER_QUEUE).ok();
    // No visitor behind a queued message: only the position and the step are counted.
    let funnel = Funnel::new(env, Visit::default());
    let mut pending = Vec::with_capacity(messages.len());
    for message in messages {
        match message::read(message.body()) {
            Ok((invite, position, application)) => {
                let key = CandidateKey::new(&config.app_secret, &position, &application.email);
                let external_id = key.external_id();
                pending.push(Pending {
                    message,
                    invite,
                    position,
                    application,
                    key,
                    external_id,
                });
            }
            Err(unreadable) => {
                // Whoever it was for is not left hearing "queued" for the record's lifetime.
                let key = unreadable.candidate.as_ref().map(|(position, email)| {
                    CandidateKey::new(&config.app_secret, position, email)
                });
                if let Some(key) = &key {
                    store.forget(key).await;
                }
                worker::console_log!(
                    "{}",
                    serde_json::json!({
                        "event": "unreadable_message",
                        "level": "warn",
                        "candidate": key.as_ref().map(CandidateKey::log_tag),
                        "reason": unreadable.reason,
                    })
                );
                let letter = DeadLetter {
                    invite: None,
                    unreadable: Some(message.body().to_string()),
                    reason: unreadable.reason,
                };
                dead_letter(&message, dlq.as_ref(), letter).await;
            }
        }
    }
    if pending.is_empty() {
        return;
    }

    // No invite without the ledger's leave: what it parks or answers makes no Hireflix call.
    let ledger = Ledger::connect(env, config);
    let gates = match &ledger {
        Some(ledger) => {
            let applicants: Vec<Applicant> = pending
                .iter()
                .map(|p| Applicant {
                    position: &p.position,
                    email: &p.application.email,
                    request_id: &p.invite.request_id,
                })
                .collect();
            ledger.check(&applicants).await
        }
        None => vec![Gate::Unchecked; pending.len()],
    };
    let mut allowed: Vec<(Pending, Ticket)> = Vec::with_capacity(pending.len());
    for (item, gate) in pending.into_iter().zip(gates) {
        let decided = match gate {
            Gate::Invite(ticket) => {
                allowed.push((item, ticket));
                continue;
            }
            Gate::AlreadyInvited => step::already_invited(),
            Gate::Park {
                delay_seconds,
                note,
            } => step::parked(delay_seconds, note),
            Gate::Unchecked => step::unchecked(
                item.attempts(config.max_invite_attempts),
                config.retry_base_delay_seconds,
            ),
        };
        let outs = Outs {
            store,
            queue: queue.as_ref(),
            dlq: dlq.as_ref(),
            funnel: &funnel,
        };
        carry_out(&item, decided, None, &outs).await;
    }
    if allowed.is_empty() {
        return;
    }
    let (pending, tickets): (Vec<Pending>, Vec<Ticket>) = allowed.into_iter().unzip();

    let batch_size = u32::try_from(pending.len()).unwrap_or(u32::MAX);
    let timeout = config
        .hireflix_timeout_ms
        .saturating_mul(batch_size)
        .min(BATCH_TIMEOUT_CAP_MS)
        .max(config.hireflix_timeout_ms);
    let client = HireflixClient::new(&config.api_url, config.api_key.clone(), timeout);
    let inputs: Vec<InviteInput> = pending
        .iter()
        .map(|p| InviteInput {
            position: &p.position,
            application: &p.application,
            external_id: &p.external_id,
        })
        .collect();
    let started = now_ms();
    // The whole batch in one request, each invite under its own alias.
    let mut outcomes = client.invite(&inputs).await;
    if inputs.len() > 1 && outcomes.iter().all(failed_as_a_whole) {
        // One invite Hireflix cannot process can void the `data` of the whole batch: try each
        // alone, so the others are not held back with it on every retry.
        let mut one_by_one = Vec::with_capacity(inputs.len());
        for input in &inputs {
            let outcome = client
                .invite(std::slice::from_ref(input))
                .await
                .into_iter()
                .next();
            one_by_one.push(outcome.unwrap_or(InviteOutcome::Transient(Transient::Malformed)));
        }
        outcomes = one_by_one;
    }
    let hireflix_ms = now_ms().saturating_sub(started);

    // Release what was not used and record a spent quota: one call, and only when needed.
    let mut after = Aftermath::default();
    for (ticket, outcome) in tickets.iter().zip(&outcomes) {
        after.record(*ticket, outcome);
    }
    let quota_delay = match (&ledger, pending.first()) {
        (Some(ledger), Some(first)) => ledger.settle(after, &first.invite.request_id).await,
        _ => config.budgets.quota_retry_seconds,
    };

    for ((item, input), outcome) in pending.iter().zip(&inputs).zip(outcomes) {
        let pipeline = Pipeline {
            client: &client,
            store,
            queue: queue.as_ref(),
            request_id: &item.invite.request_id,
            source: Source::Queue,
            secret: &config.app_secret,
            budgets: config.budgets,
            // Nobody is shown a link from the queue.
            pass: None,
            grace_ms: 0,
            background: None,
            funnel: None,
            attribution: None,
            consent: item.invite.consent.as_ref(),
        };
        let outcome = pipeline.settle(&item.key, input, outcome).await;
        let step = next_step(
            &outcome,
            item.attempts(config.max_invite_attempts),
            config.retry_base_delay_seconds,
            quota_delay,
        );
        let outs = Outs {
            store,
            queue: queue.as_ref(),
            dlq: dlq.as_ref(),
            funnel: &funnel,
        };
        carry_out(item, step, Some(hireflix_ms), &outs).await;
    }
}

/// Where a step's effects go.
struct Outs<'a> {
    store: &'a Store,
    queue: Option<&'a Queue>,
    dlq: Option<&'a Queue>,
    funnel: &'a Funnel,
}

/// Logs and counts the step, and does it.
async fn carry_out(item: &Pending, step: Step, hireflix_ms: Option<u64>, outs: &Outs<'_>) {
    let Outs {
        store,
        queue,
        dlq,
        funnel,
    } = *outs;
    // The log counts tries made, this one included; a parked message made none.
    let attempt = match step.action {
        Action::Requeue {
            tally: Tally::Untried,
            ..
        } => item.invite.attempt,
        _ => item.invite.attempt.saturating_add(1),
    };
    ApplicationLog {
        event: "application",
        request_id: &item.invite.request_id,
        position_id: item.position.as_str(),
        candidate: item.key.log_tag(),
        source: Source::Queue,
        outcome: step.outcome,
        reason: step.reason,
        hireflix_ms,
        attempt,
        attribution: None,
        consent: None,
    }
    .emit();
    funnel.record_outcome(&item.position, step.outcome);
    match step.action {
        Action::Ack => item.message.ack(),
        Action::AckAndForget => {
            store.forget(&item.key).await;
            item.message.ack();
        }
        Action::Requeue {
            delay_seconds,
            tally,
        } => {
            let next = match tally {
                Tally::Counted => item.invite.next_attempt(),
                Tally::Spared => item.invite.spared_attempt(),
                Tally::Untried => item.invite.clone(),
            };
            requeue(&item.message, queue, &next, delay_seconds).await;
        }
        Action::DeadLetter { why } => {
            // Forget "queued" so a resubmission hears the real answer at once.
            store.forget(&item.key).await;
            dead_letter(&item.message, dlq, item.letter(why)).await;
        }
    }
}

/// A failure of the request itself (a GraphQL error or an unreadable answer), not of one invite.
fn failed_as_a_whole(outcome: &InviteOutcome) -> bool {
    matches!(
        outcome,
        InviteOutcome::Transient(Transient::Upstream | Transient::Malformed)
    )
}

impl Pending {
    /// This try included.
    fn attempts(&self, max: u32) -> Attempts {
        Attempts {
            counted: self.invite.counted_attempts().saturating_add(1),
            max,
        }
    }

    fn letter(&self, reason: String) -> DeadLetter {
        DeadLetter {
            invite: Some(self.invite.next_attempt()),
            unreadable: None,
            reason,
        }
    }
}

/// A fresh message carries the attempt count and its own, growing, delay. Only once it is
/// safely sent is the old one acked; if sending fails the platform retries the old one.
async fn requeue(message: &Message<Value>, queue: Option<&Queue>, next: &QueuedInvite, delay: u32) {
    let sent = match queue {
        Some(queue) => queue
            .send(
                MessageBuilder::new(next.clone())
                    .delay_seconds(delay)
                    .build(),
            )
            .await
            .is_ok(),
        None => false,
    };
    if sent {
        message.ack();
    } else {
        message.retry_with_options(
            &QueueRetryOptionsBuilder::new()
                .with_delay_seconds(delay)
                .build(),
        );
    }
}

async fn dead_letter(message: &Message<Value>, dlq: Option<&Queue>, letter: DeadLetter) {
    let sent = match dlq {
        Some(dlq) => dlq.send(letter).await.is_ok(),
        None => false,
    };
    if sent {
        message.ack();
    } else {
        // Never drop it: after max_retries the platform moves it to the DLQ itself.
        retry_later(message);
    }
}
