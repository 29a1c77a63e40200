//! Erasing one candidate on their request (`POST /admin/erase`, `scripts/erase`): their place
//! in the waiting line, their KV records (in every position the worker knows under the spelling
//! typed, and under each spelling the ledger invited, which its row kept), their invite ledger
//! rows (every spelling of their mailbox) and their dead letters (any spelling). The answer and
//! the log line count what went, by kind; neither names the candidate. What a queue still holds
//! cannot be counted or deleted: the ledger keeps the erasure, and the consumers drop those
//! applications when they come out.

use super::respond::{json, Reply};
use crate::app::App;
use crate::domain::{CandidateKey, Email, PositionId};
use crate::ledger::{canonical, LedgerClient};
use crate::line::LineClient;
use crate::queue::DeadLetter;
use crate::store::{keys, Store};
use serde_json::{json, Value};
use worker::Request;

pub async fn erase(req: &mut Request, app: &App, store: &Store) -> Reply {
    let secret = &app.config.app_secret;
    // `{"email", "position"?}`, read as a `Value` (a struct's own decoder costs wasm). The
    // position is one more to look in, besides those the worker lists: a position closed and
    // gone from the positions list still has its records.
    let asked = req.text().await.ok();
    let asked = asked.and_then(|text| serde_json::from_str::<Value>(&text).ok());
    let field = |name| asked.as_ref()?.get(name)?.as_str().map(str::trim);
    let email = field("email").and_then(|raw| Email::parse(raw).ok());
    let extra = match field("position").filter(|p| !p.is_empty()) {
        Some(raw) => PositionId::parse(raw).map(Some),
        None => Some(None),
    };
    let (Some(email), Some(extra)) = (email, extra) else {
        return json(
            422,
            &json!({ "error": "invalid_request", "expected": "{\"email\":\"...\",\"position\":\"optional id\"}" }),
        );
    };
    if secret.is_empty() {
        // Without the key no record can be found: nothing was erased, and the operator must know.
        return json(503, &json!({ "error": "misconfigured" }));
    }

    let cached = store.positions().await.map(|(_, list)| list);
    let known = cached
        .iter()
        .flatten()
        .filter_map(|p| PositionId::parse(&p.id));
    let listed = app.config.allowed_positions.iter().flatten().cloned();
    // With the record of the spelling typed in each.
    let (mut positions, mut records) = (Vec::<PositionId>::new(), Vec::new());
    for position in extra.into_iter().chain(listed).chain(known) {
        if !positions.contains(&position) {
            records.push(keys::candidate(&CandidateKey::new(
                secret, &position, &email,
            )));
            positions.push(position);
        }
    }
    // The line first: an entry it released after the rest was erased would write it all again.
    let lines = LineClient::connect(app.env(), &app.config);
    let mut waiting = Some(0u32);
    for position in &positions {
        let gone = lines.forget(position, &email).await;
        waiting = waiting.zip(gone).map(|(all, gone)| all + gone);
    }
    let ledger = LedgerClient::connect(app.env(), &app.config);
    // Leaves the erasure marked in the ledger: the applications still in a queue are dropped
    // when they come out of it (`crate::ledger`'s erasure).
    let forgotten = ledger.forget(&email, app.config.line.max_wait_hours).await;

    // And the record of each spelling the ledger invited (`v.ictim@` when `victim@` was
    // typed): every record deleted once.
    let mut rows = 0u32;
    for row in forgotten.as_deref().unwrap_or_default().split(' ') {
        rows += u32::from(!row.is_empty());
        match keys::recorded(row) {
            Some(key) if !records.contains(&key) => records.push(key),
            _ => {}
        }
    }
    let rows = forgotten.is_some().then_some(rows);
    let (mut held, mut kv_complete) = (0u32, true);
    for key in &records {
        match store.erase(key).await {
            Some(was) => held += u32::from(was),
            None => kv_complete = false,
        }
    }

    let mailbox = canonical(&email);
    let (letters, listed) = store.dead_letters().await;
    let letters = listed.then_some(letters);
    let mut removed = 0u32;
    for (id, text) in letters.iter().flatten() {
        let whose = serde_json::from_str::<DeadLetter>(text).ok();
        let theirs = whose
            .and_then(|l| l.candidate())
            .map(|(_, e)| canonical(&e));
        if theirs.as_ref() == Some(&mailbox) && store.remove_dead_letter(id).await {
            removed += 1;
        }
    }

    let complete = kv_complete && waiting.is_some() && rows.is_some() && letters.is_some();
    let counts = json!({
        "waitingEntries": waiting,
        "kvRecords": kv_complete.then_some(held),
        "positionsSearched": positions.len(),
        "ledgerRows": rows,
        "deadLetters": letters.as_ref().map(|_| removed),
        "complete": complete,
    });
    crate::log::Event::CandidateErased { counts: &counts }.emit();
    // Incomplete: what did not answer is named by its null; erasing again is safe.
    json(if complete { 200 } else { 503 }, &counts)
}
