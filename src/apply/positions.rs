//! The account's open positions, cached so a page view is not a Hireflix call.

use crate::app::Services;
use crate::clock::now_ms;
use crate::config::Config;
use crate::domain::PositionId;
use crate::hireflix::{Position, Transient};
use std::cell::{Cell, RefCell};

/// Each isolate keeps the list in memory too, so most views and posts read no KV; briefly, as
/// isolates do not share it and cannot be told it changed.
const MEMO_TTL_MS: u64 = 30_000;

/// The KV copy counts as fresh for two Cron periods (5 minutes each): past that the schedule
/// has failed, and one caller refreshes it on demand.
const FRESH_MS: u64 = 600_000;

/// One caller refreshes at a time; if it has not written within this, another may.
const REFRESH_LEASE_MS: u64 = 10_000;

thread_local! {
    static MEMO: RefCell<Option<(u64, Vec<Position>)>> = const { RefCell::new(None) };
    /// When Hireflix last failed to list positions: for a while, nobody waits for it again.
    static FAILED: Cell<Option<(u64, Transient)>> = const { Cell::new(None) };
}

/// What was kept at a time, while it is younger than `MEMO_TTL_MS`.
fn fresh<T>(now: u64, kept: Option<(u64, T)>) -> Option<T> {
    kept.filter(|(at, _)| now.saturating_sub(*at) < MEMO_TTL_MS)
        .map(|(_, value)| value)
}

fn memo_get(now: u64) -> Option<Vec<Position>> {
    // Only a fresh list is copied out.
    MEMO.with_borrow(|kept| {
        let (at, all) = kept.as_ref()?;
        fresh(now, Some((*at, all))).cloned()
    })
}

/// The position's name if this isolate remembers it among those offered, without asking KV or
/// Hireflix: an archived or unlisted position's name is the account's, not the public's.
pub fn memo_name(id: &PositionId, config: &Config, otherwise: &str) -> String {
    let found = memo_get(now_ms()).and_then(|all| find(narrow(all, config), id));
    found.map_or_else(|| otherwise.to_string(), |p| p.name)
}

/// Open positions, in Hireflix's order, narrowed by ALLOWED_POSITIONS.
pub async fn open_positions(services: &Services) -> Result<Vec<Position>, Transient> {
    let (config, now) = (&services.config, now_ms());
    if let Some(all) = memo_get(now) {
        return Ok(narrow(all, config));
    }
    let (read_at, last) = services.store.positions().await.unzip();
    let all = match last {
        Some(last) if read_at.is_some_and(|at| now.saturating_sub(at) < FRESH_MS) => last,
        // Old or missing (the Cron Trigger failed, or a new worker): one caller at a time asks
        // Hireflix; the rest, and all while it is down, use the last good copy.
        last => refresh_once(services, now)
            .await
            .or_else(|why| last.ok_or(why))?,
    };
    MEMO.set(Some((now, all.clone())));
    Ok(narrow(all, config))
}

async fn refresh_once(services: &Services, now: u64) -> Result<Vec<Position>, Transient> {
    if let Some(why) = fresh(now, FAILED.get()) {
        return Err(why);
    }
    if !services.client.may_refresh(REFRESH_LEASE_MS).await {
        return Err(Transient::Paced);
    }
    refresh(services).await.inspect_err(|why| {
        FAILED.set(Some((now, *why)));
    })
}

/// Reads the list from Hireflix into KV: the Cron Trigger's job, and a stale copy's.
pub async fn refresh(services: &Services) -> Result<Vec<Position>, Transient> {
    let fresh = services.client.positions().await?;
    services.store.cache_positions(&fresh).await;
    Ok(fresh)
}

fn find(all: Vec<Position>, id: &PositionId) -> Option<Position> {
    let id = id.as_str();
    all.into_iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

fn narrow(all: Vec<Position>, config: &Config) -> Vec<Position> {
    all.into_iter()
        .filter(Position::is_open)
        .filter(|p| PositionId::parse(&p.id).is_some_and(|id| config.allows(&id)))
        .collect()
}

pub enum Lookup {
    Open(Position),
    /// Unknown, archived, or not in ALLOWED_POSITIONS.
    NotOffered,
    /// Hireflix could not be asked. The application is still taken: the invite itself decides.
    Unknown,
}

pub async fn lookup(services: &Services, id: &PositionId) -> Lookup {
    if !services.config.allows(id) {
        return Lookup::NotOffered;
    }
    match open_positions(services).await {
        Ok(open) => find(open, id).map_or(Lookup::NotOffered, Lookup::Open),
        Err(_) => Lookup::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn position(id: &str, archived: Option<f64>) -> Position {
        Position {
            id: id.into(),
            name: id.into(),
            archived,
            about: None,
        }
    }

    #[test]
    fn the_memo_expires() {
        let list = vec![position("68b43e38b19cf131a17c543f", None)];
        MEMO.set(Some((1_000, list.clone())));
        assert_eq!(memo_get(1_000 + MEMO_TTL_MS - 1), Some(list));
        assert_eq!(memo_get(1_000 + MEMO_TTL_MS), None);
    }

    #[test]
    fn a_failure_is_remembered_for_a_while() {
        FAILED.with(|f| f.set(Some((5_000, Transient::Timeout))));
        let recent_failure = |now| fresh(now, FAILED.get());
        assert_eq!(
            recent_failure(5_000 + MEMO_TTL_MS - 1),
            Some(Transient::Timeout)
        );
        assert_eq!(recent_failure(5_000 + MEMO_TTL_MS), None);
    }

    #[test]
    fn archived_and_unlisted_positions_are_left_out() {
        let all = vec![
            position("68b43e38b19cf131a17c543f", None),
            position("68b43e38b19cf131a17c5440", Some(1.0)),
            position("68b43e38b19cf131a17c5441", None),
        ];
        let open_all = Config::read(&[][..]);
        assert_eq!(narrow(all.clone(), &open_all).len(), 2);
        let narrowed = Config::read(
            &[(
                "ALLOWED_POSITIONS",
                "68b43e38b19cf131a17c5441,68b43e38b19cf131a17c5440",
            )][..],
        );
        let open = narrow(all, &narrowed);
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].id, "68b43e38b19cf131a17c5441");
    }
}
