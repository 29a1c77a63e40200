//! Reading one setting: trimmed, blank as unset.

use super::*;
use std::ops::RangeInclusive;

pub(super) struct Reader<'v, V: ?Sized> {
    pub(super) vars: &'v V,
    pub(super) problems: Vec<String>,
    pub(super) warnings: Vec<String>,
}

impl<V: Vars + ?Sized> Reader<'_, V> {
    pub(super) fn text(&self, name: &str) -> Option<String> {
        let value = self.vars.var(name)?;
        Some(value.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// `None` when unset, or when wrong and then named in `problems` as "`name` `why`".
    pub(super) fn check<T>(
        &mut self,
        name: &str,
        why: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = parse(&self.text(name)?);
        if parsed.is_none() {
            self.problems.push(format!("{name} {why}"));
        }
        parsed
    }

    pub(super) fn number<N: TryFrom<u64>>(
        &mut self,
        name: &str,
        default: N,
        range: RangeInclusive<u64>,
    ) -> N {
        let (min, max) = (range.start(), range.end());
        let why = format!("must be a whole number from {min} to {max}");
        let within = |raw: &str| raw.parse().ok().filter(|n| range.contains(n));
        self.check(name, &why, |raw| N::try_from(within(raw)?).ok())
            .unwrap_or(default)
    }

    /// A secret the worker needs (`wrangler secret put`); empty when unset or too short.
    pub(super) fn secret(&mut self, name: &str, min_chars: usize) -> Secret {
        let why = match self.text(name) {
            Some(value) if value.chars().count() >= min_chars => return Secret(value),
            Some(_) => {
                format!("{name} must be at least {min_chars} characters (openssl rand -hex 32)")
            }
            None => format!("{name} is not set (wrangler secret put {name})"),
        };
        self.problems.push(why);
        Secret::default()
    }

    /// https, or plain http to a loopback host (a local stand-in): it may be sent a secret.
    pub(super) fn url(&mut self, name: &str, default: &str) -> Option<HttpUrl> {
        let raw = self.text(name).unwrap_or_else(|| default.to_string());
        let why = match HttpUrl::parse(&raw) {
            Some(url) if url.is_https() || is_loopback_host(url.host()) => return Some(url),
            Some(_) => "must use https (plain http only for a local stand-in)",
            None => "must be an http(s) URL",
        };
        self.problems.push(format!("{name} {why}"));
        None
    }
}

pub(super) fn list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Empty (no entries) is `None`: every position.
pub(super) fn positions(raw: &str) -> Option<Option<Vec<PositionId>>> {
    let ids: Vec<PositionId> = list(raw).map(PositionId::parse).collect::<Option<_>>()?;
    Some(Some(ids).filter(|ids| !ids.is_empty()))
}

/// Each as `scheme://host[:port]`; a path, query or anything else is a mistake to report.
pub(super) fn origins(raw: &str) -> Option<Vec<String>> {
    list(raw)
        .map(|entry| {
            let url = HttpUrl::parse(entry)?;
            let bare = url.to_string() == format!("{}/", url.origin())
                && !entry.trim_end_matches('/').contains(['?', '#']);
            bare.then(|| url.origin())
        })
        .collect()
}

/// For tests, "hour,day,month" lengths in seconds, to watch a window reopen.
pub(super) fn windows(raw: &str) -> Option<Windows> {
    let within = |n: &u32| (1..=31 * 86_400).contains(n);
    let length = |n: &str| n.trim().parse().ok().filter(within);
    let lengths = raw.split(',').map(length).collect::<Option<Vec<u32>>>()?;
    let [hour_seconds, day_seconds, month_seconds] = <[u32; 3]>::try_from(lengths).ok()?;
    Some(Windows {
        hour_seconds,
        day_seconds,
        month_seconds,
    })
}

/// Such as `2026-11` or `v3`: it goes into KV records and log lines.
pub(super) fn label(raw: &str) -> Option<String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"._-".contains(&b);
    (raw.len() <= 32 && raw.bytes().all(allowed)).then(|| raw.to_string())
}
