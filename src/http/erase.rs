//! Erasing one candidate on request (`POST /admin/erase`, `scripts/erase`): their place in
//! line, KV records (every known position, the spelling typed and each the ledger invited),
//! ledger rows and dead letters (any spelling of the mailbox). The answer counts what went by
//! kind, never naming them. A queue cannot be searched: the ledger keeps the erasure and the
//! consumers drop those applications when they come out.

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
    // `{"email", "position"?}` as a `Value` (a struct's decoder costs wasm). The position is
    // one more to look in: a closed one gone from the list still has its records.
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
            let key = CandidateKey::new(secret, &position, &email);
            records.push(keys::candidate(&key));
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
    let forgotten = ledger.forget(&email, app.config.line.max_wait_hours).await;

    // And the record of each spelling the ledger invited (`v.ictim@` for `victim@`), once.
    let mut rows = 0u32;
    for row in forgotten.as_deref().unwrap_or_default().split(' ') {
        rows += u32::from(!row.is_empty());
        if let Some(key) = keys::recorded(row).filter(|key| !records.contains(key)) {
            records.push(key);
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
