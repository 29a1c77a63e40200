//! The operator's window: dead letters, the quota hold, erasing one candidate. Without a long
//! enough `ADMIN_TOKEN` and the right `Authorization: Bearer`, every `/admin/` path is the same
//! 404, so an outsider cannot even tell that a token is set.

use super::pages::Ui;
use super::respond::{json, Reply};
use super::submit::client_key;
use crate::answer::Answer;
use crate::app::{allows, App};
use crate::clock::now_ms;
use crate::config::names;
use crate::domain::hmac::same_secret;
use crate::domain::{CandidateKey, Email, PositionId};
use crate::ledger::{canonical, Ledger, LedgerClient, Settlement};
use crate::line::LineClient;
use crate::pace::hold_to_value;
use crate::queue::DeadLetter;
use crate::store::{keys, Memory, Record, Store};
use serde_json::{json, Value};
use worker::{Method, Request};

/// A token this long cannot be guessed one request at a time.
const MIN_TOKEN_CHARS: usize = 32;

fn token(app: &App) -> Option<&str> {
    let token = app.config.admin_token.as_deref()?;
    (token.chars().count() >= MIN_TOKEN_CHARS).then_some(token)
}

/// The operator meant to open the door: a /healthz problem.
pub fn token_problem(app: &App) -> Option<String> {
    (app.config.admin_token.is_some() && token(app).is_none()).then(|| {
        format!("ADMIN_TOKEN is shorter than {MIN_TOKEN_CHARS} characters, so /admin/ and /healthz's details stay closed (openssl rand -hex 32)")
    })
}

/// Every attempt counts in the rate limiter under its client first, token set or not (its wait
/// would tell): over the limit even the right token is refused until the window passes.
pub async fn authorized(req: &Request, app: &App) -> bool {
    let header = |name| req.headers().get(name).ok().flatten();
    let Some(given) = header("authorization") else {
        return false;
    };
    let ip = header("cf-connecting-ip").unwrap_or_default();
    let limiter = app.env().rate_limiter(names::RATE_LIMITER).ok();
    let within = allows(limiter.as_ref(), Some(client_key("admin", &ip))).await;
    let given = given.strip_prefix("Bearer ").unwrap_or_default();
    within && token(app).is_some_and(|token| same_secret(given, token))
}

pub async fn handle(req: &mut Request, app: &App, path: &[&str], ui: &Ui) -> Reply {
    let w = ui.w;
    if !authorized(req, app).await {
        return Answer::PageNotFound.page(ui);
    }
    let Some(store) = &app.store else {
        return Answer::Misconfigured.json(w);
    };
    // `None`: a binding the action needs is missing, or did not answer.
    let reply = match (req.method(), path) {
        (Method::Get, ["dead-letters"]) => Some(list(store).await),
        (Method::Post, ["dead-letters", "replay"]) => {
            let position = super::body::first(&ui.query, "position").and_then(PositionId::parse);
            replay(store, app, position.as_ref()).await
        }
        (Method::Post, ["erase"]) => Some(erase(req, app, store).await),
        (Method::Get, ["quota"]) => quota(app, false).await,
        (Method::Post, ["quota", "lift"]) => quota(app, true).await,
        _ => Some(Answer::PageNotFound.json(w)),
    };
    reply.unwrap_or_else(|| Answer::Misconfigured.json(w))
}

/// The quota hold (`crate::pace`); lifted, new invites go at once, the parked at their time.
async fn quota(app: &App, lift: bool) -> Option<Reply> {
    let services = app.services.as_ref().ok()?;
    let pacer = services.client.pacer()?;
    if lift {
        // The ledger keeps a coarse copy of the hold: lifted with it.
        let back = Settlement {
            quota_back: true,
            ..Settlement::default()
        };
        services.ledger.settle(back, "admin").await;
    }
    let state = pacer.hold(lift).await?;
    let (held, hold) = (state.hold.is_some(), hold_to_value(state.hold));
    let body = json!({ "held": held, "hold": hold, "lifted": lift });
    Some(json(200, &body))
}

async fn list(store: &Store) -> Reply {
    let letter = |text: &str| match serde_json::from_str::<DeadLetter>(text) {
        Ok(letter) => {
            let invite = letter.invite.as_ref();
            json!({
                "position": invite.map(|i| i.position_id.as_str()),
                "reason": letter.reason,
                "failedAt": letter.failed_at.unwrap_or_default(),
                "attempts": invite.map(|i| i.attempt),
                "email": invite.map(|i| mask_email(&i.email)),
            })
        }
        Err(_) => json!({ "reason": "unreadable_letter" }),
    };
    // A partial list still helps an operator, as long as it says it is partial.
    let (letters, complete) = store.dead_letters().await;
    let letters: Vec<Value> = letters.iter().map(|(_, text)| letter(text)).collect();
    let body = json!({ "deadLetters": letters, "complete": complete });
    json(200, &body)
}

/// Each letter goes back on the queue with a fresh attempt count, removed only once the queue
/// took it; its candidate is "queued" again.
async fn replay(store: &Store, app: &App, only: Option<&PositionId>) -> Option<Reply> {
    let queue = app.env().queue(names::INVITE_QUEUE).ok()?;
    // Without it the "queued" record (only a fast path) is not written.
    let secret = &app.config.app_secret;
    let (mut replayed, mut kept) = (0u32, 0u32);
    let (letters, complete) = store.dead_letters().await;
    for (id, text) in letters {
        let letter = serde_json::from_str::<DeadLetter>(&text).ok();
        let invite = letter.and_then(|l| l.invite);
        let Some(((letter_position, application), invite)) =
            invite.and_then(|i| Some((i.application()?, i)))
        else {
            kept += 1;
            continue;
        };
        if only.is_some_and(|p| *p != letter_position) {
            continue;
        }
        let record = Record::queued(None).with_consent(invite.consent.clone());
        let fresh = invite.replayed(now_ms());
        if queue.send(&fresh).await.is_err() {
            kept += 1;
            continue;
        }
        if !secret.is_empty() {
            let key = CandidateKey::new(secret, &letter_position, &application.email);
            store.remember(&key, &record).await;
        }
        store.remove_dead_letter(&id).await;
        replayed += 1;
    }
    let body = json!({ "replayed": replayed, "notReplayed": kept, "complete": complete });
    Some(json(200, &body))
}

/// `ann@example.com` -> `a***@example.com`: enough to recognise, not to contact.
fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return "***".to_string();
    };
    let first: String = local.chars().take(1).collect();
    format!("{first}***@{domain}")
}

/// Erasing one candidate (`scripts/erase`): their place in line, KV records (every known
/// position, the spelling typed and each the ledger invited), ledger rows and dead letters (any
/// spelling), counted by kind, never named. A queue cannot be searched: the ledger keeps the
/// erasure and the consumers drop those applications when they come out.
pub async fn erase(req: &mut Request, app: &App, store: &Store) -> Reply {
    let secret = &app.config.app_secret;
    // `{"email", "position"?}` as a `Value` (a struct's decoder costs wasm). The position is
    // one more to look in: a closed one gone from the list still has its records.
    let asked = req.text().await.ok();
    let asked = asked.and_then(|text| serde_json::from_str::<Value>(&text).ok());
    let field = |name| asked.as_ref()?.get(name)?.as_str().map(str::trim);
    let email = field("email").and_then(|raw| Email::parse(raw).ok());
    let position = field("position").filter(|p| !p.is_empty());
    let extra = position.map_or(Some(None), |raw| PositionId::parse(raw).map(Some));
    let (Some(email), Some(extra)) = (email, extra) else {
        let expected = r#"{"email":"...","position":"optional id"}"#;
        let body = json!({ "error": "invalid_request", "expected": expected });
        return json(422, &body);
    };
    if secret.is_empty() {
        // Without the key no record can be found: nothing was erased, and the operator must know.
        return json(503, &json!({ "error": "misconfigured" }));
    }

    let cached = store.positions().await.map(|(_, list)| list);
    let known = cached.iter().flatten();
    let known = known.filter_map(|p| PositionId::parse(&p.id));
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
        let count = gone
            .as_ref()
            .map(|typed| u32::try_from(typed.len()).unwrap_or(u32::MAX));
        waiting = waiting.zip(count).map(|(all, gone)| all + gone);
        // And the record of the spelling each typed (`v.ictim+jobs@` for `victim@`), which the
        // ledger never saw: left, it would answer their next application "in line" for nothing.
        for typed in gone.iter().flatten().filter_map(|e| Email::parse(e).ok()) {
            let key = keys::candidate(&CandidateKey::new(secret, position, &typed));
            if !records.contains(&key) {
                records.push(key);
            }
        }
    }
    let ledger = LedgerClient::connect(app.env(), &app.config);
    let (forgotten, answered) = ledger.forget(&email, app.config.line.max_wait_hours).await;

    // And the record of each spelling the ledger invited (`v.ictim@` for `victim@`), once.
    let mut rows = 0u32;
    for row in forgotten.split(' ') {
        rows += u32::from(!row.is_empty());
        records.extend(keys::recorded(row).filter(|key| !records.contains(key)));
    }
    let rows = answered.then_some(rows);
    let (mut held, mut kv_complete) = (0u32, true);
    for key in &records {
        match store.erase(key).await {
            Some(was) => held += u32::from(was),
            None => kv_complete = false,
        }
    }

    let mailbox = canonical(&email);
    // What could be read is erased even when not every letter could be: the answer says so.
    let (letters, listed) = store.dead_letters().await;
    let mut removed = 0u32;
    for (id, text) in &letters {
        let whose = serde_json::from_str::<DeadLetter>(text).ok();
        let theirs = whose
            .and_then(|l| l.candidate())
            .map(|(_, e)| canonical(&e));
        if theirs.as_ref() == Some(&mailbox) && store.remove_dead_letter(id).await {
            removed += 1;
        }
    }

    let complete = kv_complete && waiting.is_some() && rows.is_some() && listed;
    let counts = json!({
        "waitingEntries": waiting,
        "kvRecords": kv_complete.then_some(held),
        "positionsSearched": positions.len(),
        "ledgerRows": rows,
        "deadLetters": listed.then_some(removed),
        "complete": complete,
    });
    crate::log::Event::CandidateErased { counts: &counts }.emit();
    // Incomplete: what did not answer is named by its null; erasing again is safe.
    json(if complete { 200 } else { 503 }, &counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_masked_to_their_first_letter_and_domain() {
        assert_eq!(mask_email("ann.lee@example.com"), "a***@example.com");
        assert_eq!(mask_email("noatsign"), "***");
        assert_eq!(mask_email("ü@x.de"), "ü***@x.de");
    }

    #[test]
    fn tokens_match_only_exactly() {
        assert!(same_secret("s3cret-token", "s3cret-token"));
        assert!(!same_secret("s3cret-toke", "s3cret-token"));
        assert!(!same_secret("", "s3cret-token"));
    }
}
